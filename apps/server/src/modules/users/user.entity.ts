import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

export const ROLES = ['USER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
export const USER_STATUSES = ['PENDING', 'ACTIVE', 'REJECTED', 'DISABLED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
/**
 * Where a username came from: the identity provider's `preferred_username` (IDP) or the email's
 * local part (EMAIL), kept as given but for case; ALTERED when making it file-system safe or
 * unique changed it (`Ana!`, `ana.`, `ａｎａ` and a second `ana` all end up as something else).
 */
export const USERNAME_ORIGINS = ['IDP', 'EMAIL', 'ALTERED'] as const;
export type UsernameOrigin = (typeof USERNAME_ORIGINS)[number];

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    email: p.string().unique(),
    emailVerified: p.boolean().default(false),
    /** Filesystem-safe and unique: names the user's area on POSIX sites. */
    username: p.string().unique(),
    /** How the username relates to the name it was made from; null for users created before it was recorded. */
    usernameOrigin: p.enum(USERNAME_ORIGINS).nullable(),
    name: p.string().nullable(),
    role: p.enum(ROLES).default('USER'),
    status: p.enum(USER_STATUSES).default('PENDING'),
    /** OIDC identity (issuer + subject); null for users created by the CLI. */
    oidcIssuer: p.string().nullable(),
    oidcSubject: p.string().nullable(),
    decidedAt: p.datetime().nullable(),
    decidedById: p.uuid().nullable(),
    rejectReason: p.text().nullable(),
    /** Last completed OIDC sign-in. */
    lastLoginAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['oidcIssuer', 'oidcSubject'] }],
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
