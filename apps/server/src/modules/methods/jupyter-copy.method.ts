import path from 'node:path';
import { sha256File, StorageError } from '@stagecoach/storage';
import { JupyterHubClient, type ContentModel, type JupyterContents } from '@stagecoach/storage/jupyter';
import { readSecret } from '../sites/site-secrets';
import type { JupyterHubSiteConfig } from '../sites/sites.config';
import type { DeliveryMethod, TransferJob, TransferOutcome } from './method';
import type { DeliveryBatch, DeliveryOwner, DeliverySession, RemoteDelivery } from './remote-target';

/** The hub user a Stagecoach user is on a site, or why they cannot be matched to one. */
export type HubUserMatch = { name: string } | { refused: string };

/**
 * The hub user a Stagecoach user is on this site, matched by a stable identity only: the explicit
 * map first (by verified email, then Stagecoach username), else the configured attribute. A name
 * that could belong to someone else is refused rather than guessed: an email the identity provider
 * did not verify, and a username that is not the one the person was given (sanitising `Ana!`,
 * `ana.` or `ａｎａ` gives `ana`, which may be another person's hub account).
 */
export function hubUserName(site: Pick<JupyterHubSiteConfig, 'hubUser'>, owner: DeliveryOwner, label = 'the hub'): HubUserMatch {
  const { map, from, lowercase } = site.hubUser;
  const byEmail = map[owner.email] ?? map[owner.email.toLowerCase()];
  const unverified = { refused: `Your email address is not verified by your identity provider, so it cannot name your user on ${label}; ask an administrator.` };
  if (byEmail && owner.emailVerified) return { name: byEmail };
  const byUsername = map[owner.username];
  if (byUsername) return { name: byUsername };
  if (byEmail) return unverified;
  if ((from === 'email' || from === 'email-local-part') && !owner.emailVerified) return unverified;
  if (from === 'username') {
    if (owner.usernameOrigin === 'ALTERED') {
      return { refused: `Your Stagecoach username "${owner.username}" is not the name your identity provider gave you (it was changed to be file-system safe or unique), so it may be another person's user on ${label}; ask an administrator to map your account.` };
    }
    if (owner.usernameOrigin === null) return { refused: `Stagecoach cannot tell whether your username "${owner.username}" is the one your identity provider gave you; sign in to Stagecoach again, or ask an administrator to map your account.` };
    // A username made from the email's local part is only as good as the address.
    if (owner.usernameOrigin === 'EMAIL' && !owner.emailVerified) return unverified;
  }
  const value = { username: owner.username, email: owner.email, 'email-local-part': owner.email.split('@')[0] ?? '', 'oidc-subject': owner.oidcSubject ?? '' }[from];
  if (!value) return { refused: `Your account cannot be matched to a user of ${label} (it has no ${from}); ask an administrator.` };
  return { name: lowercase ? value.toLowerCase() : value };
}

/** Where a target lands in the user's home: below the site's upload folder. */
export const jupyterPath = (site: Pick<JupyterHubSiteConfig, 'uploadDir'>, target: string) => [site.uploadDir, target].filter(Boolean).join('/');

/**
 * The upload's name until it is complete and checked: beside the target, derived from the file
 * id so a retried or resumed job overwrites its own leftover (chunk 1 truncates). Not hidden:
 * Jupyter refuses names starting with a dot.
 */
function partName(finalPath: string, fileId: string): string {
  const base = path.posix.basename(finalPath);
  const cut = Buffer.byteLength(base) > 150 ? Buffer.from(base).subarray(0, 150).toString('utf8').replace(/\uFFFD+$/, '') : base;
  const dir = path.posix.dirname(finalPath);
  return `${dir === '.' ? '' : `${dir}/`}${cut}.stagecoach-${fileId.slice(0, 8)}.part`;
}

interface HubSession {
  site: JupyterHubSiteConfig;
  hub: JupyterHubClient;
  contents: JupyterContents;
  serverPath: string;
  /** Folders known to exist on the server (asked once per batch). */
  known: Set<string>;
}

const jupyterDelivery: RemoteDelivery<'JUPYTERHUB'> = {
  siteKind: 'JUPYTERHUB',

  checkTarget(site, _owner, target) {
    const full = jupyterPath(site, target);
    if (full.split('/').some((s) => s.startsWith('.'))) return `Jupyter does not accept hidden names (starting with "."): ${JSON.stringify(target)}.`;
    return null;
  },

  async open(batch: DeliveryBatch<'JUPYTERHUB'>): Promise<DeliverySession> {
    const { site, signal } = batch;
    const label = `JupyterHub "${site.name ?? site.id}"`;
    const token = await readSecret(batch.config, site.token);
    const hub = new JupyterHubClient({ url: site.url, apiUrl: site.apiUrl, token, label });
    const match = hubUserName(site, batch.owner, label);
    if ('refused' in match) throw new StorageError('FORBIDDEN', match.refused, { retryable: false });
    const { name } = match;
    if (site.createMissingUsers && !(await hub.getUser(name, signal))) {
      await hub.createUser(name, signal);
      batch.log('INFO', `${label}: created the hub user "${name}"`);
    }
    const ensure = () =>
      hub.ensureServer(name, {
        serverName: site.serverName,
        timeoutMs: site.spawnTimeoutSeconds * 1000,
        signal,
        onEvent: (e) => batch.log(e.failed ? 'ERROR' : 'INFO', `Jupyter${typeof e.progress === 'number' ? ` (${e.progress}%)` : ''}: ${e.message}`),
      });
    const serverPath = await ensure();
    const session: HubSession = { site, hub, contents: hub.contents(serverPath), serverPath, known: new Set() };
    // When the server goes away mid-batch (an idle culler, a node restart), the engine's retry of
    // the file finds it started again; concurrent transfers share one restart.
    let restart: Promise<void> | null = null;
    let stale = false;
    return {
      async transfer(job) {
        if (stale) {
          restart ??= ensure().then((p) => {
            Object.assign(session, { serverPath: p, contents: hub.contents(p), known: new Set() });
            stale = false;
            restart = null;
          }, (err: unknown) => {
            restart = null;
            throw err;
          });
          await restart;
        }
        try {
          return await uploadOne(session, job);
        } catch (err) {
          if (err instanceof StorageError && err.code === 'SITE_UNAVAILABLE' && err.retryable) stale = true;
          throw err;
        }
      },
      close: async () => undefined,
    };
  },
};

