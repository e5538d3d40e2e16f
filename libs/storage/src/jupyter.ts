/**
 * JupyterHub and Jupyter Server, spoken to over HTTP with a hub service token:
 * - the hub's REST API (`/hub/api/users/...`) to find a user and start their server, following
 *   the spawn progress (server-sent events);
 * - the user's server, through the hub's proxy (`/user/<name>/...`), with the contents API to
 *   create folders and upload files in the chunked protocol of JupyterLab's uploader.
 *
 * Failures become StorageErrors whose message carries the hub's own words: SITE_UNAVAILABLE when
 * the hub or the server cannot be used (unreachable, token refused, spawn failed), TRANSFER_FAILED
 * when the server refused one file, TARGET_EXISTS, QUOTA_EXCEEDED or CANCELLED otherwise.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode, isAbortError, StorageError } from './errors';
import { giveBackBuffer, takeBuffer } from './spare-buffers';

export interface HubServer {
  name: string;
  ready: boolean;
  /** 'spawn', 'stop', ... while the hub is busy with the server; null otherwise. */
  pending: string | null;
  /** Path of the server below the proxy's origin, e.g. `/user/alice/` (includes the hub's base_url). */
  url: string;
}

export interface HubUser {
  name: string;
  servers: Record<string, HubServer>;
}

/** One server-sent event of `/hub/api/users/<name>/server/progress`. */
export interface SpawnEvent {
  progress?: number;
  message?: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
}

export interface JupyterHubClientOptions {
  /** The hub's URL as users open it, including the hub's base_url (e.g. `https://hub.example.org/`). */
  url: string;
  /** Where Stagecoach reaches the same proxy routes, when not through `url` (e.g. a cluster-internal service). */
  apiUrl?: string;
  /** A service token with scopes `admin:users admin:servers access:servers read:users`: it starts users' servers and uploads through their contents API. */
  token: string;
  /** How the hub is named in messages (the site's name). */
  label?: string;
  /** Time limit of one HTTP request (uploads send one chunk per request). */
  requestTimeoutMs?: number;
}

export interface EnsureServerOptions {
  /** The named server to use; '' (default) is the user's default server. */
  serverName?: string;
  /** Give up when the server is not ready after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Spawn progress, as the hub reports it, for the request's live log. */
  onEvent?(event: SpawnEvent): void;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
const MESSAGE_LIMIT = 300;

/** URL-encodes each segment of a `/`-separated relative path. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map(encodeURIComponent)
    .join('/');
}

const withSlash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

/** Reads the message out of a hub or Jupyter Server error body (`{"message": ...}`), cut to a readable length. */
async function readMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  let msg = text;
  try {
    const body = JSON.parse(text) as { message?: unknown; reason?: unknown };
    if (typeof body.message === 'string' && body.message) msg = body.message;
  } catch {
    // not JSON (e.g. an HTML error page from a proxy): keep the status text only
    msg = /^\s*</.test(text) ? '' : text;
  }
  msg = msg.replace(/\s+/g, ' ').trim() || res.statusText || 'no message';
  return msg.length > MESSAGE_LIMIT ? `${msg.slice(0, MESSAGE_LIMIT)}…` : msg;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Overrides the session's time limit (it covers reading the answer too). */
  timeoutMs?: number;
}

/**
 * One request with node:http(s), answered as a fetch Response so callers read it as they would
 * fetch's. Not fetch itself: undici copies every Buffer body it is given (the WebIDL conversion
 * of a BufferSource), so each chunk PUT of an upload (5.6 MB of base64 JSON per 4 MiB chunk)
 * left a multi-MB copy behind until the GC found it: a 200 MiB upload grew RSS by 82 MB with
 * fetch, 35 MB with node:http, which writes the caller's buffer to the socket as it is.
 *
 * Like fetch with `redirect: 'manual'`, redirects are answered, not followed: a redirect means the
 * proxy sent us to the hub's login (the server is gone, or the token has no access to it). `signal`
 * aborts the request and, once answered, the reading of the response body.
 */
