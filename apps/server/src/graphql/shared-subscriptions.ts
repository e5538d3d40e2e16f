import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  print,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/** Results a subscriber may fall behind by before it is ended with RATE_LIMITED (see Member.push). */
export const DEFAULT_MAX_BACKLOG = 10_000;

export interface SharedSubscribeOptions {
  /** Root subscription fields whose stream is purely live, so a late joiner misses nothing of its own. */
  fields: readonly string[];
  /**
   * Who is asking, as far as the result can depend on it (e.g. user id and role); null: do not
   * share. Resolvers get the first member's context, so everything they read from it must be here.
   */
  viewerKey: (contextValue: unknown) => string | null;
  maxBacklog?: number;
}

export type SubscribeFn = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * graphql-ws's `subscribe`, sharing one execution of a live subscription among every socket that
 * asked for exactly the same thing (same viewer, document, operation and variables).
 *
 * Why: `logAppended` on a busy request sends thousands of entries a second to each watcher. Run
 * per subscriber, every entry went through that subscriber's own pub/sub queue, filter and
 * GraphQL execution, and 100 watchers tripled the request's run time (bench logs-100). Shared,
 * each entry is filtered and executed once per group; only queueing and the socket write stay
 * per subscriber.
 *
 * Every subscriber still runs the field's `subscribe` resolver — its own authentication, scope
 * and NOT_FOUND checks — and when a group already exists its fresh stream is closed at once.
 * Fields not listed in `fields` (e.g. `stagingRequestUpdated`, which starts with the request's
 * current state for each subscriber) are subscribed to as usual.
 */
export function createSharedSubscribe(opts: SharedSubscribeOptions): SubscribeFn {
  const fields = new Set(opts.fields);
  const maxBacklog = opts.maxBacklog ?? DEFAULT_MAX_BACKLOG;
  const groups = new Map<string, Group>();

  const keyOf = (args: ExecutionArgs): string | null => {
    const op = getOperationAST(args.document, args.operationName);
    const root = op?.selectionSet.selections;
    if (op?.operation !== 'subscription' || root?.length !== 1 || root[0]!.kind !== Kind.FIELD || !fields.has(root[0]!.name.value)) return null;
    const viewer = opts.viewerKey(args.contextValue);
    if (viewer === null) return null;
    // print() normalises the document: the same operation written differently still shares.
    return JSON.stringify([viewer, args.operationName ?? null, args.variableValues ?? null, print(op)]);
  };

  return async (args) => {
    const key = keyOf(args);
    const source = await createSourceEventStream(args);
    if (key === null || !isAsyncIterable(source)) return mapEach(source, args);
    let group = groups.get(key);
    if (group) {
      // Authorised on its own (above); the group's stream carries the same events.
      void source[Symbol.asyncIterator]().return?.()?.catch(() => undefined);
    } else {
      group = new Group(source, args, () => groups.delete(key));
      groups.set(key, group);
      group.start();
    }
    return group.join(maxBacklog);
  };
}

/** What graphql-js's own `subscribe` does: one execution per source event (or the early errors). */
function mapEach(source: AsyncIterable<unknown> | ExecutionResult, args: ExecutionArgs) {
  if (!isAsyncIterable(source)) return source;
  return (async function* () {
    for await (const event of source) yield await execute({ ...args, rootValue: event });
  })();
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof (x as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** One source stream and its execution, fanned out to the members' queues. */
class Group {
  private readonly members = new Set<Member>();
  private readonly iterator: AsyncIterator<unknown>;
  private closed = false;

  constructor(
    source: AsyncIterable<unknown>,
    private readonly args: ExecutionArgs,
    private readonly forget: () => void,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  join(maxBacklog: number): Member {
    const m = new Member(maxBacklog, () => this.leave(m));
    this.members.add(m);
    return m;
  }

  start(): void {
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await this.iterator.next();
          if (done || this.closed) break;
          const result = await execute({ ...this.args, rootValue: value });
          for (const m of this.members) m.push(result);
        }
        for (const m of this.members) m.end();
      } catch (err) {
        for (const m of this.members) m.fail(err);
      } finally {
        this.close();
      }
    })();
  }

  private leave(m: Member): void {
    this.members.delete(m);
    if (this.members.size === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    // Newcomers start a new group at once; this one's source is closed (for an async generator
    // that takes effect at its next event, so the pump above also checks `closed`).
    this.forget();
    void this.iterator.return?.()?.catch(() => undefined);
  }
}

/** One subscriber: a queue of shared results, read by graphql-ws at the pace of its socket. */
class Member implements AsyncIterableIterator<ExecutionResult> {
  private queue: ExecutionResult[] = [];
  private head = 0;
  private waiter: { resolve: (r: IteratorResult<ExecutionResult>) => void; reject: (e: unknown) => void } | null = null;
  private done = false;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly maxBacklog: number,
    private readonly leave: () => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  push(result: ExecutionResult): void {
    if (this.done) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: result, done: false });
      return;
    }
    if (this.queue.length - this.head >= this.maxBacklog) {
      // Dropping entries silently would leave a log with holes; end the subscription with a
      // reason instead, so the client re-reads `logs` and subscribes again.
      this.queue = [
        {
          errors: [
            new GraphQLError('This subscription fell too far behind its events and was ended; read the current state and subscribe again.', {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ],
        },
      ];
      this.head = 0;
      this.done = true;
      this.leave();
      return;
    }
    this.queue.push(result);
  }

  end(): void {
    this.done = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure = { error };
    this.done = true;
    this.wake();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.done) this.leave();
    this.done = true;
    this.failure = null;
    this.queue = [];
    this.head = 0;
    this.wake();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    void this.return();
    return Promise.reject(error);
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      w.reject(error);
    } else w.resolve({ value: undefined, done: true });
  }
}
