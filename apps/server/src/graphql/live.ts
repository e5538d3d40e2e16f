/** Yields `first`, then everything `rest` yields; closing the result closes `rest` (unsubscribes). */
export async function* startWith<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}

/** Filters an async iterable, keeping `return()` propagation for unsubscription. */
export async function* filterAsync<T>(source: AsyncIterable<T>, keep: (v: T) => boolean): AsyncGenerator<T> {
  for await (const v of source) if (keep(v)) yield v;
}