function send(url: string, opts: RequestOptions & { signal: AbortSignal }): Promise<Response> {
  const { signal } = opts;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const target = new URL(url);
    const body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
    const headers = { ...opts.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
    const req = (target.protocol === 'https:' ? https : http).request(target, { method: opts.method ?? 'GET', headers });
    let res: http.IncomingMessage | undefined;
    const onAbort = () => {
      req.destroy(signal.reason);
      res?.destroy(signal.reason);
    };
    const settled = () => signal.removeEventListener('abort', onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => {
      settled();
      reject(err); // no effect once answered: the body stream carries later failures
    });
    req.on('response', (answer) => {
      res = answer;
      answer.on('close', settled);
      try {
        const status = answer.statusCode ?? 0;
        const noBody = opts.method === 'HEAD' || status === 204 || status === 205 || status === 304;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(answer.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
        }
        if (noBody) answer.resume();
        const stream = noBody ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>);
        resolve(new Response(stream, { status, statusText: answer.statusMessage ?? '', headers: responseHeaders }));
      } catch (err) {
        // An answer fetch would refuse too (a status outside 200–599, a malformed header).
        answer.destroy();
        reject(err);
      }
    });
    req.end(body);
  });
}

/** Shared HTTP plumbing: token header, time limit, and network failures as StorageErrors. */
class HttpSession {
  constructor(
    readonly label: string,
    private readonly token: string,
    private readonly requestTimeoutMs: number,
  ) {}

  async request(url: string, init: RequestOptions = {}): Promise<Response> {
    const { timeoutMs, signal, headers, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs ?? this.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await send(url, { ...rest, signal: combined, headers: { authorization: `token ${this.token}`, accept: 'application/json', ...headers } });
    } catch (err) {
      throw this.networkError(err, signal, timeout);
    }
  }

  networkError(err: unknown, signal: AbortSignal | undefined, timeout?: AbortSignal): StorageError {
    if (err instanceof StorageError) return err;
    if (signal?.aborted) return new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: err });
    if (timeout?.aborted) return new StorageError('SITE_UNAVAILABLE', `${this.label} did not answer in time.`, { cause: err, retryable: true });
    if (isAbortError(err)) return new StorageError('CANCELLED', 'The transfer was cancelled.', { cause: err });
    const code = errnoCode((err as { cause?: unknown } | null)?.cause) ?? errnoCode(err);
    return new StorageError('SITE_UNAVAILABLE', `${this.label} cannot be reached${code ? ` (${code})` : ''}.`, { cause: err, retryable: true });
  }
}

/** The hub's REST API for one site, with a service token. */
export class JupyterHubClient {
  private readonly http: HttpSession;
  /** The proxy as users reach it (for links). */
  readonly publicUrl: string;
  /** The proxy as Stagecoach reaches it (for API calls). */
  readonly apiUrl: string;