/** Existing file at the target: identical bytes → SKIPPED, anything else → TARGET_EXISTS. */
async function existingOutcome(s: HubSession, job: TransferJob, finalPath: string, model: ContentModel): Promise<TransferOutcome> {
  const different = () => new StorageError('TARGET_EXISTS', `${job.target} already exists in your Jupyter home with different content; it was left untouched.`);
  if (model.type !== 'file') throw new StorageError('TARGET_EXISTS', `${job.target} already exists in your Jupyter home and is a folder; it was left untouched.`);
  if (model.size !== null && model.size !== job.sizeBytes) throw different();
  const sourceSha = await sha256File(job.sourcePath, job.signal);
  const remoteSha = model.hash && model.hash_algorithm?.toLowerCase() === 'sha256' ? model.hash.toLowerCase() : await s.contents.sha256(finalPath, job.signal);
  if (remoteSha !== sourceSha) throw different();
  job.onProgress(job.sizeBytes);
  return { status: 'SKIPPED', sizeBytes: job.sizeBytes, checksum: sourceSha, accessUrl: s.hub.labUrl(s.serverPath, finalPath), message: `${job.target} is already in your Jupyter home (identical), skipped` };
}

/**
 * One file: skip/refuse an existing target, create the folders, upload in chunks to a part name,
 * check size (and hash where the server offers it, or when the site asks to read it back), then
 * rename into place — the server refuses to rename over an existing file, so nothing is replaced.
 */
async function uploadOne(s: HubSession, job: TransferJob): Promise<TransferOutcome> {
  const { contents, site } = s;
  const finalPath = jupyterPath(site, job.target);
  const existing = await contents.stat(finalPath, { hash: true, signal: job.signal });
  if (existing) return existingOutcome(s, job, finalPath, existing);

  const dir = path.posix.dirname(finalPath);
  if (dir !== '.') await contents.makeDirs(dir, { signal: job.signal, known: s.known });
  const part = partName(finalPath, job.fileId);
  try {
    const up = await contents.upload(job.sourcePath, part, { chunkBytes: site.chunkSizeBytes, signal: job.signal, onProgress: job.onProgress });
    if (up.remoteSize !== null && up.remoteSize !== up.sizeBytes) {
      throw new StorageError('TRANSFER_FAILED', `Your Jupyter server stored ${up.remoteSize} bytes instead of ${up.sizeBytes}.`);
    }
    const model = await contents.stat(part, { hash: true, signal: job.signal });
    if (!model || model.size !== up.sizeBytes) throw new StorageError('TRANSFER_FAILED', 'The upload is incomplete on your Jupyter server.');
    const offered = model.hash && model.hash_algorithm?.toLowerCase() === 'sha256' ? model.hash.toLowerCase() : null;
    const remoteSha = offered ?? (site.verify === 'sha256' ? await contents.sha256(part, job.signal) : null);
    if (remoteSha !== null && remoteSha !== up.sha256) throw new StorageError('CHECKSUM_MISMATCH', 'The upload does not have the checksum of the source.');
    if (!(await contents.rename(part, finalPath, job.signal))) {
      // Another run of this job (or the user) put a file there meanwhile.
      await contents.remove(part).catch(() => undefined);
      const now = await contents.stat(finalPath, { hash: true, signal: job.signal });
      if (now) return existingOutcome(s, job, finalPath, now);
      throw new StorageError('TRANSFER_FAILED', 'Your Jupyter server refused to give the upload its name.');
    }
    return {
      status: 'DONE',
      sizeBytes: up.sizeBytes,
      checksum: up.sha256,
      accessUrl: s.hub.labUrl(s.serverPath, finalPath),
      message: `uploaded ${job.source} → ${finalPath} in your Jupyter home${remoteSha ? ' (checksum verified)' : ''}`,
    };
  } catch (err) {
    // No signal: a cancelled transfer must still clean up its partial upload.
    await contents.remove(part).catch(() => undefined);
    throw err;
  }
}

/** JUPYTER_COPY: uploads into the user's Jupyter server through JupyterHub, starting the server when needed. */
export const jupyterCopy: DeliveryMethod = {
  method: 'JUPYTER_COPY',
  kind: 'delivery',
  delivery: jupyterDelivery as RemoteDelivery,
};
