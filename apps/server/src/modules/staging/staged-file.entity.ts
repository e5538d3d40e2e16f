import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { FILE_STATUSES } from '@stagecoach/domain';
import { StagingRequest } from './staging-request.entity';

const StagedFileSchema = defineEntity({
  name: 'StagedFile',
  tableName: 'staged_files',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    request: () => p.manyToOne(StagingRequest).deleteRule('cascade'),
    /** Position in the request: stable ordering and cursor pagination. */
    seq: p.integer(),
    source: p.text(),
    target: p.text(),
    status: p.enum(FILE_STATUSES).default('PENDING'),
    sizeBytes: p.bigint('number').nullable(),
    bytesDone: p.bigint('number').default(0),
    checksum: p.string().length(64).nullable(),
    attempts: p.integer().default(0),
    errorCode: p.string().nullable(),
    errorMessage: p.text().nullable(),
    /** Short stack excerpt (≤ 2048 chars), shown to admins only. */
    errorStack: p.text().nullable(),
    workerId: p.string().nullable(),
    accessUrl: p.text().nullable(),
    /**
     * The target as staging left it, `dev:ino:size:mtimeNs` (user-area methods): expiry and
     * eviction delete only a target that still has it, never one the user changed since.
     */
    stagedIdentity: p.text().nullable(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['request', 'status'] }],
  uniques: [{ properties: ['request', 'seq'] }],
});

export class StagedFile extends StagedFileSchema.class {}
StagedFileSchema.setClass(StagedFile);
