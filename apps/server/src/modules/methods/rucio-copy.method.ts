import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from '@stagecoach/storage';
import type { StagedFileErrorCode } from '@stagecoach/domain';
import { readCredentials } from '../../lib/peer-http';
import { RucioClient, RucioError } from '../rucio/rucio.client';
import type { RucioSiteConfig } from '../sites/sites.config';
import { routeSource } from '../sites/url-routing';
import type { UrlMethod } from './method';
import { claimForCancel, RemoteOperation } from './remote-operation.entity';
import { isRetryable, type RemoteBatch, type RemoteCancel, type RemoteFile, type RemoteFileUpdate } from './remote-batch';

const MAX_POLL_FAILURES = 8;
const TERMINAL = new Set(['DONE', 'FAILED', 'CANCELLED', 'SKIPPED']);

interface Item {
  file: RemoteFile;
  scope: string;
  name: string;
  bytes: number | null;
  op: RemoteOperation | null;
  status: string;
  key: string;
}

/** Rucio exceptions → our closed file error codes, with a message that says what to do. */
export function rucioFileError(e: unknown, did: string, site: RucioSiteConfig): { code: StagedFileErrorCode; message: string } {
  if (e instanceof RucioError) {
    switch (e.exceptionClass) {
      case 'DuplicateRule':
        return { code: 'TARGET_EXISTS', message: `A replication rule for ${did} to ${site.rseExpression} already exists in Rucio (DuplicateRule); no new rule was created. Use the existing rule or ask its owner.` };
      case 'InsufficientAccountLimit':
      case 'InsufficientQuota':
        return { code: 'QUOTA_EXCEEDED', message: `The Rucio account ${site.account} has no quota left at ${site.rseExpression} (${e.exceptionClass}).` };
      case 'DataIdentifierNotFound':
        return { code: 'SOURCE_NOT_FOUND', message: `Rucio does not know ${did}.` };
      default:
        return { code: 'TRANSFER_FAILED', message: `Rucio refused the rule (${e.exceptionClass}): ${e.message}` };
    }
  }
  if (e instanceof StorageError) return { code: e.code, message: e.message };
  return { code: 'TRANSFER_FAILED', message: 'The Rucio rule failed unexpectedly; an administrator can see the details.' };
}

function progress(item: Item, u: RemoteFileUpdate, b: RemoteBatch): boolean {
  const key = `${u.status}/${u.bytesDone ?? ''}`;
  if (item.key === key) return false;
  item.key = key;
  item.status = u.status;
  b.report(item.file.id, u);
  return true;
}

/** One Rucio site of a RUCIO_COPY request: one rule per DID, followed by lock counts until OK. */
async function runSite(b: RemoteBatch, site: RucioSiteConfig, items: Item[]): Promise<void> {
  const creds = await readCredentials(site.credentialsFile);
  if (!creds.user || creds.password === undefined) throw new StorageError('SITE_UNAVAILABLE', 'The Rucio credentials file must hold "username:password".', { retryable: false });
  const rucio = new RucioClient({ serverUrl: site.serverUrl, authUrl: site.authUrl, account: site.account, username: creds.user, password: creds.password }, b.fetch);
  const em = b.em.fork();
  const ops = await em.find(RemoteOperation, { request: b.request.id, siteId: site.id, kind: 'RUCIO_RULE', state: 'ACTIVE' });
  for (const op of ops) for (const i of items) if (op.fileIds.includes(i.file.id)) i.op = op;

  for (const i of items.filter((x) => !x.op)) {
    if (b.signal.aborted) break;
    const did = `${i.scope}:${i.name}`;
    try {
      i.bytes = await rucio.didBytes(i.scope, i.name);
      const ruleId = await rucio.addRule({ scope: i.scope, name: i.name, rseExpression: site.rseExpression, lifetime: site.ruleLifetimeSeconds, notify: site.notify, comment: `stagecoach request ${b.request.id} file ${i.file.id}` });
      // Stored at once: a job that runs again follows this rule instead of hitting DuplicateRule.
      i.op = em.create(RemoteOperation, { request: b.request.id, siteId: site.id, kind: 'RUCIO_RULE', remoteId: ruleId, fileIds: [i.file.id], createdAt: b.clock.now() });
      await em.flush();
      b.log('INFO', `${did}: Rucio rule ${ruleId} created (${site.rseExpression})`, i.file.id);
      progress(i, { status: 'RUNNING', sizeBytes: i.bytes, bytesDone: 0 }, b);
    } catch (e) {
      const err = rucioFileError(e, did, site);
      progress(i, { status: 'FAILED', error: { ...err, cause: e } }, b);
    }
  }

  try {
    let delay = site.pollMinMs;
    let failures = 0;
    for (;;) {
      let changed = false;
      for (const i of items.filter((x) => x.op?.state === 'ACTIVE')) {
        const op = i.op!;
        let rule;
        try {
          rule = await rucio.getRule(op.remoteId);
          failures = 0;
        } catch (e) {
          if (b.signal.aborted || !isRetryable(e) || ++failures >= MAX_POLL_FAILURES) throw e;
          continue;
        }
        if (i.bytes === null && i.file.sizeBytes) i.bytes = i.file.sizeBytes;
        if (!rule) {
          changed = progress(i, { status: 'FAILED', error: { code: 'TRANSFER_FAILED', message: `Rucio rule ${op.remoteId} no longer exists (deleted outside Stagecoach?).` } }, b) || changed;
        } else {
          const total = rule.locks_ok_cnt + rule.locks_replicating_cnt + rule.locks_stuck_cnt;
          const bytesDone = i.bytes && total ? Math.floor((i.bytes * rule.locks_ok_cnt) / total) : 0;
          if (rule.state === 'OK') changed = progress(i, { status: 'DONE', sizeBytes: i.bytes, bytesDone: i.bytes ?? 0 }, b) || changed;
          else if (rule.state === 'SUSPENDED') changed = progress(i, { status: 'FAILED', error: { code: 'TRANSFER_FAILED', message: `Rucio suspended rule ${op.remoteId}${rule.error ? `: ${rule.error}` : '.'}` } }, b) || changed;
          else {
            if (rule.state === 'STUCK' && !i.key.startsWith('RUNNING')) b.log('WARN', `${i.scope}:${i.name}: Rucio rule ${op.remoteId} is stuck; Rucio keeps retrying`, i.file.id);
            changed = progress(i, { status: 'RUNNING', sizeBytes: i.bytes, bytesDone }, b) || changed;
          }
        }
        if (TERMINAL.has(i.status)) {
          op.state = 'FINISHED';
          op.finishedAt = b.clock.now();
        }
      }
      await em.flush();
      if (!items.some((x) => x.op?.state === 'ACTIVE')) break;
      delay = changed ? site.pollMinMs : Math.min(site.pollMaxMs, Math.ceil(delay * 1.5));
      await sleep(delay, undefined, { signal: b.signal });
    }
  } catch (e) {
    if (!b.signal.aborted) throw e;
    // Cancel = delete the rules this request created (Rucio then cleans up what they replicated).
    for (const i of items.filter((x) => x.op?.state === 'ACTIVE')) {
      // Claimed first: the cancel job may be deleting the same rule.
      if (await claimForCancel(em, i.op!, b.clock.now())) {
        await rucio.deleteRule(i.op!.remoteId).catch((err: unknown) => b.log('ERROR', `deleting Rucio rule ${i.op!.remoteId} failed: ${(err as Error).message}`, i.file.id));
      }
      progress(i, { status: 'CANCELLED', error: { code: 'CANCELLED', message: 'Cancelled; the Rucio rule was deleted.' } }, b);
    }
    for (const i of items) if (!TERMINAL.has(i.status)) progress(i, { status: 'CANCELLED', error: { code: 'CANCELLED', message: 'Cancelled before a rule was created.' } }, b);
    await em.flush();
  }
}

