import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import { inTransaction, type MailDeps, type MailService } from '../mail/mail.service';
import { ROLES, USER_STATUSES, User, type Role, type UserStatus } from './user.entity';

export interface UserAdminDeps extends MailDeps {
  clock: Clock;
  logger: Logger;
}

/** Who decides: an admin (GraphQL) or the operator at the command line (`actor` null). */
export type Actor = User | null;

const who = (actor: Actor) => (actor ? actor.email : 'the command line');

/**
 * Account decisions: approve, reject, role changes, disable/enable. Each records who decided and
 * when, is race-free (a conditional UPDATE, so two admins deciding at once get one winner and one
 * ALREADY_DECIDED), and writes the user's email into the outbox in the same transaction.
 */
export class UserAdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: UserAdminDeps,
    private readonly mail: MailService,
  ) {}

  /** Users, oldest first, optionally by status. */
  list(status?: UserStatus | null): Promise<User[]> {
    if (status && !USER_STATUSES.includes(status)) throw new AppError('BAD_USER_INPUT', `status must be one of ${USER_STATUSES.join(', ')}.`);
    return this.em.find(User, status ? { status } : {}, { orderBy: { createdAt: 'asc', email: 'asc' } });
  }

  /** PENDING → ACTIVE, and the user is told by email. */
  approve(actor: Actor, id: string): Promise<User> {
    return this.decide(actor, id, ['PENDING'], { status: 'ACTIVE', rejectReason: null }, async (tx, user) => {
      await this.mail.queue(tx, 'account-approved', user.email, { name: user.name || user.username, email: user.email, appUrl: this.deps.config.publicUrl });
    });
  }

  /** PENDING → REJECTED with an optional reason, which the user receives by email. */
  reject(actor: Actor, id: string, reason?: string | null): Promise<User> {
    const text = reason?.trim() || null;
    if (text && text.length > 2000) throw new AppError('BAD_USER_INPUT', 'The reason must be at most 2000 characters.');
    return this.decide(actor, id, ['PENDING'], { status: 'REJECTED', rejectReason: text }, async (tx, user) => {
      await this.mail.queue(tx, 'account-rejected', user.email, {
        name: user.name || user.username,
        email: user.email,
        reason: text ?? 'No reason was given.',
        appUrl: this.deps.config.publicUrl,
      });
    });
  }

  /** ACTIVE → DISABLED: every session and token of the user stops working at once (they keep only `me`). */
  disable(actor: Actor, id: string): Promise<User> {
    if (actor && actor.id === id) throw new AppError('BAD_USER_INPUT', 'You cannot disable your own account.');
    return this.decide(actor, id, ['ACTIVE'], { status: 'DISABLED' });
  }

  /** DISABLED → ACTIVE. */
  enable(actor: Actor, id: string): Promise<User> {
    return this.decide(actor, id, ['DISABLED'], { status: 'ACTIVE' });
  }

  /** Changes a user's role; the last active admin cannot be demoted (nobody could approve anyone any more). */
  async setRole(actor: Actor, id: string, role: Role): Promise<User> {
    if (!ROLES.includes(role)) throw new AppError('BAD_USER_INPUT', `role must be one of ${ROLES.join(', ')}.`);
    return this.em.transactional(async (tx) => {
      const user = await this.find(tx, id);
      if (user.role === role) return user;
      if (role !== 'ADMIN') {
        // Serialises concurrent demotions: both would otherwise see "another admin remains".
        await tx.getConnection().execute(`select id from users where role = 'ADMIN' for update`, [], 'all', tx.getTransactionContext());
        const admins = await tx.count(User, { role: 'ADMIN', status: 'ACTIVE', id: { $ne: user.id } });
        if (user.status === 'ACTIVE' && admins === 0) throw new AppError('BAD_USER_INPUT', 'This is the last active administrator; make someone else an administrator first.');
      }
      user.role = role;
      user.decidedAt = this.deps.clock.now();
      user.decidedById = actor?.id ?? null;
      await tx.flush();
      this.deps.logger.info({ module: 'users', targetUserId: user.id, role, by: who(actor) }, 'user role changed');
      return user;
    });
  }

  private async find(em: EntityManager, id: string): Promise<User> {
    const user = isUuid(id) ? await em.findOne(User, { id }) : null;
    if (!user) throw new AppError('NOT_FOUND', 'No such user.');
    return user;
  }

  private async decide(
    actor: Actor,
    id: string,
    from: UserStatus[],
    change: { status: UserStatus; rejectReason?: string | null },
    after?: (tx: EntityManager, user: User) => Promise<void>,
  ): Promise<User> {
    return inTransaction(this.em, async (tx) => {
      const user = await this.find(tx, id);
      const now = this.deps.clock.now();
      const won = await tx.nativeUpdate(User, { id: user.id, status: { $in: from } }, { ...change, decidedAt: now, decidedById: actor?.id ?? null, updatedAt: now });
      if (!won) {
        await tx.refresh(user);
        throw new AppError('ALREADY_DECIDED', `${user.email} is already ${user.status.toLowerCase()}; this cannot be done from there.`, { status: user.status });
      }
      await tx.refresh(user);
      await after?.(tx, user);
      this.deps.logger.info({ module: 'users', targetUserId: user.id, status: change.status, by: who(actor) }, 'account decision');
      return user;
    });
  }
}