  constructor(opts: JupyterHubClientOptions) {
    this.publicUrl = withSlash(opts.url);
    this.apiUrl = withSlash(opts.apiUrl ?? opts.url);
    this.http = new HttpSession(opts.label ?? 'JupyterHub', opts.token, opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  private userUrl(name: string, suffix = ''): string {
    return new URL(`hub/api/users/${encodeURIComponent(name)}${suffix}`, this.apiUrl).toString();
  }

  private serverUrl(name: string, serverName: string): string {
    return this.userUrl(name, serverName ? `/servers/${encodeURIComponent(serverName)}` : '/server');
  }

  /** Hub API failures: the token and the hub are the operator's business, so they are SITE_UNAVAILABLE. */
  private async hubError(res: Response, what: string): Promise<StorageError> {
    const msg = await readMessage(res);
    const label = this.http.label;
    if (res.status === 401 || res.status === 403) {
      return new StorageError('SITE_UNAVAILABLE', `${label} refused Stagecoach's service token while ${what} (${res.status}: ${msg}). An administrator must check the site's token and its scopes.`, { retryable: false });
    }
    const retryable = res.status >= 500 || res.status === 429;
    return new StorageError('SITE_UNAVAILABLE', `${label} failed while ${what} (${res.status}: ${msg}).`, { retryable });
  }

  /** The hub's user, or null when the hub has no such user. */
  async getUser(name: string, signal?: AbortSignal): Promise<HubUser | null> {
    const res = await this.http.request(this.userUrl(name), { signal });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await this.hubError(res, `looking up the user "${name}"`);
    return normalizeUser((await res.json()) as RawUser);
  }

  /** Creates a hub user (for hubs whose users are provisioned by their services, and for tests). */
  async createUser(name: string, signal?: AbortSignal): Promise<HubUser> {
    const res = await this.http.request(this.userUrl(name), { method: 'POST', signal });
    if (res.status === 409) {
      await res.body?.cancel();
      const user = await this.getUser(name, signal);
      if (user) return user;
    }
    if (!res.ok) throw await this.hubError(res, `creating the user "${name}"`);
    return normalizeUser((await res.json()) as RawUser);
  }

  /** Stops a user's server (tests, and operators' tooling). Resolves once the hub accepted the request. */
  async stopServer(name: string, serverName = '', signal?: AbortSignal): Promise<void> {
    const res = await this.http.request(this.serverUrl(name, serverName), { method: 'DELETE', signal });
    if (!res.ok && res.status !== 404 && res.status !== 400) throw await this.hubError(res, `stopping the server of "${name}"`);
    await res.body?.cancel();
  }

  /**
   * Makes sure the user's server runs: starts it when stopped, follows the spawn progress until
   * it is ready (or failed, or the time limit), and returns the server's path below the proxy.
   * Safe to call concurrently for the same user (a second caller follows the same spawn).
   */
  async ensureServer(name: string, opts: EnsureServerOptions = {}): Promise<string> {
    const serverName = opts.serverName ?? '';
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    const label = this.http.label;
    const timedOut = () =>
      new StorageError('SITE_UNAVAILABLE', `Your Jupyter server on ${label} was not ready within ${Math.round(timeoutMs / 1000)} s; try again later or ask an administrator.`, { retryable: false });
    let starts = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      if (Date.now() > deadline) throw timedOut();
      const user = await this.getUser(name, opts.signal);
      if (!user) throw new StorageError('TRANSFER_FAILED', `${label} has no user "${name}"; sign in to ${label} once, then stage again.`, { retryable: false });
      const server = user.servers[serverName];
      if (server?.ready) return server.url;
      if (server?.pending === 'spawn') {
        const outcome = await this.followProgress(name, serverName, deadline, opts);
        if (outcome === 'timeout') throw timedOut();
        continue;
      }
      if (server?.pending) {
        // Stopping (or another transition): wait for the hub to settle, then start it again.
        await sleep(500, undefined, { signal: opts.signal });
        continue;
      }
      if (starts >= 2) {
        throw new StorageError('SITE_UNAVAILABLE', `Your Jupyter server on ${label} stopped right after it was started; ask an administrator to look at the hub's log.`, { retryable: false });
      }
      starts += 1;
      opts.onEvent?.({ message: `Starting your Jupyter server${serverName ? ` "${serverName}"` : ''} on ${label}` });
      const res = await this.http.request(this.serverUrl(name, serverName), { method: 'POST', signal: opts.signal, headers: { 'content-type': 'application/json' }, body: '{}' });
      if (res.status === 201 || res.status === 202) {
        await res.body?.cancel();
        const outcome = await this.followProgress(name, serverName, deadline, opts);
        if (outcome === 'timeout') throw timedOut();
        continue;
      }
      if (res.status === 400) {
        const msg = await readMessage(res);
        // "already running" or "pending": someone else started it between our GET and POST.
        if (/already running|pending|is running/i.test(msg)) {
          await sleep(200, undefined, { signal: opts.signal });
          continue;
        }
        throw new StorageError('SITE_UNAVAILABLE', `${label} refused to start the server of "${name}" (400: ${msg}).`, { retryable: false });
      }
      throw await this.hubError(res, `starting the server of "${name}"`);
    }
  }

  /** Reads the spawn progress stream until ready/failed/end; throws on `failed`. */
  private async followProgress(name: string, serverName: string, deadline: number, opts: EnsureServerOptions): Promise<'ready' | 'ended' | 'timeout'> {
    const remaining = Math.max(1, deadline - Date.now());
    const timeout = AbortSignal.timeout(remaining);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.http.request(`${this.serverUrl(name, serverName)}/progress`, { signal, timeoutMs: remaining + 1000, headers: { accept: 'text/event-stream' } });
    } catch (err) {
      if (timeout.aborted && !opts.signal?.aborted) return 'timeout';
      throw err;
    }
    if (!res.ok || !res.body) throw await this.hubError(res, `following the start of the server of "${name}"`);
    try {
      for await (const event of readEvents(res.body)) {
        if (event.message) opts.onEvent?.(event);
        if (event.failed) {
          throw new StorageError('SITE_UNAVAILABLE', `Your Jupyter server on ${this.http.label} could not be started: ${event.message ?? 'the hub gave no reason'}`, { retryable: false });
        }
        if (event.ready) return 'ready';
      }
      return 'ended';
    } catch (err) {
      if (err instanceof StorageError) throw err;
      if (timeout.aborted && !opts.signal?.aborted) return 'timeout';
      throw this.http.networkError(err, opts.signal);
    } finally {
      await res.body.cancel().catch(() => undefined);
    }
  }