async function cancelRequest(ctx: RemoteCancel): Promise<void> {
  const em = ctx.em.fork();
  const ops = await em.find(RemoteOperation, { request: ctx.requestId, kind: 'RUCIO_RULE', state: 'ACTIVE' });
  for (const siteId of new Set(ops.map((o) => o.siteId))) {
    const site = ctx.sites.find((s): s is RucioSiteConfig => s.id === siteId && s.kind === 'RUCIO');
    if (!site) {
      ctx.log('ERROR', `site ${siteId} is no longer configured; its Rucio rules cannot be deleted`);
      continue;
    }
    const creds = await readCredentials(site.credentialsFile);
    const rucio = new RucioClient({ serverUrl: site.serverUrl, authUrl: site.authUrl, account: site.account, username: creds.user ?? '', password: creds.password ?? '' }, ctx.fetch);
    for (const op of ops.filter((o) => o.siteId === siteId)) {
      if (!(await claimForCancel(em, op, ctx.clock.now()))) continue;
      await rucio.deleteRule(op.remoteId).then(
        () => ctx.log('WARN', `Rucio rule ${op.remoteId} deleted`),
        (err: unknown) => ctx.log('ERROR', `deleting Rucio rule ${op.remoteId} failed: ${(err as Error).message}`),
      );
    }
  }
}

async function runBatch(b: RemoteBatch): Promise<void> {
  const bySite = new Map<string, { site: RucioSiteConfig; items: Item[] }>();
  for (const file of b.files) {
    const routed = routeSource(b.sites, 'RUCIO', file.source);
    if (!routed) {
      b.report(file.id, { status: 'FAILED', error: { code: 'SOURCE_NOT_FOUND', message: 'No configured Rucio site takes this DID any more.' } });
      continue;
    }
    const colon = routed.path.indexOf(':');
    const group = bySite.get(routed.site.id) ?? { site: routed.site, items: [] };
    group.items.push({ file, scope: routed.path.slice(0, colon), name: routed.path.slice(colon + 1), bytes: file.sizeBytes || null, op: null, status: file.status, key: '' });
    bySite.set(routed.site.id, group);
  }
  await Promise.all(
    [...bySite.values()].map(({ site, items }) =>
      runSite(b, site, items).catch((e: unknown) => {
        if (b.signal.aborted) return;
        b.log('ERROR', `${site.name ?? site.id}: ${(e as Error).message}`);
        for (const i of items) if (!TERMINAL.has(i.status)) progress(i, { status: 'FAILED', error: { ...rucioFileError(e, `${i.scope}:${i.name}`, site), cause: e } }, b);
      }),
    ),
  );
}

/**
 * RUCIO_COPY: replicates `scope:name` DIDs to the site's RSE expression with one Rucio
 * rule per DID, following the rule's lock counts into progress; cancel deletes the rules.
 */
export const rucioCopy: UrlMethod = {
  method: 'RUCIO_COPY',
  kind: 'url',
  remote: { siteKind: 'RUCIO', targetOf: (site) => (site.kind === 'RUCIO' ? site.rseExpression : ''), runBatch, cancelRequest },
};
