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

/**
 * A staging method. The engine validates, confines paths, schedules, retries transient errors,
 * records outcomes and publishes progress; a method only moves one file. Later methods (Jupyter,
 * S3, dCache, Rucio) implement the same interface.
 */
export interface StagingMethodHandler {
  readonly method: StagingMethod;
  /**
   * Whether items land in a user area on a POSIX target site (LOCAL_*), on a remote target site
   * through `delivery` (JUPYTER_COPY, S3_COPY), or nowhere (download).
   */
  readonly target: 'user-area' | 'none' | 'remote';
  /** For `remote` targets: the kind of site, the target check and the per-batch session (see remote-target.ts). */
  readonly delivery?: RemoteDelivery;
  /**
   * Where sources come from. `posix` (default): paths relative to a POSIX source site, one
   * `transfer` per file. `url`: absolute archive URLs or DIDs routed to a site by its URL pattern
   * (DCACHE_STAGE, RUCIO_COPY); the engine then runs `remote.runBatch` once per request instead
   * of `transfer` per file.
   */
  readonly source?: 'posix' | 'url';
  readonly remote?: RemoteSourcing;
  transfer(job: TransferJob): Promise<TransferOutcome>;
}
