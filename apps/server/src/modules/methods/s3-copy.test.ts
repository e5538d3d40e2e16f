import { describe, expect, it } from 'vitest';
import { s3Key } from './s3-copy.method';

describe('s3Key', () => {
  it('puts the target below the prefix with the username', () => {
    expect(s3Key({ prefix: '{username}/' }, 'alice', 'a/b.bin')).toBe('alice/a/b.bin');
    expect(s3Key({ prefix: 'stagecoach/{username}' }, 'alice', 'b.bin')).toBe('stagecoach/alice/b.bin');
  });

  it('always separates the username from the target, so no user prefix is a prefix of another', () => {
    expect(s3Key({ prefix: 'x/{username}' }, 'al', 'ice/f')).not.toBe(s3Key({ prefix: 'x/{username}' }, 'alice', 'f'));
  });
});
