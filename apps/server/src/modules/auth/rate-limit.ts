import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import { AppError } from '../../lib/errors';
import type { Viewer } from './viewer';

/**
 * An in-memory token bucket per key: `perMinute` requests in a burst, refilled evenly. Per process:
 * with several replicas each allows its share, which is what a safety limit needs (not billing).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; false when the key is over its limit. */
  take(key: string): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    b.tokens = Math.min(this.perMinute, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    b.at = t;
    if (this.buckets.size > 50_000) this.sweep(t);
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    return true;
  }

  /** Seconds until the key has a token again. */
  retryAfter(key: string): number {
    const b = this.buckets.get(key);
    return b ? Math.max(1, Math.ceil(((1 - b.tokens) / this.perMinute) * 60)) : 1;
  }

  /** Drops buckets that have refilled completely (bounded memory under many distinct keys). */
  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((t - b.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(k);
  }
}

/** Express middleware: 429 with Retry-After when the client IP is over its limit. */
export function httpRateLimit(limiter: RateLimiter, prefix: string): RequestHandler {
  return (req, res, next) => {
    const key = `${prefix}:${req.ip ?? 'unknown'}`;
    if (limiter.take(key)) return next();
    res.set('retry-after', String(limiter.retryAfter(key)));
    res.status(429).json({ error: { code: 'RATE_LIMITED', message: 'Too many sign-in attempts; wait a minute and try again.' } });
  };
}

/** Throws RATE_LIMITED when the viewer runs mutations faster than allowed (anonymous mutations fail on auth anyway). */
export function limitMutation(limiter: RateLimiter, viewer: Viewer | null): void {
  const user = viewer?.user;
  if (!user) return;
  const key = `mutation:${user.id}`;
  if (!limiter.take(key)) {
    throw new AppError('RATE_LIMITED', 'Too many changes in a short time; wait a moment and try again.', { retryAfterSeconds: limiter.retryAfter(key) });
  }
}

/** Apollo plugin applying `limit` (e.g. `limitMutation`) to every HTTP mutation (429 + RATE_LIMITED). */
export function mutationRateLimitPlugin<C extends { viewer: Viewer | null }>(limit: (viewer: Viewer | null) => void): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          try {
            limit(contextValue.viewer);
          } catch (e) {
            if (e instanceof AppError) throw new GraphQLError(e.message, { extensions: { ...e.extensions, code: e.code, http: { status: 429 } } });
            throw e;
          }
        },
      };
    },
  };
}
