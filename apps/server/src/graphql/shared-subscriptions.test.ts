import { GraphQLError, GraphQLID, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createInProcessPubSub, type LogEvent } from '../lib/pubsub';
import { filterAsync, startWith } from './live';
import { createSharedSubscribe } from './shared-subscriptions';

interface Ctx {
  user: string;
}

/** A schema shaped like ours: a filtered live field, and one that starts with a per-subscriber value. */
function fixture() {
  const pubsub = createInProcessPubSub();
  const counts = { subscribeChecks: 0, executions: 0, listeners: 0 };
  const entry = new GraphQLObjectType({
    name: 'Entry',
    fields: {
      message: {
        type: GraphQLString,
        resolve: (e: LogEvent) => {
          counts.executions++;
          return e.message;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        logAppended: {
          type: entry,
          args: { requestId: { type: new GraphQLNonNull(GraphQLID) } },
          subscribe: (_root, args: { requestId: string }, ctx: Ctx) => {
            counts.subscribeChecks++;
            if (args.requestId === 'secret' && ctx.user !== 'admin') throw new GraphQLError('no such request', { extensions: { code: 'NOT_FOUND' } });
            return filterAsync(pubsub.subscribe('log:appended'), (e) => e.requestId === args.requestId);
          },
          resolve: (e: unknown) => e,
        },
        counter: {
          type: GraphQLInt,
          subscribe: () => startWith({ n: 0 }, (async function* () {})()),
          resolve: (v: unknown) => (v as { n: number }).n,
        },
      },
    }),
  });
  const publish = (requestId: string, message: string) =>
    pubsub.publish('log:appended', { id: message, at: new Date().toISOString(), level: 'INFO', message, requestId, fileId: null, userId: null });
  return { schema, counts, publish };
}

const LOG = parse('subscription($id: ID!) { logAppended(requestId: $id) { message } }');

