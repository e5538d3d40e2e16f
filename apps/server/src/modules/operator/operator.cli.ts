import fs from 'node:fs/promises';
import { REQUEST_STATUSES, type RequestStatus } from '@stagecoach/domain';
import { freeBytes } from '@stagecoach/storage';
import nodemailer from 'nodemailer';
import type { Container } from '../../container';
import type { Database } from '../../db/database';
import { AppError, isAppError } from '../../lib/errors';
import { DURATION_HINT, parseDuration } from '../../lib/duration';
import { queueSummary } from '../jobs/queue';
import { formatBytes, needsSpaceCheck, siteLifecycle } from '../lifecycle/lifecycle.config';
import { StagedFile } from '../staging/staged-file.entity';
import { OPERATOR } from '../staging/staging.service';

export const OPERATOR_USAGE = `  purge --older-than <30d|P30D> [--dry-run]           remove the results of requests finished before then
  requests list [--status <S>] [--email <e>] [--limit <n>]   newest first
  requests show <id>                                   one request, its failed files and its last log lines
  requests cancel <id>                                 cancel a queued or running request
  doctor                                               check database, sites, free space, IdP and SMTP
`;

export interface OperatorCliOptions {
  'older-than'?: string;
  'dry-run'?: boolean;
  status?: string;
  email?: string;
  limit?: string;
}

type Out = (line: string) => void;

/**
 * The operator commands (`purge`, `requests …`, `doctor`), run by `pnpm cli` against an open,
 * migrated database through the same services as GraphQL. `fetchImpl` is the network port of
 * `doctor` (tests pass a fake).
 */
export async function runOperatorCommand(positionals: string[], values: OperatorCliOptions, db: Database, c: Container, out: Out, fetchImpl: typeof fetch): Promise<void> {
  const [group, action, arg] = positionals;
  const em = db.orm.em.fork();
  const services = c.services(em);

  if (group === 'purge') {
    const text = values['older-than'];
    if (!text) throw new AppError('BAD_USER_INPUT', '--older-than is required, e.g. --older-than 30d');
    const olderThanMs = parseDuration(text, { unitRequired: true });
    if (olderThanMs === null) throw new AppError('BAD_USER_INPUT', `--older-than: ${DURATION_HINT} (got "${text}").`);
    const dryRun = values['dry-run'] === true;
    const { candidates, removed } = await services.lifecycle.purge({ olderThanMs, dryRun });
    for (const r of candidates) out(`${dryRun ? 'would purge' : 'purge'}\t${r.id}\t${r.owner}\t${r.method}\tfinished ${r.finishedAt.toISOString()}\t${r.filesDone} file(s)\t${formatBytes(r.bytesDone)}`);
    if (dryRun) out(`Dry run: ${candidates.length} request(s) would be purged; nothing was removed.`);
    else out(`Purged ${removed.length} request(s): ${removed.reduce((n, r) => n + r.removed, 0)} file(s), ${formatBytes(removed.reduce((n, r) => n + r.bytes, 0))} removed.`);
    return;
  }

  if (group === 'requests' && action === 'list') {
    const statuses = values.status ? values.status.toUpperCase().split(',') : [];
    const bad = statuses.filter((s) => !REQUEST_STATUSES.includes(s as RequestStatus));
    if (bad.length) throw new AppError('BAD_USER_INPUT', `--status must be among ${REQUEST_STATUSES.join(', ')} (got ${bad.join(', ')}).`);
    let ownerId: string | undefined;
    if (values.email) {
      const owner = await services.users.findByEmail(values.email);
      if (!owner) throw new AppError('NOT_FOUND', `No user with email ${values.email}.`);
      ownerId = owner.id;
    }
    const limit = values.limit ? Number(values.limit) : 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new AppError('BAD_USER_INPUT', '--limit must be between 1 and 10000.');
    const rows = await services.staging.listForOperator({ statuses: statuses as RequestStatus[], ownerId, limit });
    if (!rows.length) out('No requests.');
    for (const r of rows) {
      const state = r.expiredAt ? `${r.status} (${r.expiryReason?.toLowerCase()})` : r.status;
      out(`${r.id}\t${r.owner.email}\t${r.method}\t${state}\t${r.filesDone + r.filesSkipped}/${r.filesTotal} files\t${r.createdAt.toISOString()}\texpires ${r.expiresAt?.toISOString() ?? '-'}`);
    }
    return;
  }

  if (group === 'requests' && (action === 'show' || action === 'cancel')) {
    if (!arg) throw new AppError('BAD_USER_INPUT', `Usage: pnpm cli requests ${action} <id>`);
    const r = await services.staging.getVisible(OPERATOR, arg).catch((e: unknown) => {
      throw isAppError(e) && e.code === 'NOT_FOUND' ? new AppError('NOT_FOUND', `No staging request ${arg}.`) : e;
    });
    await em.populate(r, ['owner']);
    if (action === 'cancel') {
      const cancelled = await services.staging.cancel(OPERATOR, r.id);
      out(`Cancelled ${cancelled.id} (${cancelled.filesCancelled} file(s) not started were cancelled; running transfers stop within a second).`);
      return;
    }
    out(`id:        ${r.id}`);
    out(`owner:     ${r.owner.email} (${r.owner.username})`);
    out(`method:    ${r.method}   sites: ${r.sourceSiteId ?? r.urlSiteIds?.join(', ') ?? '-'} → ${r.targetSiteId ?? '-'}`);
    out(`status:    ${r.status}${r.expiredAt ? `, results removed ${r.expiredAt.toISOString()} (${r.expiryReason})` : ''}`);
    out(`files:     ${r.filesTotal} total, ${r.filesDone} done, ${r.filesSkipped} skipped, ${r.filesFailed} failed, ${r.filesCancelled} cancelled`);
    out(`bytes:     ${formatBytes(Number(r.bytesDone))} of ${formatBytes(Number(r.bytesTotal))}`);
    out(`created:   ${r.createdAt.toISOString()}   finished: ${r.finishedAt?.toISOString() ?? '-'}   expires: ${r.expiresAt?.toISOString() ?? '-'}`);
    const failed = await em.find(StagedFile, { request: r.id, status: 'FAILED' }, { orderBy: { seq: 'asc' }, limit: 20 });
    for (const f of failed) out(`  failed   ${f.source}: ${f.errorCode} ${f.errorMessage ?? ''}`);
    const logs = await services.logs.recent({ requestId: r.id, minLevel: 'INFO', last: 10 });
    for (const l of logs) out(`  log      ${l.at} ${l.level} ${l.message}`);
    return;
  }

  if (group === 'doctor') {
    const problems = await doctor(db, c, out, fetchImpl);
    if (problems) throw new AppError('SITE_UNAVAILABLE', `doctor: ${problems} check(s) failed.`);
    out('All checks passed.');
    return;
  }

  throw new AppError('BAD_USER_INPUT', `Unknown command "${positionals.join(' ')}".`);
}

