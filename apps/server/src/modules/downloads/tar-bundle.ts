import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import { resolveInside } from '@stagecoach/storage';
import type { Response } from 'express';
import tar from 'tar-stream';
import type { Container } from '../../container';
import { StagedFile } from '../staging/staged-file.entity';
import type { StagingRequest } from '../staging/staging-request.entity';

/** Files read from the database per page: memory stays flat whatever the request's size. */
const PAGE = 500;

/**
 * Read size for bundle entries. The default 64 KiB chunks each take a trip through tar-stream
 * (streamx) and the response: bench tar-2g streamed 0.3 GB/s; 256 KiB gave ~1.3× that.
 */
const READ_CHUNK = 256 * 1024;
/** Read buffers per download (2 MiB): reading waits while all of them are queued for the socket. */
const BUFFERS_PER_DOWNLOAD = 8;

/**
 * The read buffers of one download, reused once the socket has taken their bytes. Why: with a
 * fresh buffer per read, freed memory comes back only when V8 next collects, which its
 * external-memory accounting puts off until ~64 MB have piled up, and glibc then keeps much of it
 * (bench tar-2g: RSS grew 70–106 MB, more run after run). Chunks travel unchanged through
 * tar-stream to `res.write`, whose callback gives them back here.
 */
class ReadBuffers {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((b: Buffer) => void)[] = [];
  /** Chunk handed out (the buffer or a view of its start) → its buffer. */
  private readonly lent = new WeakMap<object, Buffer>();
  private made = 0;

  take(): Promise<Buffer> {
    const b = this.free.pop();
    if (b) return Promise.resolve(b);
    if (this.made < BUFFERS_PER_DOWNLOAD) {
      this.made++;
      return Promise.resolve(Buffer.allocUnsafeSlow(READ_CHUNK));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  lend(buf: Buffer, length: number): Buffer {
    const chunk = length === buf.length ? buf : buf.subarray(0, length);
    this.lent.set(chunk, buf);
    return chunk;
  }

  /** `chunk` has been written out: its buffer may be read into again (other chunks are ignored). */
  release(chunk: object): void {
    const buf = this.lent.get(chunk);
    if (!buf) return;
    this.lent.delete(chunk);
    this.giveBack(buf);
  }

  giveBack(buf: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buf);
    else this.free.push(buf);
  }
}

/** At most `size` bytes of an open file as a stream of chunks read into `buffers`; closes the file at the end. */
function readInto(file: FileHandle, size: number, buffers: ReadBuffers): Readable {
  let left = size;
  return new Readable({
    read() {
      void (async () => {
        const buf = await buffers.take();
        const { bytesRead } = left > 0 ? await file.read(buf, 0, Math.min(buf.length, left), null) : { bytesRead: 0 };
        left -= bytesRead;
        if (bytesRead === 0) {
          buffers.giveBack(buf);
          this.push(null);
        } else this.push(buffers.lend(buf, bytesRead));
      })().catch((err: unknown) => this.destroy(err as Error));
    },
    destroy(err, cb) {
      file.close().then(
        () => cb(err),
        () => cb(err),
      );
    },
  });
}

class EntryChanged extends Error {}

/**
 * Opens an entry's file and checks it against what was staged before a byte of it is sent: the
 * tar header promises the stored size, so a file that grew or shrank since fails the bundle here.
 */
async function openEntry(abs: string, f: StagedFile): Promise<FileHandle> {
  const file = await open(abs, 'r');
  try {
    const st = await file.stat();
    if (!st.isFile() || st.size !== Number(f.sizeBytes ?? 0)) throw new EntryChanged(`${f.target} changed since it was staged; stage it again.`);
    return file;
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
}

/** Pipes `pack` into `res`, giving each chunk back to `buffers` once the socket has it. */
function send(pack: tar.Pack, res: Response, buffers: ReadBuffers): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    pack.on('data', (data: unknown) => {
      const chunk = data as Buffer;
      if (!res.write(chunk, () => buffers.release(chunk))) {
        pack.pause();
        res.once('drain', () => pack.resume());
      }
    });
    pack.on('end', () => res.end(() => resolve()));
    pack.on('error', reject);
    res.on('close', () => {
      if (res.writableFinished) return;
      // Ends the entry being written too, so the loop below stops and the file is closed.
      const err = new Error('the client closed the connection');
      pack.destroy(err);
      reject(err);
    });
  });
}

/** `<prefix>_YYYY_MM_DD_HH_MM_SS.tar` (UTC), the dated bundle name cartd users know. */
export function datedTarName(prefix: string, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${prefix}_${at.getUTCFullYear()}_${p(at.getUTCMonth() + 1)}_${p(at.getUTCDate())}_${p(at.getUTCHours())}_${p(at.getUTCMinutes())}_${p(at.getUTCSeconds())}.tar`;
}

/**
 * Streams a request's DONE files into `res` as one tar, each under its target name, page by page
 * and file by file. The caller has set the headers. Paths are re-confined at download time: the
 * archive may have changed since staging.
 */
export async function streamRequestTar(orm: MikroORM, c: Container, res: Response, request: StagingRequest): Promise<void> {
  const root = c.sites.source(request.sourceSiteId).root;
  const pack = tar.pack();
  const buffers = new ReadBuffers();
  const sending = send(pack, res, buffers);
  sending.catch(() => undefined); // awaited below; a failure meanwhile must not go unhandled
  try {
    for (let lastSeq = -1; ; ) {
      const page = await orm.em.fork().find(StagedFile, { request: request.id, status: 'DONE', seq: { $gt: lastSeq } }, { orderBy: { seq: 'asc' }, limit: PAGE });
      for (const f of page) {
        const abs = await resolveInside(root, f.source);
        const file = await openEntry(abs, f);
        const size = Number(f.sizeBytes ?? 0);
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ name: f.target, size, mode: 0o444, mtime: f.finishedAt ?? request.createdAt }, (err) => (err ? reject(err) : resolve()));
          pipeline(readInto(file, size, buffers), entry).catch(reject);
        });
      }
      if (page.length < PAGE) break;
      lastSeq = page.at(-1)!.seq;
    }
    pack.finalize();
    await sending;
  } catch (err) {
    c.logger.warn({ err, stagingRequestId: request.id }, 'tar bundle aborted');
    pack.destroy();
    if (!res.headersSent && err instanceof EntryChanged) {
      // Nothing sent yet: a plain answer instead of an empty tar.
      res.removeHeader('Content-Disposition');
      res.removeHeader('ETag');
      res.status(410).json({ error: { code: 'NOT_FOUND', message: err.message } });
      return;
    }
    // Headers are gone already: the only honest signal left is an aborted (truncated) response.
    res.destroy();
  }
}
