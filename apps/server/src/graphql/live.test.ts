import { describe, expect, it } from 'vitest';
import { mapAsync } from './live';

/** A source that records whether it was closed. */
function source(values: number[]) {
  const state = { closed: false };
  let i = 0;
  const it: AsyncIterableIterator<number> = {
    [Symbol.asyncIterator]: () => it,
    next: async () => (i < values.length ? { value: values[i++]!, done: false } : { value: undefined, done: true }),
    return: async () => {
      state.closed = true;
      return { value: undefined, done: true };
    },
  };
  return { it, state };
}

describe('mapAsync', () => {
  it('maps each value in order and closes the source when the result is closed', async () => {
    const { it: src, state } = source([1, 2, 3]);
    const mapped = mapAsync(src, async (v) => v * 10);
    expect((await mapped.next()).value).toBe(10);
    expect((await mapped.next()).value).toBe(20);
    await mapped.return();
    expect(state.closed).toBe(true);
  });

  it('closes the source when the mapping fails, and ends with that failure', async () => {
    const { it: src, state } = source([1, 2]);
    const mapped = mapAsync(src, async () => {
      throw new Error('gone');
    });
    await expect(mapped.next()).rejects.toThrow('gone');
    expect(state.closed).toBe(true);
  });
});
