/*
 * Helpers for subscription streams. They are plain iterators rather than async generators on
 * purpose: an async generator's `return()` waits until its pending `next()` settles, so a
 * subscription whose filter matches nothing any more (a finished request's log) would stay
 * attached to the pub/sub for ever, filtering every later event of every other request. Here
 * `return()` goes straight to the source, which ends at once (and settles any pending `next()`).
 */

type Stream<T> = AsyncIterableIterator<T> & { return(value?: unknown): Promise<IteratorResult<T>> };

const DONE = { value: undefined, done: true } as const;

function stream<T>(next: () => Promise<IteratorResult<T>>, source: AsyncIterator<unknown>): Stream<T> {
  const self: Stream<T> = {
    [Symbol.asyncIterator]: () => self,
    next,
    return: async () => {
      await source.return?.();
      return DONE;
    },
    throw: async (err: unknown) => {
      await source.return?.();
      throw err;
    },
  };
  return self;
}

/**
 * Starts `source` now: a pub/sub Repeater attaches its listener only at its first `next()`, so
 * without this, events between subscribing and the first read (e.g. while the current state is
 * loaded) would be lost.
 */
export function started<T>(source: AsyncIterable<T>): Stream<T> {
  const it = source[Symbol.asyncIterator]();
  let first: Promise<IteratorResult<T>> | null = it.next();
  return stream(() => {
    const f = first;
    first = null;
    return f ?? it.next();
  }, it);
}

/** Yields `first`, then everything `rest` yields; closing the result closes `rest` (unsubscribes). */
export function startWith<T>(first: T, rest: AsyncIterable<T>): Stream<T> {
  const it = rest[Symbol.asyncIterator]();
  let sent = false;
  return stream(() => {
    if (sent) return it.next();
    sent = true;
    return Promise.resolve({ value: first, done: false });
  }, it);
}

/** Filters an async iterable; closing the result closes the source at once. */
export function filterAsync<T>(source: AsyncIterable<T>, keep: (v: T) => boolean): Stream<T> {
  const it = source[Symbol.asyncIterator]();
  return stream(async () => {
    for (;;) {
      const r = await it.next();
      if (r.done || keep(r.value)) return r;
    }
  }, it);
}

/**
 * Maps an async iterable through `fn` one value at a time; closing the result closes the source at
 * once. When `fn` fails the source is closed too (a consumer whose `next()` rejected does not call
 * `return()`), and the failure ends the stream.
 */
export function mapAsync<T, U>(source: AsyncIterable<T>, fn: (v: T) => Promise<U>): Stream<U> {
  const it = source[Symbol.asyncIterator]();
  return stream(async (): Promise<IteratorResult<U>> => {
    const r = await it.next();
    if (r.done) return DONE;
    try {
      return { value: await fn(r.value), done: false };
    } catch (err) {
      await it.return?.();
      throw err;
    }
  }, it);
}
