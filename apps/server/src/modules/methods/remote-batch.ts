import type { EntityManager } from '@mikro-orm/postgresql';
import type { StagedFileErrorCode, FileStatus, LogLevel } from '@stagecoach/domain';
import type { Config } from '../../config/env';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { Fetch } from '../../lib/peer-http';
import type { MacaroonsService } from '../dcache/macaroons.service';
import type { SiteConfig } from '../sites/sites.config';
import type { UrlSiteKind } from '../sites/url-routing';

export interface RemoteFile {
  id: string;
  /** The archive URL or DID exactly as submitted. */
  source: string;
  target: string;
  status: FileStatus;
  sizeBytes: number | null;
  attempts: number;
}

export interface RemoteFileUpdate {
  status: 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED' | 'CANCELLED';
  sizeBytes?: number | null;
  bytesDone?: number;
  accessUrl?: string | null;
  error?: { code: StagedFileErrorCode; message: string; cause?: unknown };
}

/**
 * What a URL-sourced method gets for one job: every file of the request that is still active
 * (the engine queues URL-sourced requests as a single job, so per-request work such as one tape
 * request or one macaroon per site happens once), plus ways to report per file and to log.
 * The method must be idempotent: the job may run again after a crash, and must then follow the
 * remote work it stored (RemoteOperation) instead of submitting it again.
 */
export interface RemoteBatch {
  request: { id: string; ownerId: string; ownerUsername: string };
  files: RemoteFile[];
  /** A fork for this job. */
  em: EntityManager;
  config: Config;
  clock: Clock;
  sites: readonly SiteConfig[];
  fetch: Fetch;
  logger: Logger;
  /** The request's macaroons (DCACHE_STAGE stores the one it obtains per site). */
  macaroons: MacaroonsService;
  /** Aborted when the request is cancelled: the method cancels its remote work and returns. */
  signal: AbortSignal;
  report(fileId: string, update: RemoteFileUpdate): void;
  log(level: LogLevel, message: string, fileId?: string): void;
}


/** Whether an error is worth another try (peer unreachable, 5xx). */
export const isRetryable = (e: unknown): boolean => typeof e === 'object' && e !== null && 'retryable' in e && (e as { retryable?: boolean }).retryable === true;

/** How a URL-sourced method is wired: which sites route its sources, and its per-request runner. */
export interface RemoteSourcing {
  siteKind: UrlSiteKind;
  /** Target shown for each planned file (e.g. the namespace path, or the RSE expression). */
  targetOf(site: SiteConfig, routedPath: string): string;
  runBatch(batch: RemoteBatch): Promise<void>;
  /**
   * Cancels at the peers what a cancelled request still has there (tape requests, rules), for when
   * no job is following it (e.g. its worker died). Idempotent: each remote operation is claimed
   * (ACTIVE → CANCELLED) before the peer is called, so it is cancelled once.
   */
  cancelRequest(ctx: RemoteCancel): Promise<void>;
  /**
   * Releases what a finished request still holds at the peers (pins) and forgets its remote
   * requests there, when its results expire or are deleted. Idempotent, like `cancelRequest`.
   */
  releaseRequest?(ctx: RemoteCancel): Promise<void>;
}

export type RemoteCancel = Pick<RemoteBatch, 'em' | 'config' | 'clock' | 'sites' | 'fetch' | 'logger'> & {
  requestId: string;
  log(level: LogLevel, message: string): void;
};
