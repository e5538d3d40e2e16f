import type { StagingMethod } from '@stagecoach/domain';
import type { PosixSiteConfig } from '../sites/sites.config';
import type { RemoteSourcing } from './remote-batch';
import type { RemoteDelivery } from './remote-target';

/** One file to transfer, with its paths already resolved and confined by the staging service. */
export interface TransferJob {
  fileId: string;
  requestId: string;
  /** Relative paths as the user sees them. */
  source: string;
  target: string;
  /** Absolute, confined source path. */
  sourcePath: string;
  /** Absolute, confined target path (null for methods without a target, e.g. DIRECT_DOWNLOAD). */
  targetPath: string | null;
  sourceSite: PosixSiteConfig;
  /** Known size of the source (from validation). */
  sizeBytes: number;
  /** True when a previous attempt was interrupted (crash): leftovers must be swept first. */
  resumed: boolean;
  signal: AbortSignal;
  onProgress(bytesDone: number): void;
  /**
   * When given, a method that creates names in `targetPath`'s folder hands the folder fsync to
   * the engine (see `DeferDirectorySync` in @stagecoach/storage): the engine fsyncs each folder
   * once per progress flush, before it records the files as DONE.
   */
  deferDirectorySync?: (dir: string) => void;
}

export interface TransferOutcome {
  status: 'DONE' | 'SKIPPED';
  sizeBytes: number;
  /** SHA-256 hex of the staged bytes, when the method reads them. */
  checksum: string | null;
  accessUrl?: string | null;
  /** One line for the live log. */
  message: string;
}

interface MethodBase {
  readonly method: StagingMethod;
}

/**
 * Moves one file at a time from a POSIX source site, either into the owner's area on a POSIX
 * target site (LOCAL_COPY, LOCAL_SYMLINK, LOCAL_HARDLINK: `targetPath` is set) or nowhere
 * (DIRECT_DOWNLOAD: the file is checked and later streamed from the source). The engine
 * validates, confines paths, schedules, retries transient errors and records outcomes.
 */
export interface FileMethod extends MethodBase {
  readonly kind: 'file';
  readonly target: 'user-area' | 'none';
  transfer(job: TransferJob): Promise<TransferOutcome>;
  /**
   * Removes what an interrupted transfer of this file may have left at its target (e.g. a
   * partial copy), for a file given up without a transfer: its request was cancelled while the
   * worker that ran it was dead. Absent when a method leaves nothing behind.
   */
  discard?(job: { fileId: string; targetPath: string }): Promise<void>;
}

/**
 * Moves files from a POSIX source site to a remote target site (JUPYTER_COPY, S3_COPY) through a
 * session the engine opens once per batch (see remote-target.ts).
 */
export interface DeliveryMethod extends MethodBase {
  readonly kind: 'delivery';
  readonly delivery: RemoteDelivery;
}

/**
 * Works on absolute archive URLs or DIDs routed to WEBDAV/RUCIO sites by URL pattern
 * (DCACHE_STAGE, RUCIO_COPY); the engine runs it once per request over all its files
 * (see remote-batch.ts), since tape requests and macaroons are per request and site.
 */
export interface UrlMethod extends MethodBase {
  readonly kind: 'url';
  readonly remote: RemoteSourcing;
}

/** A staging method: the `kind` tells the staging service and the worker which shape it has. */
export type StagingMethodHandler = FileMethod | DeliveryMethod | UrlMethod;
