import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { StagingRequest } from '../staging/staging-request.entity';

export const REMOTE_OPERATION_KINDS = ['TAPE_STAGE', 'RUCIO_RULE'] as const;
export type RemoteOperationKind = (typeof REMOTE_OPERATION_KINDS)[number];
export const REMOTE_OPERATION_STATES = ['ACTIVE', 'FINISHED', 'CANCELLED'] as const;

/**
 * Work a URL-sourced method started at a peer on behalf of a request: a WLCG tape stage request
 * (one per site per request) or a Rucio rule (one per DID). Stored before the job waits on it, so
 * a job that runs twice (crash, retry) follows the same remote work instead of submitting again,
 * and cancelling the request can cancel it at the peer.
 */
const RemoteOperationSchema = defineEntity({
  name: 'RemoteOperation',
  tableName: 'remote_operations',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    request: () => p.manyToOne(StagingRequest).deleteRule('cascade'),
    siteId: p.string(),
    kind: p.enum(REMOTE_OPERATION_KINDS),
    /** The peer's id: tape request id or Rucio rule id. */
    remoteId: p.string(),
    /** Staged files this operation covers. */
    fileIds: p.json<string[]>(),
    state: p.enum(REMOTE_OPERATION_STATES).default('ACTIVE'),
    createdAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
    /** When what it holds at the peer (pins) was released and the remote request deleted: on cancel, expiry or deletion of the request. */
    releasedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['request', 'siteId'] }],
});

export class RemoteOperation extends RemoteOperationSchema.class {}
RemoteOperationSchema.setClass(RemoteOperation);

/** Claims an active operation for cancelling: true for exactly one caller (conditional update). */
export async function claimForCancel(em: EntityManager, op: RemoteOperation, now: Date): Promise<boolean> {
  const n = await em.nativeUpdate(RemoteOperation, { id: op.id, state: 'ACTIVE' }, { state: 'CANCELLED', finishedAt: now });
  op.state = 'CANCELLED';
  op.finishedAt = now;
  return n === 1;
}
