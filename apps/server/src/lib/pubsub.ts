import { createPubSub, type PubSub as YogaPubSub } from '@graphql-yoga/subscription';
import type { FileStatus, LogLevel, RequestStatus, StagingMethod } from '@stagecoach/domain';

/** What subscribers of one request receive: a plain, serialisable snapshot (it may cross processes). */
export interface RequestSnapshot {
  id: string;
  ownerId: string;
  method: StagingMethod;
  status: RequestStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  expiresAt: string | null;
  filesTotal: number;
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  filesCancelled: number;
  bytesTotal: number;
  bytesDone: number;
  linkVersion: number;
}

export interface LogEvent {
  id: string;
  at: string;
  level: LogLevel;
  message: string;
  requestId: string | null;
  fileId: string | null;
  userId: string | null;
}

export interface FileEvent {
  requestId: string;
  fileId: string;
  status: FileStatus;
}

/** Typed topics. `request:updated` is keyed by request id so subscribers get only their request. */
export type Topics = {
  'request:updated': [requestId: string, payload: RequestSnapshot];
  'log:appended': [payload: LogEvent];
};

export type PubSub = YogaPubSub<Topics>;

/**
 * In-process pub/sub (one replica). Several replicas plug a PostgreSQL LISTEN/NOTIFY or Redis
 * event target in here; publishers and subscribers do not change.
 */
export function createInProcessPubSub(): PubSub {
  return createPubSub<Topics>();
}
