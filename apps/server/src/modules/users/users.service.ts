import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { User, type Role, type UsernameOrigin, type UserStatus } from './user.entity';

/** Makes a filesystem-safe user-area name from a preferred username or an email's local part. */
export function usernameBase(preferred: string | undefined, email: string): string {
  const raw = (preferred || email.split('@')[0] || 'user').normalize('NFKD').toLowerCase();
  const safe = raw
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[-.]+$/, '')
    .slice(0, 32);
  return safe || 'user';
}

/**
 * Whether `username` is the name it was made from (the IdP's preferred username, else the email's
 * local part) but for case, and which of the two that was; ALTERED otherwise.
 */
export function usernameOrigin(username: string, preferred: string | undefined, email: string): UsernameOrigin {
  const asked = preferred || email.split('@')[0] || '';
  if (asked.toLowerCase() !== username) return 'ALTERED';
  return preferred ? 'IDP' : 'EMAIL';
}

export interface NewUser {
  email: string;
  name?: string | null;
  preferredUsername?: string;
  role?: Role;
  status?: UserStatus;
  emailVerified?: boolean;
  oidcIssuer?: string | null;
  oidcSubject?: string | null;
}

export class UsersService {
  constructor(private readonly em: EntityManager) {}

  /** Creates a user with a unique username (suffix -2, -3, … on collision). */
  async create(input: NewUser): Promise<User> {
    const email = input.email.trim().toLowerCase();
    if (await this.em.findOne(User, { email })) {
      throw new AppError('BAD_USER_INPUT', `A user with email ${email} already exists.`);
    }
    const base = usernameBase(input.preferredUsername, email);
    const taken = new Set(
      (await this.em.find(User, { username: { $like: `${base}%` } }, { fields: ['username'] })).map((u) => u.username),
    );
    let username = base;
    for (let i = 2; taken.has(username); i++) username = `${base}-${i}`;
    const user = this.em.create(User, {
      email,
      username,
      usernameOrigin: usernameOrigin(username, input.preferredUsername, email),
      name: input.name ?? null,
      role: input.role ?? 'USER',
      status: input.status ?? 'PENDING',
      emailVerified: input.emailVerified ?? false,
      oidcIssuer: input.oidcIssuer ?? null,
      oidcSubject: input.oidcSubject ?? null,
    });
    await this.em.flush();
    return user;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.em.findOne(User, { email: email.trim().toLowerCase() });
  }

  async getByEmail(email: string): Promise<User> {
    const user = await this.findByEmail(email);
    if (!user) throw new AppError('NOT_FOUND', `No user with email ${email.trim().toLowerCase()}.`);
    return user;
  }

  findById(id: string): Promise<User | null> {
    return isUuid(id) ? this.em.findOne(User, { id }) : Promise.resolve(null);
  }

  list(status?: UserStatus): Promise<User[]> {
    return this.em.find(User, status ? { status } : {}, { orderBy: { createdAt: 'asc' } });
  }
}