async function take(it: AsyncIterator<ExecutionResult>, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value.errors ? { errors: r.value.errors.map((e) => e.extensions?.code) } : r.value.data);
  }
  return out;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('createSharedSubscribe', () => {
  const viewerKey = (c: unknown) => (c as Ctx).user;

  it('executes each event once for subscribers asking the same thing, and every one receives it', async () => {
    const f = fixture();
    const subscribe = createSharedSubscribe({ fields: ['logAppended'], viewerKey });
    const subs = await Promise.all(
      [1, 2, 3].map(() => subscribe({ schema: f.schema, document: LOG, variableValues: { id: 'r1' }, contextValue: { user: 'ann' } })),
    );
    const its = subs.map((s) => s as AsyncIterableIterator<ExecutionResult>);
    await tick();
    f.publish('r1', 'one');
    f.publish('r2', 'other request');
    f.publish('r1', 'two');
    for (const it of its) expect(await take(it, 2)).toEqual([{ logAppended: { message: 'one' } }, { logAppended: { message: 'two' } }]);
    expect(f.counts.executions).toBe(2);
    expect(f.counts.subscribeChecks).toBe(3); // each subscriber passed the field's own checks
    for (const it of its) await it.return!();
  });

  it('does not share across viewers or variables', async () => {
    const f = fixture();
    const subscribe = createSharedSubscribe({ fields: ['logAppended'], viewerKey });
    const a = (await subscribe({ schema: f.schema, document: LOG, variableValues: { id: 'r1' }, contextValue: { user: 'ann' } })) as AsyncIterableIterator<ExecutionResult>;
    const b = (await subscribe({ schema: f.schema, document: LOG, variableValues: { id: 'r1' }, contextValue: { user: 'bob' } })) as AsyncIterableIterator<ExecutionResult>;
    const c = (await subscribe({ schema: f.schema, document: LOG, variableValues: { id: 'r2' }, contextValue: { user: 'ann' } })) as AsyncIterableIterator<ExecutionResult>;
    await tick();
    f.publish('r1', 'x');
    f.publish('r2', 'y');
    expect(await take(a, 1)).toEqual([{ logAppended: { message: 'x' } }]);
    expect(await take(b, 1)).toEqual([{ logAppended: { message: 'x' } }]);
    expect(await take(c, 1)).toEqual([{ logAppended: { message: 'y' } }]);
    expect(f.counts.executions).toBe(3);
    await Promise.all([a.return!(), b.return!(), c.return!()]);
  });

  it('a refused subscriber gets its error while the group it would have joined goes on', async () => {
    const f = fixture();
    const subscribe = createSharedSubscribe({ fields: ['logAppended'], viewerKey });
    const admin = (await subscribe({ schema: f.schema, document: LOG, variableValues: { id: 'secret' }, contextValue: { user: 'admin' } })) as AsyncIterableIterator<ExecutionResult>;
    const refused = (await subscribe({ schema: f.schema, document: LOG, variableValues: { id: 'secret' }, contextValue: { user: 'eve' } })) as ExecutionResult;
    expect(refused.errors?.map((e) => e.extensions.code)).toEqual(['NOT_FOUND']);
    await tick();
    f.publish('secret', 's');
    expect(await take(admin, 1)).toEqual([{ logAppended: { message: 's' } }]);
    await admin.return!();
  });

  it('one member leaving does not stop the others; the last one leaving unsubscribes at once', async () => {
    const f = fixture();
    const subscribe = createSharedSubscribe({ fields: ['logAppended'], viewerKey });
    const args = { schema: f.schema, document: LOG, variableValues: { id: 'r1' }, contextValue: { user: 'ann' } };
    const a = (await subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
    const b = (await subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
    await tick();
    const pendingA = a.next();
    await a.return!();
    expect(await pendingA).toEqual({ value: undefined, done: true });
    f.publish('r1', 'still here');
    expect(await take(b, 1)).toEqual([{ logAppended: { message: 'still here' } }]);
    const pendingB = b.next();
    await b.return!();
    expect((await pendingB).done).toBe(true);
    // Nothing executes for a group without members, even for events it would have matched.
    const before = f.counts.executions;
    f.publish('r1', 'nobody listens');
    await tick();
    expect(f.counts.executions).toBe(before);
    // A newcomer starts a fresh group and sees only what comes after it.
    const c = (await subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
    await tick();
    f.publish('r1', 'fresh');
    expect(await take(c, 1)).toEqual([{ logAppended: { message: 'fresh' } }]);
    await c.return!();
  });

  it('ends a subscriber that falls too far behind with RATE_LIMITED instead of dropping entries', async () => {
    const f = fixture();
    const subscribe = createSharedSubscribe({ fields: ['logAppended'], viewerKey, maxBacklog: 3 });
    const args = { schema: f.schema, document: LOG, variableValues: { id: 'r1' }, contextValue: { user: 'ann' } };
    const slow = (await subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
    const fast = (await subscribe(args)) as AsyncIterableIterator<ExecutionResult>;
    await tick();
    const seen: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      f.publish('r1', `m${i}`);
      seen.push(...(await take(fast, 1)));
    }
    expect(seen).toHaveLength(5);
    expect(await take(slow, 10)).toEqual([{ errors: ['RATE_LIMITED'] }]);
    expect((await slow.next()).done).toBe(true);
    await fast.return!();
  });

  it('leaves other fields alone: each subscriber gets its own first value', async () => {
    const f = fixture();
    const subscribe = createSharedSubscribe({ fields: ['logAppended'], viewerKey });
    const doc = parse('subscription { counter }');
    for (let i = 0; i < 2; i++) {
      const it = (await subscribe({ schema: f.schema, document: doc, contextValue: { user: 'ann' } })) as AsyncIterableIterator<ExecutionResult>;
      expect(await take(it, 2)).toEqual([{ counter: 0 }]);
    }
  });
});

describe('filterAsync', () => {
  it('closing it unsubscribes at once even when nothing matches any more', async () => {
    const pubsub = createInProcessPubSub();
    const it = filterAsync(pubsub.subscribe('log:appended'), (e) => e.requestId === 'finished');
    const pending = it.next();
    await tick();
    pubsub.publish('log:appended', { id: '1', at: '', level: 'INFO', message: 'elsewhere', requestId: 'other', fileId: null, userId: null });
    await it.return();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
