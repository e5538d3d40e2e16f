import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/user.entity';

/** `siteId` of the user-wide row: its limits apply to every site without a row of its own. */
export const ANY_SITE = '*';

const UserQuotaSchema = defineEntity({
  name: 'UserQuota',
  tableName: 'user_quotas',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    /** A site id, or `*` for the user-wide row (the only one whose maxActiveRequests counts). */
    siteId: p.string().default(ANY_SITE),
    /** Bytes the user may hold on the site (staged and in flight); null → the next level's limit. */
    maxBytes: p.bigint('number').nullable(),
    /** Queued + running requests at once; null → QUOTA_ACTIVE_REQUESTS. */
    maxActiveRequests: p.integer().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    updatedById: p.uuid().nullable(),
  },
  uniques: [{ properties: ['user', 'siteId'] }],
});

/** An administrator's override of the configured per-user quota defaults. */
export class UserQuota extends UserQuotaSchema.class {}
UserQuotaSchema.setClass(UserQuota);
