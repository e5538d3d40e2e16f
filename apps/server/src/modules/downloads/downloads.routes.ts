import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Router, type Request, type Response } from 'express';
import { resolveInside } from '@stagecoach/storage';
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
    const request = await em.findOne(StagingRequest, { id: claims.r });
    if (!request || request.linkVersion !== claims.v || !['SUCCEEDED', 'PARTIALLY_SUCCEEDED'].includes(request.status)) {
      return fail(res, 410, 'NOT_FOUND', 'This download is no longer available.');
    }
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
      if (single.checksum) res.setHeader('ETag', `"${single.checksum}"`);
      res.setHeader('Cache-Control', 'private, no-transform');
      res.download(abs, path.posix.basename(single.target), { dotfiles: 'allow', etag: !single.checksum, lastModified: true }, (err) => {
        if (err && !res.headersSent) fail(res, 410, 'NOT_FOUND', 'The file is no longer readable.');
      });
      return;
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
