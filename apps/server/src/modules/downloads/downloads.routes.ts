import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Router, type Request, type Response } from 'express';
import { identityOf, resolveInside } from '@stagecoach/storage';
import type { Container } from '../../container';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { datedTarName, streamRequestTar } from './tar-bundle';

function fail(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ error: { code, message } });
}

/** `stagecoach_YYYY_MM_DD_HH_MM_SS.tar` (UTC). */
export const bundleName = (at: Date): string => datedTarName('stagecoach', at);

/**
 * `/download/:token`: a signed link to one staged file (Range, HEAD, ETag via `send`) or to a
 * whole request, streamed as a tar bundle file by file — memory stays flat whatever the size.
 */
export function downloadRoutes(orm: MikroORM, c: Container): Router {
  const router = Router();
  const handler = async (req: Request, res: Response) => {
    const verdict = c.links.verify(String(req.params.token), c.clock.now().getTime());
    if (!verdict.ok) {
      return verdict.reason === 'expired' ? fail(res, 410, 'NOT_FOUND', 'This download link has expired.') : fail(res, 403, 'FORBIDDEN', 'This download link is not valid.');
    }
    const { claims } = verdict;
    const em = orm.em.fork();
    const request = await em.findOne(StagingRequest, { id: claims.r }, { populate: ['owner'] });
    if (!request || request.linkVersion !== claims.v || !['SUCCEEDED', 'PARTIALLY_SUCCEEDED'].includes(request.status)) {
      return fail(res, 410, 'NOT_FOUND', 'This download is no longer available.');
    }
    // A link speaks for its owner: it stops with their account.
    if (request.owner.status !== 'ACTIVE') return fail(res, 403, 'FORBIDDEN', 'The account this download belongs to is disabled.');
    const site = c.sites.source(request.sourceSiteId);

    const single = claims.f
      ? await em.findOne(StagedFile, { id: claims.f, request: request.id, status: 'DONE' })
      : request.filesDone === 1
        ? await em.findOne(StagedFile, { request: request.id, status: 'DONE' })
        : null;
    if (claims.f && !single) return fail(res, 410, 'NOT_FOUND', 'This file is no longer available.');

    if (single) {
      // The path is re-confined at download time: the archive may have changed since staging.
      const abs = await resolveInside(site.root, single.source).catch(() => null);
      if (!abs) return fail(res, 410, 'NOT_FOUND', 'The file is no longer in the archive.');
      return sendFile(req, res, abs, path.posix.basename(single.target));
    }

    res.setHeader('Content-Type', 'application/x-tar');
    res.setHeader('Content-Disposition', `attachment; filename="${bundleName(request.createdAt)}"`);
    res.setHeader('ETag', `"bundle-${request.id}-${request.linkVersion}"`);
    res.setHeader('Accept-Ranges', 'none');
    res.setHeader('Cache-Control', 'private, no-transform');
    if (req.method === 'HEAD') return void res.end();

    await streamRequestTar(orm, c, res, request);
  };
  router.get('/download/:token', (req, res, next) => void handler(req, res).catch(next));
  router.head('/download/:token', (req, res, next) => void handler(req, res).catch(next));
  return router;
}

/**
 * One file, read live from the archive: opened once, and everything (ETag, Last-Modified,
 * length, ranges, bytes) comes from that open file. The ETag derives from the file's identity
 * (device, inode, size, mtime), so a rewrite gives a new one; a range is served only under
 * `If-Range` with exactly the current ETag, never under a date, so no client splices two versions.
 */
async function sendFile(req: Request, res: Response, abs: string, name: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(abs, 'r');
  } catch {
    return fail(res, 410, 'NOT_FOUND', 'The file is no longer readable.');
  }
  try {
    const st = await fh.stat({ bigint: true });
    if (!st.isFile()) return fail(res, 410, 'NOT_FOUND', 'The file is no longer readable.');
    const size = Number(st.size);
    const etag = `"${createHash('sha256').update(identityOf(st)).digest('base64url').slice(0, 32)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', new Date(Number(st.mtimeMs)).toUTCString());
    res.setHeader('Cache-Control', 'private, no-transform');
    res.setHeader('Accept-Ranges', 'bytes');
    res.attachment(name);
    if (req.fresh) return void res.status(304).end();

    let start = 0;
    let end = size - 1;
    const ifRange = req.headers['if-range'];
    if (req.headers.range && (ifRange === undefined || ifRange === etag)) {
      const ranges = req.range(size, { combine: true });
      if (ranges === -1) {
        res.setHeader('Content-Range', `bytes */${size}`);
        return fail(res, 416, 'BAD_USER_INPUT', 'The requested range is not within the file.');
      }
      // Several ranges (multipart answers) are not offered: the whole file instead.
      if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) {
        start = ranges[0]!.start;
        end = ranges[0]!.end;
        res.status(206);
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      }
    }
    res.setHeader('Content-Length', String(Math.max(end - start + 1, 0)));
    if (req.method === 'HEAD' || end < start) return void res.end();
    await pipeline(fh.createReadStream({ start, end, autoClose: false }), res).catch(() => {
      // The client went away, or the read failed mid-way: the response is cut short, never padded.
      res.destroy();
    });
  } finally {
    await fh.close().catch(() => undefined);
  }
}
