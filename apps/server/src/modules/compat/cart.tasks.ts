import { createHash, getHashes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { resolveInside } from '@stagecoach/storage';
import type { TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { Container } from '../../container';
import { defineJob, enqueue, jobTask } from '../jobs/queue';
import { StagedFile } from '../staging/staged-file.entity';
import type { StagingRequest } from '../staging/staging-request.entity';
import type { RequestFinishedHook } from '../staging/staging.worker';
import { Cart } from './cart.entity';

/** Prepares a staged cart for download: verifies the client's hashsums, then marks it ready (or error). */
export const CART_BUNDLE = defineJob('cart_bundle', z.object({ cartId: z.uuid() }), { maxAttempts: 5 });

/** Hash algorithms a cart may name in `hashtype` (any digest Node offers, e.g. sha1, md5, sha256). */
export function isSupportedHashtype(hashtype: string): boolean {
  return getHashes().includes(hashtype.toLowerCase());
}

/** Queues the bundle job of every cart of a request (inside the caller's transaction; idempotent per cart). */
export async function enqueueCartBundles(em: EntityManager, requestId: string): Promise<void> {
  const carts = await em.find(Cart, { request: requestId }, { fields: ['id'] });
  await enqueue(
    em,
    CART_BUNDLE,
    carts.map((cart) => ({ payload: { cartId: cart.id }, jobKey: `cart_bundle:${cart.id}` })),
  );
}

/** The staging worker's hook: a cart's request that succeeded gets its bundle job in the same transaction. */
export function createCartFinishedHook(): RequestFinishedHook {
  return async (request, em) => {
    if (request.status === 'SUCCEEDED' && request.method === 'DIRECT_DOWNLOAD') await enqueueCartBundles(em, request.id);
  };
}

/** Hex digest of a file. */
async function digest(hashtype: string, file: string): Promise<string> {
  const hash = createHash(hashtype.toLowerCase());
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Runs one cart's bundle step; safe to run twice (a cart already ready or in error is left alone). */
export async function bundleCart(c: Container, cartId: string): Promise<void> {
  const em = c.orm.em.fork();
  const cart = await em.findOne(Cart, { id: cartId }, { populate: ['request'] });
  if (!cart || cart.bundleState === 'ready' || cart.bundleState === 'error') return;
  const request = cart.request as StagingRequest;
  if (request.status !== 'SUCCEEDED') return; // the request-finished hook queues it again when it succeeds
  await em.nativeUpdate(Cart, { id: cart.id }, { bundleState: 'bundling' });
  const problems: string[] = [];
  if (cart.checks?.length) {
    const root = c.sites.source(request.sourceSiteId!).root;
    const files = new Map((await em.find(StagedFile, { request: request.id })).map((f) => [f.source, f]));
    for (const check of cart.checks) {
      const file = files.get(check.source) ?? files.get(path.posix.normalize(check.source).replace(/^\/+/, ''));
      if (!file) {
        problems.push(`${check.source}: not a file of this cart, so its ${check.hashtype} cannot be checked`);
        continue;
      }
      const type = check.hashtype.toLowerCase();
      // The staging worker already hashed every file with sha256; other digests read the file once more.
      let actual: string;
      try {
        actual = type === 'sha256' && file.checksum ? file.checksum : await digest(type, await resolveInside(root, file.source));
      } catch {
        problems.push(`${file.source}: could not be read to verify its ${type}`);
        continue;
      }
      if (actual.toLowerCase() !== check.hashsum.trim().toLowerCase())
        problems.push(`${file.source}: ${type} is ${actual}, not ${check.hashsum.trim()} as the cart says`);
    }
  }
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more file(s) did not match)` : '';
  await em.nativeUpdate(
    Cart,
    { id: cart.id },
    problems.length
      ? { bundleState: 'error', bundleMessage: `Checksum mismatch: ${problems[0]}${more}` }
      : { bundleState: 'ready', bundleMessage: null },
  );
}

export function cartTasks(c: Container): TaskList {
  return { [CART_BUNDLE.task]: jobTask(CART_BUNDLE, ({ cartId }) => bundleCart(c, cartId)) };
}
