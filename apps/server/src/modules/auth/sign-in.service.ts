import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/env';
import { AppError } from '../../lib/errors';
import type { Services } from '../../container';
import { enqueue } from '../jobs/queue';
import { SIGNUP_WEBHOOK } from '../mail/mail.service';
import { signupWebhookMessage } from '../mail/mail.tasks';
import { User, type Role, type UserStatus } from '../users/user.entity';
import type { UserAdminDeps } from '../users/user-admin.service';
import { usernameOrigin } from '../users/users.service';

/** What Stagecoach keeps from an OIDC sign-in (userinfo claims; the id token carries only `sub`). */
export interface OidcIdentity {
  /** Issuer identifier (or DEV_IDP_ISSUER_KEY for the development IdP). */
  issuer: string;
  subject: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
  preferredUsername: string | undefined;
}

export interface SignInDeps extends UserAdminDeps {
  config: UserAdminDeps['config'] & Pick<Config, 'adminEmails'>;
  services(em: EntityManager): Pick<Services, 'users' | 'mail'>;
}

/** Role and status a specific identity gets on its first sign-in (development IdP fixtures only). */
export type Provisioning = (identity: OidcIdentity) => { role?: Role; status?: UserStatus } | undefined;

/** Reads the userinfo claims Stagecoach uses; `email_verified` must be exactly true (some IdPs send "true"). */
export function identityFromClaims(issuer: string, claims: Record<string, unknown>): OidcIdentity {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const given = [str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ');
  return {
    issuer,
    subject: String(claims.sub),
    email: str(claims.email)?.toLowerCase(),
    emailVerified: claims.email_verified === true || claims.email_verified === 'true',
    name: str(claims.name) ?? (given || undefined),
    preferredUsername: str(claims.preferred_username),
  };
}

/**
 * Turns an OIDC identity into a Stagecoach user. Users are keyed by issuer + subject; a first
 * sign-in creates a PENDING user and notifies the admins (outbox mail + optional webhook, in the
 * same transaction), except that an email listed in ADMIN_EMAILS becomes an active admin — but
 * only when the IdP says the address is verified (an unverified address could be anyone's).
 */
export class SignInService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: SignInDeps,
    private readonly provisioning?: Provisioning,
  ) {}

  async signIn(identity: OidcIdentity): Promise<User> {
    if (!identity.subject) throw new AppError('BAD_USER_INPUT', 'The identity provider returned no subject.');
    if (!identity.email) {
      throw new AppError('BAD_USER_INPUT', 'Your identity provider did not share an email address; Stagecoach needs one (ask for the "email" scope).');
    }
    try {
      return await this.em.transactional((tx) => this.resolve(tx, identity));
    } catch (e) {
      // Two first sign-ins of the same person at once: the loser finds the winner's row.
      if (e instanceof UniqueConstraintViolationException) return this.em.fork().transactional((tx) => this.resolve(tx, identity));
      throw e;
    }
  }

  private async resolve(tx: EntityManager, id: OidcIdentity): Promise<User> {
    const now = this.deps.clock.now();
    const email = id.email!;
    const known = await tx.findOne(User, { oidcIssuer: id.issuer, oidcSubject: id.subject });
    if (known) {
      known.emailVerified = id.emailVerified;
      if (id.name) known.name = id.name;
      // Follow an address change unless another account already uses the new address.
      if (known.email !== email && !(await tx.findOne(User, { email }))) known.email = email;
      // Accounts from before the origin was recorded: judged against what the IdP says now.
      known.usernameOrigin ??= usernameOrigin(known.username, id.preferredUsername, known.email);
      known.lastLoginAt = now;
      await tx.flush();
      return known;
    }

    const sameEmail = await tx.findOne(User, { email });
    if (sameEmail) {
      // A bootstrap account (`pnpm cli user add`) is claimed by its owner's first OIDC sign-in —
      // only with a verified address, and never when it is bound to another identity already.
      if (!sameEmail.oidcSubject && id.emailVerified) {
        Object.assign(sameEmail, { oidcIssuer: id.issuer, oidcSubject: id.subject, emailVerified: true, lastLoginAt: now });
        if (id.name && !sameEmail.name) sameEmail.name = id.name;
        await tx.flush();
        return sameEmail;
      }
      throw new AppError('FORBIDDEN', 'An account with this email address exists already under another sign-in; ask an administrator.');
    }

    const listedAdmin = this.deps.config.adminEmails.includes(email);
    const initialAdmin = listedAdmin && id.emailVerified;
    if (listedAdmin && !initialAdmin) {
      this.deps.logger.warn({ module: 'auth', email }, 'ADMIN_EMAILS lists this address but the IdP did not verify it: created as a pending user, not an admin');
    }
    const provisioned = initialAdmin ? { role: 'ADMIN' as const, status: 'ACTIVE' as const } : this.provisioning?.(id);
    const status = provisioned?.status ?? 'PENDING';
    const user = await this.deps.services(tx).users.create({
      email,
      name: id.name ?? null,
      preferredUsername: id.preferredUsername,
      role: provisioned?.role ?? 'USER',
      status,
      emailVerified: id.emailVerified,
      oidcIssuer: id.issuer,
      oidcSubject: id.subject,
    });
    user.lastLoginAt = now;
    if (status !== 'PENDING') user.decidedAt = now;
    await tx.flush();
    this.deps.logger.info({ module: 'auth', userId: user.id, status, role: user.role }, 'new user signed in');
    if (status === 'PENDING') await this.notifyAdmins(tx, user);
    return user;
  }

  /** Mails every active admin and posts the sign-up webhook, both inside the sign-up transaction. */
  private async notifyAdmins(tx: EntityManager, user: User): Promise<void> {
    const { publicUrl, signupWebhookUrl } = this.deps.config;
    const admins = await tx.find(User, { role: 'ADMIN', status: 'ACTIVE' }, { orderBy: { createdAt: 'asc' } });
    if (!admins.length) this.deps.logger.warn({ module: 'auth', userId: user.id }, 'a new user waits for approval but there is no active admin (use ADMIN_EMAILS or `pnpm cli user add --admin`)');
    const { mail } = this.deps.services(tx);
    for (const admin of admins) {
      await mail.queue(
        tx,
        'signup-pending',
        admin.email,
        {
          name: user.name || user.username,
          email: user.email,
          username: user.username,
          emailVerified: user.emailVerified ? 'verified' : 'NOT verified',
          adminUrl: `${publicUrl}/admin/users`,
          appUrl: publicUrl,
        },
        { dedupeKey: `signup-pending:${user.id}:${admin.id}` },
      );
    }
    if (signupWebhookUrl) await enqueue(tx, SIGNUP_WEBHOOK, [{ payload: signupWebhookMessage(user, publicUrl), jobKey: `signup-webhook:${user.id}` }]);
  }
}