/** One line per check: OK, WARN (works, but look) or FAIL; returns how many failed. */
async function doctor(db: Database, c: Container, out: Out, fetchImpl: typeof fetch): Promise<number> {
  let failed = 0;
  const report = (level: 'OK' | 'WARN' | 'FAIL', what: string, detail: string) => {
    if (level === 'FAIL') failed++;
    out(`${level.padEnd(4)}  ${what.padEnd(22)} ${detail}`);
  };
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      report('FAIL', what, e instanceof Error ? e.message : String(e));
    }
  };

  await attempt('database', async () => {
    const [row] = await db.orm.em.getConnection().execute<{ v: string }[]>('select version() v');
    const pending = await db.orm.migrator.getPending();
    report(pending.length ? 'FAIL' : 'OK', 'database', `${row?.v.split(' ').slice(0, 2).join(' ')}; ${pending.length ? `${pending.length} migration(s) pending (pnpm cli migrate)` : 'migrations applied'}`);
    const jobs = await queueSummary(db.orm.em.fork());
    report(jobs.failed ? 'WARN' : 'OK', 'job queue', `${jobs.waiting} job(s) waiting, ${jobs.failed} failed permanently`);
  });

  for (const site of c.sites.sites) {
    const what = `site ${site.id}`;
    await attempt(what, async () => {
      if ('root' in site && typeof site.root === 'string') {
        const st = await fs.stat(site.root).catch(() => null);
        if (!st?.isDirectory()) return report('FAIL', what, `root ${site.root} is not a folder`);
        const writable = site.roles.includes('target');
        await fs.access(site.root, writable ? fs.constants.R_OK | fs.constants.W_OK : fs.constants.R_OK).catch(() => {
          throw new Error(`root ${site.root} is not ${writable ? 'readable and writable' : 'readable'} by this process`);
        });
        const free = await freeBytes(site.root);
        let detail = `${site.kind} ${site.root}: ${formatBytes(free)} free`;
        let level: 'OK' | 'WARN' = 'OK';
        if (site.kind === 'POSIX' && writable) {
          const lc = siteLifecycle(site, c.config);
          if (needsSpaceCheck(lc)) {
            const held = await c.space.held(db.orm.em.fork(), site.id);
            detail += `; staged copies hold ${formatBytes(held)}${lc.capacityBytes !== null ? ` of ${formatBytes(lc.capacityBytes)}` : ''}${lc.cache ? ' (cache: evicts when short)' : ''}`;
          }
          if (free - lc.reserveBytes < 1024 ** 3) level = 'WARN';
        }
        return report(level, what, detail);
      }
      const url = ['webdavUrl', 'serverUrl', 'endpoint', 'hubUrl', 'url'].map((k) => (site as Record<string, unknown>)[k]).find((v): v is string => typeof v === 'string');
      if (!url) return report('WARN', what, `${site.kind}: nothing to probe`);
      const res = await fetchImpl(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
      report(res.status < 500 ? 'OK' : 'FAIL', what, `${site.kind} ${url} answered HTTP ${res.status}`);
    });
  }

  await attempt('identity provider', async () => {
    if (!c.config.oidc) return report(c.config.isProduction ? 'FAIL' : 'WARN', 'identity provider', 'OIDC_ISSUER is unset: the built-in development IdP is used (never in production)');
    const url = `${c.config.oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(5000) });
    const body = res.ok ? ((await res.json()) as { issuer?: string; authorization_endpoint?: string }) : null;
    if (!body?.authorization_endpoint) return report('FAIL', 'identity provider', `${url} answered HTTP ${res.status} without a discovery document`);
    report('OK', 'identity provider', `${body.issuer ?? c.config.oidc.issuer} (discovery document found)`);
  });

  await attempt('smtp', async () => {
    if (!c.config.smtpUrl) return report('WARN', 'smtp', 'SMTP_URL is unset: mails are written to the log and kept in the outbox');
    const transport = nodemailer.createTransport({ url: c.config.smtpUrl, connectionTimeout: 5000, greetingTimeout: 5000 });
    try {
      await transport.verify();
      report('OK', 'smtp', `${new URL(c.config.smtpUrl).host} accepts connections`);
    } finally {
      transport.close();
    }
  });
  return failed;
}