  /** The contents API of a server whose path (from `ensureServer`) is given. */
  contents(serverPath: string): JupyterContents {
    return new JupyterContents(new URL(serverPath, this.apiUrl).toString(), this.http);
  }

  /** Link that opens `path` (relative to the user's home) in JupyterLab. */
  labUrl(serverPath: string, path: string): string {
    return new URL(`${withSlash(serverPath)}lab/tree/${encodePath(path)}`, this.publicUrl).toString();
  }
}

interface RawUser {
  name: string;
  servers?: Record<string, { name?: string; ready?: boolean; pending?: string | null; url?: string }>;
}

function normalizeUser(raw: RawUser): HubUser {
  const servers: Record<string, HubServer> = {};
  for (const [key, s] of Object.entries(raw.servers ?? {})) {
    servers[key] = { name: s.name ?? key, ready: Boolean(s.ready), pending: s.pending ?? null, url: s.url ?? '' };
  }
  return { name: raw.name, servers };
}

/** Parses a `text/event-stream` body into the JSON payloads of its `data:` lines. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SpawnEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let cut: RegExpExecArray | null;
    while ((cut = /\r?\n\r?\n/.exec(buffered))) {
      const block = buffered.slice(0, cut.index);
      buffered = buffered.slice(cut.index + cut[0].length);
      const data = block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      try {
        yield JSON.parse(data) as SpawnEvent;
      } catch {
        yield { message: data };
      }
    }
  }
}

/** What the contents API says about a path (`content=0`). */
export interface ContentModel {
  type: 'file' | 'directory' | 'notebook';
  path: string;
  size: number | null;
  /** Present when the server offers hashes (jupyter_server ≥ 2.11 with `hash=1`). */
  hash?: string;
  hash_algorithm?: string;
}

export interface UploadOptions {
  /** Raw bytes per chunk (each sent base64-encoded in one PUT); memory use is about 2.5× this. */
  chunkBytes?: number;
  signal?: AbortSignal;
  onProgress?(bytesDone: number): void;
}

export interface UploadResult {
  sizeBytes: number;
  /** SHA-256 (hex) of the bytes sent. */
  sha256: string;
  /** The size the server reports for the uploaded file. */
  remoteSize: number | null;
}

const DEFAULT_CHUNK_BYTES = 4 << 20;
/** Raw bytes base64-encoded at a time (a multiple of 3, so the slices join without padding). */
const BASE64_SLICE = 48 << 10;

/** The contents API (`/api/contents`) and raw files (`/files`) of one user's Jupyter server. */
export class JupyterContents {
  constructor(
    /** Absolute URL of the server, e.g. `https://hub.example.org/user/alice/`. */
    readonly serverUrl: string,
    private readonly http: HttpSession,
  ) {}

  private url(kind: 'api/contents' | 'files', path: string, query = ''): string {
    return new URL(`${kind}/${encodePath(path)}${query}`, withSlash(this.serverUrl)).toString();
  }

