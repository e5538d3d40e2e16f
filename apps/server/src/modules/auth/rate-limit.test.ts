import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { mutationCost, RateLimiter } from './rate-limit';

/** A limiter on a hand-moved clock: 60/min = one token a second. */
function limiter(burst = 5, perMinute = 60) {
  let t = 1_000_000;
  const l = new RateLimiter({ perMinute, burst }, () => t);
  return { l, advance: (ms: number) => void (t += ms) };
}

describe('RateLimiter', () => {
  it('lets a full burst through, then refuses with the seconds until a token is back', () => {
    const { l } = limiter();
    const remaining = Array.from({ length: 5 }, () => l.take('k')).map((r) => (r.ok ? r.remaining : 'refused'));
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect(l.take('k')).toEqual({ ok: false, limit: 5, remaining: 0, reset: 5, retryAfter: 1 });
  });

  it('refills at the rate, never beyond the burst', () => {
    const { l, advance } = limiter(5, 120); // two tokens a second
    for (let i = 0; i < 5; i++) l.take('k');
    advance(1000);
    expect(l.status('k')).toEqual({ limit: 5, remaining: 2, reset: 2 }); // 3 missing at 2/s → 1.5 s, rounded up
    advance(60_000);
    expect(l.status('k')).toEqual({ limit: 5, remaining: 5, reset: 0 });
    expect(l.take('k', 5).ok).toBe(true);
    expect(l.take('k').ok).toBe(false);
  });

  it('takes a cost all at once or not at all', () => {
    const { l } = limiter();
    expect(l.take('k', 3)).toMatchObject({ ok: true, remaining: 2 });
    // Three more need one more token than there is: one second at 60/min.
    expect(l.take('k', 3)).toMatchObject({ ok: false, remaining: 2, retryAfter: 1 });
    expect(l.take('k', 2)).toMatchObject({ ok: true, remaining: 0 });
    expect(l.take('k', 4)).toMatchObject({ ok: false, remaining: 0, retryAfter: 4 });
  });

  it('reports without taking, and keeps keys apart', () => {
    const { l } = limiter();
    expect(l.status('k')).toEqual({ limit: 5, remaining: 5, reset: 0 });
    l.take('k', 2);
    expect(l.status('k')).toEqual({ limit: 5, remaining: 3, reset: 2 });
    expect(l.status('k')).toEqual({ limit: 5, remaining: 3, reset: 2 });
    expect(l.status('other')).toEqual({ limit: 5, remaining: 5, reset: 0 });
  });

  it('rounds partial tokens down and waits up', () => {
    const { l, advance } = limiter();
    l.take('k', 5);
    advance(1500);
    expect(l.status('k')).toEqual({ limit: 5, remaining: 1, reset: 4 }); // 3.5 s to full
    expect(l.take('k', 2)).toMatchObject({ ok: false, retryAfter: 1 }); // 0.5 s to a second token
  });

  it('does not drain when the clock steps back', () => {
    const { l, advance } = limiter();
    l.take('k', 2);
    advance(-10_000);
    expect(l.status('k').remaining).toBe(3);
  });
});

describe('mutationCost', () => {
  const cost = (query: string, variables?: Record<string, unknown>) => {
    const document = parse(query);
    return mutationCost(document, getOperationAST(document)!, variables);
  };

  it('counts each top-level mutation field, aliases apiece', () => {
    expect(cost('mutation { a: createApiToken(name: "a") { secret } b: createApiToken(name: "b") { secret } c: createApiToken(name: "c") { secret } }')).toBe(3);
    expect(cost('mutation { createApiToken(name: "a") { secret } __typename }')).toBe(1);
  });

  it('follows fragments and honours @skip/@include', () => {
    const q = `mutation($no: Boolean!) { ...Two ... on Mutation { c: createApiToken(name: "c") { secret } } d: createApiToken(name: "d") @include(if: $no) { secret } }
      fragment Two on Mutation { a: createApiToken(name: "a") { secret } b: createApiToken(name: "b") { secret } }`;
    expect(cost(q, { no: false })).toBe(3);
    expect(cost(q, { no: true })).toBe(4);
  });

  it('is zero for queries', () => {
    expect(cost('{ apiTokens { id } }')).toBe(0);
  });
});
