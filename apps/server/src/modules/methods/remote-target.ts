import type { LogLevel } from '@stagecoach/domain';
import type { Config } from '../../config/env';
import type { DeliverySite, DeliverySiteKind } from '../sites/sites.service';
import type { User, UsernameOrigin } from '../users/user.entity';
import type { TransferJob, TransferOutcome } from './method';

/** Who the files are for, as a remote site needs to know it (hub user mapping, key prefix). */
export interface DeliveryOwner {
  id: string;
  username: string;
  email: string;
  /** Whether the identity provider vouched for the email address. */
  emailVerified: boolean;
  /** Whether the username is the name it was made from (see UsernameOrigin); null when unknown. */
  usernameOrigin: UsernameOrigin | null;
  oidcSubject: string | null;
}

export const deliveryOwner = (
  u: Pick<User, 'id' | 'username' | 'email' | 'emailVerified' | 'usernameOrigin' | 'oidcSubject'>,
): DeliveryOwner => ({
  id: u.id,
  username: u.username,
  email: u.email,
  emailVerified: u.emailVerified,
  usernameOrigin: u.usernameOrigin ?? null,
  oidcSubject: u.oidcSubject ?? null,
});

/** What a remote-target method gets once per batch, before its files move. */
export interface DeliveryBatch<K extends DeliverySiteKind = DeliverySiteKind> {
  requestId: string;
  owner: DeliveryOwner;
  /** The request's target site (chosen and checked by the staging service). */
  site: DeliverySite<K>;
  /** For the site's secrets (`readSecret`). */
  config: Pick<Config, 'readSecretEnv'>;
  /** Aborted when the request is cancelled. */
  signal: AbortSignal;
  /** A line in the request's live log (e.g. the spawn progress of a Jupyter server). */
  log(level: LogLevel, message: string, fileId?: string): void;
}

/** A batch's connection to the remote site: transfers its files, then is closed. */
export interface DeliverySession {
  transfer(job: TransferJob): Promise<TransferOutcome>;
  close(): Promise<void>;
}

/**
 * How a method with a remote target (JUPYTER_COPY → a JUPYTERHUB site, S3_COPY → an S3 site)
 * plugs into the engine: the staging service picks the site by `siteKind` (or the request's
 * `targetSiteId`) and asks `checkTarget` about every target before queuing anything; the worker
 * calls `open` once per batch (start the user's server, build a client) and transfers each file
 * through the session. The method is offered only when a site of `siteKind` is configured.
 */
export interface RemoteDelivery<K extends DeliverySiteKind = DeliverySiteKind> {
  readonly siteKind: K;
  /** Why the remote side cannot take `target` (e.g. a key too long), or null; checked before queuing. */
  checkTarget?(site: DeliverySite<K>, owner: DeliveryOwner, target: string): string | null;
  open(batch: DeliveryBatch<K>): Promise<DeliverySession>;
}
