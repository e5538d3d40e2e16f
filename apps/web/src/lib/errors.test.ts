import { describe, expect, it } from 'vitest';
import { errorMessage, isRetryableError, itemMessageForCode, itemProblemsOf, messageForCode } from './errors';
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

describe('item problems', () => {
  it('reads index, source and code of each item from extensions.items', () => {
    const error = new GraphQLRequestError({
      code: 'SOURCE_NOT_FOUND',
      message: 'x',
      errors: [
        {
          message: 'x',
          extensions: {
            code: 'SOURCE_NOT_FOUND',
            items: [{ index: 1, source: 'missing.txt', code: 'SOURCE_NOT_FOUND', message: 'server words' }, 'junk'],
          },
        },
      ],
    });
    expect(itemProblemsOf(error)).toEqual([{ index: 1, source: 'missing.txt', code: 'SOURCE_NOT_FOUND' }]);
    expect(itemMessageForCode('SOURCE_NOT_FOUND')).toMatch(/not found/i);
    expect(itemProblemsOf(new Error('plain'))).toEqual([]);
  });

  it('lets a caller word a code for its context', () => {
    const error = new GraphQLRequestError({ code: 'BAD_USER_INPUT', message: 'raw' });
    expect(errorMessage(error, { BAD_USER_INPUT: 'Nothing to retry.' })).toBe('Nothing to retry.');
    expect(errorMessage(error, { FORBIDDEN: 'x' })).toBe(messageForCode('BAD_USER_INPUT'));
  });
});
