import { describe, expect, it } from 'vitest';
import { errorMessage, isRetryableError, messageForCode } from './errors';
import { GraphQLRequestError } from './execute';

describe('errors', () => {
  it('gives each known code its own message', () => {
    expect(messageForCode('PATH_OUTSIDE_ROOT')).toMatch(/inside their site/);
    expect(messageForCode('USER_NOT_APPROVED')).toMatch(/approval/);
  });

  it('falls back to a generic message for unknown codes and plain errors, hiding their text', () => {
    expect(messageForCode('SOMETHING_NEW')).toBe(messageForCode('INTERNAL_SERVER_ERROR'));
    expect(errorMessage(new Error('TypeError: x is undefined at foo.ts:12'))).toBe(
      messageForCode('INTERNAL_SERVER_ERROR'),
    );
  });

  it('does not retry errors that a retry cannot fix', () => {
    const forbidden = new GraphQLRequestError({ code: 'FORBIDDEN', message: 'no' });
    const network = new GraphQLRequestError({ code: 'NETWORK_ERROR', message: 'offline' });
    expect(isRetryableError(forbidden)).toBe(false);
    expect(isRetryableError(network)).toBe(true);
  });
});
