import type { Request } from 'express';
import { bearerSecret } from '../auth/viewer';
import { isAppError } from '../../lib/errors';
import type { TokensService } from '../tokens/tokens.service';
import { addLogContext } from '../../lib/log-context';
import type { User } from '../users/user.entity';

export type CompatAuth = { ok: true; user: User } | { ok: false; status: 401 | 403; message: string };

/**
 * The compatibility APIs accept API tokens only (`Authorization: Bearer <token>`): their clients
 * are scripts, and without a cookie there is no CSRF to guard against. The user must be ACTIVE.
 */
export async function authenticateBearer(req: Request, tokens: TokensService): Promise<CompatAuth> {
  const secret = bearerSecret(req.headers.authorization);
  if (!secret) return { ok: false, status: 401, message: 'Not authenticated: send "Authorization: Bearer <api token>".' };
  try {
    const { user } = await tokens.authenticate(secret);
    addLogContext({ userId: user.id });
    if (user.status !== 'ACTIVE') return { ok: false, status: 403, message: `Your account is ${user.status.toLowerCase()}; an administrator must approve it first.` };
    return { ok: true, user };
  } catch (e) {
    if (isAppError(e) && e.code === 'UNAUTHENTICATED') return { ok: false, status: 401, message: e.message };
    throw e;
  }
}

/** Reads a JSON body by hand, so a malformed one gets the compat API's own answer (not the app's generic 400). */
export function parseJsonBody(req: Request): { ok: true; value: unknown } | { ok: false } {
  const raw: unknown = req.body;
  if (Buffer.isBuffer(raw)) {
    if (raw.length === 0) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(raw.toString('utf8')) };
    } catch {
      return { ok: false };
    }
  }
  return { ok: false };
}

/** HTTP header values must be single-line Latin-1: anything else becomes "?". */
export const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);
