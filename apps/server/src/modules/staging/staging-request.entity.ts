import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { REQUEST_STATUSES, STAGING_METHODS } from '@stagecoach/domain';
import { User } from '../users/user.entity';

const StagingRequestSchema = defineEntity({
  name: 'StagingRequest',
  tableName: 'staging_requests',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    /** Per-installation sequential number (`#123` in the web app, the id of the StageIT-compatible API). */
    number: p.integer().autoincrement().unique(),
    owner: () => p.manyToOne(User).deleteRule('cascade').index(),
    method: p.enum(STAGING_METHODS),
    status: p.enum(REQUEST_STATUSES).default('QUEUED').index(),
    /** The POSIX source site; null for URL-sourced methods, whose sources are routed to `urlSiteIds`. */
    sourceSiteId: p.string().nullable(),
    /** URL-sourced methods (DCACHE_STAGE, RUCIO_COPY): the sites the request's sources were routed to. */
    urlSiteIds: p.array().nullable(),
    targetSiteId: p.string().nullable(),
    notify: p.boolean().default(false),
    /** Same key + same owner → the same request (a retried submission is not staged twice). */
    idempotencyKey: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()).index(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    cancelledAt: p.datetime().nullable(),
    filesTotal: p.integer().default(0),
    filesDone: p.integer().default(0),
    filesSkipped: p.integer().default(0),
    filesFailed: p.integer().default(0),
    filesCancelled: p.integer().default(0),
    bytesTotal: p.bigint('number').default(0),
    bytesDone: p.bigint('number').default(0),
    expiresAt: p.datetime().nullable(),
    /** When the results were removed (modules/lifecycle): expired, evicted, purged or deleted. */
    expiredAt: p.datetime().nullable().index(),
    /** Why: EXPIRED, EVICTED, PURGED or DELETED. */
    expiryReason: p.string().nullable(),
    /** Last use of the results (finish, download, extension): eviction takes the least recent first. */
    lastAccessedAt: p.datetime().nullable(),
    /** When the owner was warned of the current expiry (cleared when it is extended). */
    expiryWarnedAt: p.datetime().nullable(),
    /** Bumped to revoke every download link of the request at once. */
    linkVersion: p.integer().default(1),
  },
  uniques: [{ properties: ['owner', 'idempotencyKey'] }],
});

export class StagingRequest extends StagingRequestSchema.class {}
StagingRequestSchema.setClass(StagingRequest);
