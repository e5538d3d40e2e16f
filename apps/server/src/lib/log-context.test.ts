import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { captureLogs } from '../../test/log-capture';
import { addLogContext, currentLogContext, iterateInLogContext, requestIdFrom, runWithLogContext } from './log-context';

describe('log context', () => {
  it('is on every line logged inside it, across awaits, and on none outside', async () => {
    const { logger, lines } = captureLogs();
    await runWithLogContext({ requestId: 'r1' }, async () => {
      logger.info('before');
      await tick();
      addLogContext({ userId: 'u1', jobId: undefined });
      logger.child({ module: 'm' }).info({ detail: 1 }, 'after');
    });
    logger.info('outside');
    expect(lines.map(({ msg, requestId, userId, module, detail }) => ({ msg, requestId, userId, module, detail }))).toEqual([
      { msg: 'before', requestId: 'r1', userId: undefined, module: undefined, detail: undefined },
      { msg: 'after', requestId: 'r1', userId: 'u1', module: 'm', detail: 1 },
      { msg: 'outside', requestId: undefined, userId: undefined, module: undefined, detail: undefined },
    ]);
  });

  it("keeps a line's own fields out of the context", () => {
    const { logger, lines } = captureLogs();
    runWithLogContext({ requestId: 'r2' }, () => {
      logger.info({ detail: 'only here' }, 'one');
      logger.info('two');
      expect(currentLogContext()).toEqual({ requestId: 'r2' });
    });
    expect(lines[1]).not.toHaveProperty('detail');
  });

  it('keeps concurrent units of work apart; a nested one adds to the outer', async () => {
    const seen: unknown[] = [];
    const unit = (requestId: string) =>
      runWithLogContext({ requestId }, async () => {
        await tick();
        addLogContext({ userId: `user-of-${requestId}` });
        await tick();
        runWithLogContext({ operationId: 'op' }, () => seen.push({ ...currentLogContext() }));
      });
    await Promise.all([unit('a'), unit('b')]);
    expect(seen).toEqual([
      { requestId: 'a', userId: 'user-of-a', operationId: 'op' },
      { requestId: 'b', userId: 'user-of-b', operationId: 'op' },
    ]);
  });

  it('runs each step of a wrapped iterator in the given context, wherever it is pulled from', async () => {
    async function* source() {
      yield currentLogContext()?.operationId;
      await tick();
      yield currentLogContext()?.operationId;
    }
    const it = iterateInLogContext({ operationId: 'op-9' }, source());
    const pulled: unknown[] = [];
    for await (const v of it) pulled.push(v);
    expect(pulled).toEqual(['op-9', 'op-9']);
    expect(currentLogContext()).toBeUndefined();
  });
});

describe('requestIdFrom', () => {
  it("takes a caller's plain id and replaces anything else by a fresh one", () => {
    expect(requestIdFrom('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const bad of [undefined, '', 'a b', 'x'.repeat(129), 'line\nbreak', '"quoted"', ['a', 'b']]) expect(requestIdFrom(bad)).toMatch(uuid);
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