  /** Server-side failures on one file: the hub's message, mapped to the file error codes. */
  private async serverError(res: Response, what: string): Promise<StorageError> {
    const msg = await readMessage(res);
    const label = 'Your Jupyter server';
    // A stopped server: JupyterHub 3 redirects to its spawn page, later versions answer 424 to API requests.
    if ((res.status >= 300 && res.status < 400) || res.status === 424) {
      return new StorageError('SITE_UNAVAILABLE', `${label} is not running any more (HTTP ${res.status}); it is started again when the file is retried.`, { retryable: true });
    }
    if (res.status === 401 || res.status === 403) {
      return new StorageError('SITE_UNAVAILABLE', `${label} refused Stagecoach's service token while ${what} (${res.status}: ${msg}). An administrator must check the site's token and its scopes.`, { retryable: false });
    }
    if (res.status === 409) return new StorageError('TARGET_EXISTS', `${label} refused ${what}: ${msg}`);
    if (/no space left|disk quota|quota exceeded/i.test(msg) || res.status === 507) {
      return new StorageError('QUOTA_EXCEEDED', `${label} has no space left (${msg}).`);
    }
    if (res.status === 502 || res.status === 503 || res.status === 504 || res.status === 429) {
      return new StorageError('SITE_UNAVAILABLE', `${label} is not reachable right now (${res.status}: ${msg}).`, { retryable: true });
    }
    return new StorageError('TRANSFER_FAILED', `${label} refused ${what} (${res.status}: ${msg}).`);
  }

