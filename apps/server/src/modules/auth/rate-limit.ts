import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { getDirectiveValues, GraphQLError, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { AppError, HTTP_STATUS } from '../../lib/errors';
import type { Viewer } from './viewer';

/** What a caller may know of its bucket: the RateLimit-* header fields. */
export interface RateLimitStatus {
  /** Tokens a full bucket holds (the burst). */
  limit: number;
  /** Whole tokens left. */
  remaining: number;
  /** Whole seconds until the bucket is full again (0 when full). */
  reset: number;
}

/** A take's outcome; when refused, `retryAfter` is the whole seconds (≥ 1) until `cost` tokens are there. */
export type TakeResult = RateLimitStatus & ({ ok: true } | { ok: false; retryAfter: number });

// Refills are fractional; without slack 4.9999999 tokens would read as 4 left.
const EPSILON = 1e-9;

/**
 * An in-memory token bucket per key: it holds `burst` tokens and refills at `perMinute`. Per
 * process: with several replicas each allows its share, which is what a safety limit needs (not billing).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  readonly burst: number;

  constructor(
    opts: { perMinute: number; burst: number },
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = opts.perMinute / 60_000;
    this.burst = opts.burst;
  }

  /** Takes `cost` tokens at once, or none when fewer are left. */
  take(key: string, cost = 1): TakeResult {
    const t = this.now();
    const b = this.refilled(key, t);
    if (this.buckets.size > 50_000) this.sweep(t);
    const ok = b.tokens + EPSILON >= cost;
    if (ok) b.tokens = Math.max(0, b.tokens - cost);
    this.buckets.set(key, b);
    const status = this.describe(b.tokens);
    return ok ? { ok, ...status } : { ok, ...status, retryAfter: Math.max(1, Math.ceil((cost - b.tokens) / this.perMs / 1000)) };
  }

  /** The key's bucket as it stands, taking nothing. */
  status(key: string): RateLimitStatus {
    return this.describe(this.refilled(key, this.now()).tokens);
  }

  private refilled(key: string, t: number): { tokens: number; at: number } {
    const b = this.buckets.get(key);
    if (!b) return { tokens: this.burst, at: t };
    // A clock that steps back (NTP) neither drains the bucket nor refills it twice later.
    return { tokens: Math.min(this.burst, b.tokens + Math.max(0, t - b.at) * this.perMs), at: Math.max(t, b.at) };
  }

  private describe(tokens: number): RateLimitStatus {
    return { limit: this.burst, remaining: Math.floor(tokens + EPSILON), reset: Math.max(0, Math.ceil((this.burst - tokens - EPSILON) / this.perMs / 1000)) };
  }

  /** Drops buckets that have refilled completely (bounded memory under many distinct keys). */
  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * this.perMs >= this.burst) this.buckets.delete(k);
  }
}

/** Express middleware: 429 with Retry-After when the client IP is over its limit. */
export function httpRateLimit(limiter: RateLimiter, prefix: string): RequestHandler {
  return (req, res, next) => {
    const taken = limiter.take(`${prefix}:${req.ip ?? 'unknown'}`);
    if (taken.ok) return next();
    res.set('retry-after', String(taken.retryAfter));
    res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'Too many sign-in attempts; wait a minute and try again.' } });
  };
}

/**
 * Mutation fields an operation runs: each top-level field (aliases count apiece, fragments are
 * followed, `@skip`/`@include` honoured), because every field is a change of its own.
 */
export function mutationCost(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): number {
  if (operation.operation !== 'mutation') return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names = new Set<string>();
  const seen = new Set<string>();
  const included = (node: Parameters<typeof getDirectiveValues>[1]) => {
    try {
      return getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true && getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
    } catch {
      return true; // a bad variable fails execution anyway; charging for it is the safe side
    }
  };
  const collect = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (!included(s)) continue;
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) names.add(s.alias?.value ?? s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        collect(s.selectionSet);
      } else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) collect(f.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return names.size;
}

/**
 * Charges the viewer `cost` tokens (one per mutation field), all or none. Throws RATE_LIMITED when
 * they are not there, or BAD_USER_INPUT when one operation holds more than a full bucket (it could
 * never pass, so waiting would not help). Anonymous callers pass (their mutations fail on auth).
 */
export function limitMutation(limiter: RateLimiter, viewer: Viewer | null, cost: number): void {
  const user = viewer?.user;
  if (!user) return;
  if (cost > limiter.burst) {
    throw new AppError('BAD_USER_INPUT', `This operation runs ${cost} mutations; at most ${limiter.burst} fit in one operation. Split it up.`, { cost, limit: limiter.burst });
  }
  const taken = limiter.take(`mutation:${user.id}`, cost);
  if (!taken.ok) throw new RateLimitedError(taken.retryAfter);
}

/** The viewer's mutation bucket without charging it (null for anonymous callers). */
export function mutationStatus(limiter: RateLimiter, viewer: Viewer | null): RateLimitStatus | null {
  return viewer ? limiter.status(`mutation:${viewer.user.id}`) : null;
}

/** RATE_LIMITED with when to retry (also for the Retry-After header). */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfter: number) {
    // retryAfterSeconds predates retryAfter; integrators may read either.
    super('RATE_LIMITED', 'Too many changes in a short time; wait a moment and try again.', { retryAfter, retryAfterSeconds: retryAfter });
  }
}

/** The RateLimit-* header fields (IETF httpapi draft naming) of a bucket state. */
export function rateLimitHeaders(s: RateLimitStatus): [string, string][] {
  return [
    ['ratelimit-limit', String(s.limit)],
    ['ratelimit-remaining', String(s.remaining)],
    ['ratelimit-reset', String(s.reset)],
  ];
}

/**
 * Apollo plugin for HTTP: charges every mutation via `limit` (one token per mutation field) and
 * reports the viewer's bucket in RateLimit-* headers on every operation by a signed-in user;
 * over the limit the answer is 429 with Retry-After.
 */
export function mutationRateLimitPlugin<C extends { viewer: Viewer | null }>(limiter: {
  limit: (viewer: Viewer | null, cost: number) => void;
  status: (viewer: Viewer | null) => RateLimitStatus | null;
}): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue, response }) {
          let refused: unknown;
          if (operation?.operation === 'mutation') {
            try {
              limiter.limit(contextValue.viewer, mutationCost(document, operation, request.variables));
            } catch (e) {
              refused = e;
            }
          }
          const headers = response.http.headers;
          const s = limiter.status(contextValue.viewer);
          if (s) for (const [k, v] of rateLimitHeaders(s)) headers.set(k, v);
          if (refused === undefined) return;
          if (refused instanceof RateLimitedError) headers.set('retry-after', String(refused.retryAfter));
          if (refused instanceof AppError) {
            // originalError lets formatError keep the AppError's extensions (retryAfter…).
            throw new GraphQLError(refused.message, { originalError: refused, extensions: { ...refused.extensions, code: refused.code, http: { status: HTTP_STATUS[refused.code] } } });
          }
          throw refused;
        },
      };
    },
  };
}
