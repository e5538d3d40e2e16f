import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { User } from '../users/user.entity';
import { ApiToken } from './api-token.entity';

const PREFIX = 'sc_';
/** lastUsedAt is only written when older than this: a busy token must not cost a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export class TokensService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  /** Mints a token; the secret is returned once and only its hash is stored. */
  async create(user: User, name: string, expiresInDays: number | null): Promise<{ token: ApiToken; secret: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw new AppError('BAD_USER_INPUT', 'Token name must be 1–100 characters.');
    if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)) {
      throw new AppError('BAD_USER_INPUT', 'expiresInDays must be a whole number between 1 and 3650.');
    }
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const token = this.em.create(ApiToken, {
      user,
      name: trimmed,
      secretHash: hashSecret(secret),
      createdAt: now,
      expiresAt: expiresInDays === null ? null : new Date(now.getTime() + expiresInDays * 86_400_000),
    });
    await this.em.flush();
    return { token, secret };
  }

  /** Resolves a bearer secret to its user; unknown, expired or revoked → UNAUTHENTICATED. */
  async authenticate(secret: string): Promise<{ user: User; token: ApiToken }> {
    const token = secret.startsWith(PREFIX)
      ? await this.em.findOne(ApiToken, { secretHash: hashSecret(secret) }, { populate: ['user'] })
      : null;
    const now = this.clock.now();
    if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) {
      throw new AppError('UNAUTHENTICATED', 'The API token is unknown, expired or revoked.');
    }
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      // A direct UPDATE rather than a flush: it must not drag other pending changes along.
      await this.em.nativeUpdate(ApiToken, { id: token.id }, { lastUsedAt: now });
      token.lastUsedAt = now;
    }
    return { user: token.user as User, token };
  }

  list(userId: string): Promise<ApiToken[]> {
    return this.em.find(ApiToken, { user: userId }, { orderBy: { createdAt: 'desc' } });
  }

  /** Revokes one of the user's tokens; someone else's token answers NOT_FOUND. */
  async revoke(userId: string, id: string): Promise<ApiToken> {
    const token = isUuid(id) ? await this.em.findOne(ApiToken, { id, user: userId }) : null;
    if (!token) throw new AppError('NOT_FOUND', 'No such API token.');
    token.revokedAt ??= this.clock.now();
    await this.em.flush();
    return token;
  }
}
