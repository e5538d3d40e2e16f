import { describe, expect, it } from 'vitest';
import { usernameBase, usernameOrigin } from './users.service';

describe('usernameOrigin', () => {
  it.each(['ana.', 'Ana!', 'ａｎａ'])('calls %s → ana altered', (preferred) => {
    expect(usernameBase(preferred, 'x@example.org')).toBe('ana');
    expect(usernameOrigin('ana', preferred, 'x@example.org')).toBe('ALTERED');
  });

  it('calls a de-duplicated username altered', () => {
    expect(usernameOrigin('ana-2', 'ana', 'x@example.org')).toBe('ALTERED');
  });

  it('tells a username given by the identity provider (but for case) from one made of the email', () => {
    expect(usernameOrigin('ana', 'Ana', 'x@example.org')).toBe('IDP');
    expect(usernameOrigin('ana', undefined, 'Ana@example.org')).toBe('EMAIL');
    expect(usernameOrigin('ana', undefined, 'ana+x@example.org')).toBe('ALTERED');
  });
});
