import fs from 'node:fs/promises';
import { StorageError } from '@stagecoach/storage';

/** `fetch`, injectable so unit tests can use a strict fake; the engine passes the global one. */
export type Fetch = typeof fetch;

const PEER_TIMEOUT_MS = 30_000;

/**
 * One HTTP call to a storage peer (tape REST, WebDAV door, Rucio). Network failures and 5xx
 * become SITE_UNAVAILABLE (retryable); other statuses are returned for the caller to interpret.
 * `what` names the operation in messages; URLs and credentials never appear in them. Redirects
 * are refused, not followed: the call carries credentials, which must reach no other address.
 */
export async function peerFetch(fetchImpl: Fetch, what: string, url: string, init: RequestInit & { signal?: AbortSignal }, opts: { pass401?: boolean } = {}): Promise<Response> {
  const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(PEER_TIMEOUT_MS)]) : AbortSignal.timeout(PEER_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, signal, redirect: 'manual' });
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw new StorageError('SITE_UNAVAILABLE', `${what}: the storage site did not answer.`, { cause: e, retryable: true });
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new StorageError(
      'SITE_UNAVAILABLE',
      `${what}: the storage site answered with a redirect (${res.status}), which Stagecoach does not follow with credentials; an administrator must point the site configuration at the final URL.`,
      { retryable: false },
    );
  }
  if (res.status >= 500) {
    await res.body?.cancel();
    throw new StorageError('SITE_UNAVAILABLE', `${what}: the storage site answered ${res.status}.`, { retryable: true });
  }
  if ((res.status === 401 && !opts.pass401) || res.status === 403) {
    await res.body?.cancel();
    throw new StorageError('SITE_UNAVAILABLE', `${what}: the storage site refused Stagecoach's credentials (${res.status}); an administrator must fix the site configuration.`, { retryable: false });
  }
  return res;
}

/** The `detail`/`title` of an RFC 7807 problem document, or the status line. */
export async function problemText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const j = JSON.parse(text) as { detail?: string; title?: string };
    return (j.detail ?? j.title ?? `HTTP ${res.status}`).slice(0, 300);
  } catch {
    return `HTTP ${res.status}`;
  }
}

/**
 * Reads a site's credentials file (mounted secret): `user:password` → HTTP Basic, anything else
 * → a bearer token. Read at use time so rotated secrets apply without a restart.
 */
export async function readCredentials(file: string | undefined): Promise<{ header: string | null; user?: string; password?: string }> {
  if (!file) return { header: null };
  let text: string;
  try {
    text = (await fs.readFile(file, 'utf8')).trim();
  } catch (e) {
    throw new StorageError('SITE_UNAVAILABLE', 'The credentials of the storage site cannot be read; an administrator must fix the site configuration.', { cause: e, retryable: false });
  }
  const colon = text.indexOf(':');
  if (colon > 0 && !text.includes(' ')) {
    const user = text.slice(0, colon);
    const password = text.slice(colon + 1);
    return { header: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, user, password };
  }
  return { header: `Bearer ${text}` };
}