  /** The model of `path` without content, or null when nothing is there. */
  async stat(path: string, opts: { hash?: boolean; signal?: AbortSignal } = {}): Promise<ContentModel | null> {
    const res = await this.http.request(this.url('api/contents', path, `?content=0${opts.hash ? '&hash=1' : ''}`), { signal: opts.signal });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) throw await this.serverError(res, `to look at ${JSON.stringify(path)}`);
    return (await res.json()) as ContentModel;
  }

  /**
   * Creates `dir` and every missing parent (the contents API creates one level per call).
   * `known` remembers folders that exist, so a batch of files in one folder asks once.
   */
  async makeDirs(dir: string, opts: { signal?: AbortSignal; known?: Set<string> } = {}): Promise<void> {
    const segments = dir.split('/').filter(Boolean);
    for (let i = 1; i <= segments.length; i++) {
      const sub = segments.slice(0, i).join('/');
      if (opts.known?.has(sub)) continue;
      const res = await this.http.request(this.url('api/contents', sub), {
        method: 'PUT',
        signal: opts.signal,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'directory' }),
      });
      if (!res.ok) {
        const err = await this.serverError(res, `to create the folder ${JSON.stringify(sub)}`);
        // A concurrent upload may have created it between our calls; anything else is a real failure.
        const existing = await this.stat(sub, { signal: opts.signal }).catch(() => null);
        if (existing?.type !== 'directory') {
          if (existing) throw new StorageError('TARGET_EXISTS', `${JSON.stringify(sub)} exists in your Jupyter home and is not a folder.`);
          throw err;
        }
      } else {
        await res.body?.cancel();
      }
      opts.known?.add(sub);
    }
  }

  /**
   * Uploads a local file to `path` (overwriting it): in one PUT when it fits one chunk, else with
   * the chunked protocol (chunks numbered from 1, the last one -1), reading, hashing and sending
   * one chunk at a time so memory stays constant whatever the size.
   */
  async upload(localPath: string, path: string, opts: UploadOptions = {}): Promise<UploadResult> {
    const chunkBytes = Math.max(3, Math.floor((opts.chunkBytes ?? DEFAULT_CHUNK_BYTES) / 3) * 3);
    const fh = await open(localPath, 'r').catch((err: unknown) => {
      throw new StorageError(errnoCode(err) === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'TRANSFER_FAILED', 'The source file cannot be read.', { cause: err });
    });
    let spares: Buffer[] = [];
    try {
      const { size } = await fh.stat();
      const single = size <= chunkBytes;
      // A file of several chunks takes its buffers from the spares of earlier uploads (see spare-buffers).
      const buffer = (bytes: number) => (single ? Buffer.allocUnsafe(bytes) : takeBuffer(bytes));
      const data = buffer(Math.max(1, Math.min(chunkBytes, size)));
      // One body buffer, reused: `{"type":"file","format":"base64","chunk":N,"content":"<base64>"}`.
      const body = buffer(100 + Math.ceil(data.length / 3) * 4);
      const hash = createHash('sha256');
      let position = 0;
      let chunk = 1;
      let model: ContentModel | null = null;
      do {
        opts.signal?.throwIfAborted();
        const want = Math.min(chunkBytes, size - position);
        const got = await readFully(fh, data, want, position);
        if (got !== want) throw new StorageError('TRANSFER_FAILED', 'The source file changed while it was being uploaded.');
        hash.update(data.subarray(0, got));
        position += got;
        const number = single ? null : position >= size ? -1 : chunk;
        const head = `{"type":"file","format":"base64",${number === null ? '' : `"chunk":${number},`}"content":"`;
        let length = body.write(head, 0, 'latin1');
        // In slices: Node returns a base64 string of over ~1 MB as an external string (malloc'd outside
        // the JS heap, freed only by a later GC), 5.6 MB per chunk; 64 KiB strings are ordinary
        // young-generation objects that the next scavenge frees.
        for (let from = 0; from < got; from += BASE64_SLICE) {
          length += body.write(data.toString('base64', from, Math.min(got, from + BASE64_SLICE)), length, 'latin1');
        }
        length += body.write('"}', length, 'latin1');
        const res = await this.http.request(this.url('api/contents', path), {
          method: 'PUT',
          signal: opts.signal,
          headers: { 'content-type': 'application/json' },
          body: body.subarray(0, length),
        });
        if (!res.ok) throw await this.serverError(res, `the upload of ${JSON.stringify(path)}${single ? '' : ` (chunk ${chunk})`}`);
        model = (await res.json()) as ContentModel;
        opts.onProgress?.(position);
        chunk += 1;
      } while (position < size);
      // Every request was answered: nothing reads the buffers any more.
      if (!single) spares = [data, body];
      const after = await fh.stat();
      if (after.size !== size) throw new StorageError('TRANSFER_FAILED', 'The source file changed while it was being uploaded.');
      return { sizeBytes: size, sha256: hash.digest('hex'), remoteSize: model?.size ?? null };
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw this.http.networkError(err, opts.signal);
    } finally {
      spares.forEach(giveBackBuffer);
      await fh.close();
    }
  }

  /** Renames `from` to `to`; false when `to` already exists (the server never replaces it). */
  async rename(from: string, to: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.http.request(this.url('api/contents', from), {
      method: 'PATCH',
      signal,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: to }),
    });
    if (res.status === 409) {
      await res.body?.cancel();
      return false;
    }
    if (!res.ok) throw await this.serverError(res, `to rename the upload to ${JSON.stringify(to)}`);
    await res.body?.cancel();
    return true;
  }

  /** Deletes a file; nothing there is fine. */
  async remove(path: string, signal?: AbortSignal): Promise<void> {
    const res = await this.http.request(this.url('api/contents', path), { method: 'DELETE', signal });
    if (!res.ok && res.status !== 404) throw await this.serverError(res, `to delete ${JSON.stringify(path)}`);
    await res.body?.cancel();
  }

  /** SHA-256 of a file on the server: its own hash when offered, else the raw bytes streamed through `/files`. */
  async sha256(path: string, signal?: AbortSignal): Promise<string> {
    const model = await this.stat(path, { hash: true, signal });
    if (model?.hash && model.hash_algorithm?.toLowerCase() === 'sha256') return model.hash.toLowerCase();
    const res = await this.http.request(this.url('files', path), { signal, timeoutMs: 3_600_000 });
    if (!res.ok || !res.body) throw await this.serverError(res, `to read ${JSON.stringify(path)}`);
    const hash = createHash('sha256');
    try {
      for await (const chunk of res.body) hash.update(chunk);
    } catch (err) {
      throw this.http.networkError(err, signal);
    }
    return hash.digest('hex');
  }
}

async function readFully(fh: Awaited<ReturnType<typeof open>>, buffer: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
