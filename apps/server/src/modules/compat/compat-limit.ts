import type { Response } from 'express';
import { rateLimitHeaders, RateLimitedError, type RateLimitStatus } from '../auth/rate-limit';
import type { Viewer } from '../auth/viewer';
import type { User } from '../users/user.entity';

/** The mutation rate limiter GraphQL uses (`Auth.limitMutation` / `Auth.mutationStatus`). */
export interface MutationLimits {
  limitMutation(viewer: Viewer | null, cost: number): void;
  mutationStatus(viewer: Viewer | null): RateLimitStatus | null;
}

/**
 * Charges one change made through a compatibility route to the token's user, from the same
 * bucket as GraphQL mutations (one token, like one mutation field), and reports the bucket in
 * RateLimit-* headers. Over the limit it sets Retry-After and returns the RATE_LIMITED error for
 * the caller to answer in its surface's shape (status 429); otherwise null.
 */
export function chargeCompatMutation(limits: MutationLimits, user: User, res: Response): RateLimitedError | null {
  const viewer: Viewer = { user, via: 'token' };
  let refused: RateLimitedError | null = null;
  try {
    limits.limitMutation(viewer, 1);
  } catch (e) {
    if (!(e instanceof RateLimitedError)) throw e;
    refused = e;
    res.setHeader('Retry-After', String(e.retryAfter));
  }
  const status = limits.mutationStatus(viewer);
  if (status) for (const [k, v] of rateLimitHeaders(status)) res.setHeader(k, v);
  return refused;
}
