import type { EntityManager } from '@mikro-orm/postgresql';
import { StagedFile } from '../staging/staged-file.entity';
import type { StagingRequest } from '../staging/staging-request.entity';
import { RequestMacaroon } from '../dcache/request-macaroon.entity';

const MAX_LINES = 50;

function listed(title: string, lines: string[], total: number): string[] {
  if (!total) return [];
  const more = total > lines.length ? [`  … and ${total - lines.length} more (see the request page)`] : [];
  return [`${title} (${total}):`, ...lines.map((l) => `  ${l}`), ...more, ''];
}

/**
 * The `details` of the request-finished email (StageIT's notification): which files are online
 * and which failed, and for DCACHE_STAGE how to read them with the request's macaroons. The
 * macaroons themselves are not mailed (a bearer secret in a mailbox outlives its purpose): the
 * owner copies them from the request page, which only they can see.
 */
export async function requestFinishedDetails(em: EntityManager, request: StagingRequest): Promise<string> {
  const out: string[] = [];
  const failedTotal = await em.count(StagedFile, { request: request.id, status: 'FAILED' });
  const failed = await em.find(StagedFile, { request: request.id, status: 'FAILED' }, { orderBy: { seq: 'asc' }, limit: MAX_LINES });
  if (request.method === 'DCACHE_STAGE') {
    const onlineTotal = await em.count(StagedFile, { request: request.id, status: 'DONE' });
    const online = await em.find(StagedFile, { request: request.id, status: 'DONE' }, { orderBy: { seq: 'asc' }, limit: MAX_LINES });
    out.push(...listed('Online', online.map((f) => f.accessUrl ?? f.source), onlineTotal));
  }
  out.push(...listed('Failed', failed.map((f) => `${f.source} — ${f.errorMessage ?? f.errorCode ?? 'failed'}`), failedTotal));
  if (request.method === 'DCACHE_STAGE') {
    const macaroons = await em.find(RequestMacaroon, { request: request.id }, { orderBy: { siteId: 'asc' } });
    if (macaroons.length) {
      out.push(
        'How to read the online files: copy your macaroon for each site from the request page',
        ...macaroons.map((m) => `  (site ${m.siteId}, ${m.rootCaveat}: valid until ${m.validUntil.toISOString()})`),
        'and use it as a bearer token, for example:',
        '  curl -H "Authorization: Bearer $MACAROON" -O <file URL>',
        '  rclone copyurl --header "Authorization: Bearer $MACAROON" <file URL> .',
        '',
      );
    }
  }
  return out.join('\n').trimEnd();
}
