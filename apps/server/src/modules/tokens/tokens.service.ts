import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { AuthEpochs } from '../auth/auth-epochs';
import { User } from '../users/user.entity';
import { ApiToken } from './api-token.entity';

const PREFIX = 'sc_';
/** lastUsedAt is only written when older than this: a busy token must not cost a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The default of TOKEN_MAX_DAYS. */
export const DEFAULT_TOKEN_MAX_DAYS = 365;

export class TokensService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    /** TOKEN_MAX_DAYS: the longest lifetime a token may be minted with. */
    private readonly maxDays = DEFAULT_TOKEN_MAX_DAYS,
    /** Told when a token is revoked, so sockets opened with it stop at once. */
    private readonly authEpochs?: AuthEpochs,
  ) {}

  /**
   * Mints a token; the secret is returned once and only its hash is stored. Every token expires:
   * a lifetime over TOKEN_MAX_DAYS, or none at all, is refused (not shortened), so a script never
   * holds a token that ends sooner than it asked for without knowing.
   */
  async create(user: User, name: string, expiresInDays: number | null): Promise<{ token: ApiToken; secret: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw new AppError('BAD_USER_INPUT', 'Token name must be 1–100 characters.');
    if (expiresInDays === null || !Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > this.maxDays) {
      throw new AppError(
        'BAD_USER_INPUT',
        `Tokens must expire: expiresInDays must be a whole number between 1 and ${this.maxDays}.`,
        { limit: this.maxDays },
      );
    }
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const token = this.em.create(ApiToken, {
      user,
      name: trimmed,
      secretHash: hashSecret(secret),
      createdAt: now,
      expiresAt: new Date(now.getTime() + expiresInDays * 86_400_000),
    });
    await this.em.flush();
    return { token, secret };
  }

  /** Resolves a bearer secret to its user; unknown, expired or revoked → UNAUTHENTICATED. */
  async authenticate(secret: string): Promise<{ user: User; token: ApiToken }> {
    const token = secret.startsWith(PREFIX) ? await this.findBySecret(secret) : null;
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

  /**
   * The token and its user in one plain query, mapped onto entities (same identity map as a
   * findOne). Every API call runs this; the entity query with `populate` cost several times more
   * CPU to build than to run (bench stage-50c).
   */
  private async findBySecret(secret: string): Promise<ApiToken | null> {
    const [row] = await this.em.getConnection().execute<Record<string, unknown>[]>(
      `select t.id t__id, t.name t__name, t.secret_hash t__secret_hash, t.created_at t__created_at, t.expires_at t__expires_at,
              t.revoked_at t__revoked_at, t.last_used_at t__last_used_at, u.*
         from api_tokens t join users u on u.id = t.user_id
        where t.secret_hash = ?`,
      [hashSecret(secret)],
    );
    if (!row) return null;
    const tokenRow: Record<string, unknown> = {};
    const userRow: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (k.startsWith('t__')) tokenRow[k.slice(3)] = v;
      else userRow[k] = v;
    }
    const user = this.em.map(User, userRow);
    return this.em.map(ApiToken, { ...tokenRow, user_id: user.id });
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
    this.authEpochs?.bump(userId);
    return token;
  }
}
