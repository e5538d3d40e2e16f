import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { getOperationAST, parse } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { StagecoachError, type GraphQLErrorEntry } from './errors';
import type {
  ClientFilesQuery,
  FileFieldsFragment,
  FileStatus,
  RequestSummaryFragment,
  StageInput as GqlStageInput,
  TypedDocumentString,
} from './gql/graphql';
import { CancelMutation, FilesQuery, RequestQuery, RetryMutation, StageMutation, UpdatedSubscription } from './operations';

export type { FileStatus, RequestStatus, StagingMethod, StageItemInput } from './gql/graphql';

/** A staging request as every method of the client returns it. */
export type StagingRequest = RequestSummaryFragment;
/** One file of a request, as `files()` yields it. */
export type StagedFile = FileFieldsFragment;
/** What `stage` takes; the idempotency key goes in the second argument. */
export type StageInput = Omit<GqlStageInput, 'idempotencyKey'>;

export interface StagecoachClientOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:4000` (GraphQL is at `<url>/graphql`). */
  url: string;
  /** An API token (`stagecoach token create`); sent as `Authorization: Bearer`. */
  token: string;
  /** Retries of a query or `stage` after a network error (default 3); other mutations are never retried. */
  retries?: number;
  /** Replaces the global fetch (proxies, instrumentation). */
  fetch?: typeof fetch;
  /** GraphQL-over-WebSocket endpoint (default: `url` with ws: or wss:, path /graphql). */
  wsUrl?: string;
  /** WebSocket implementation for graphql-ws (default: the `ws` package). */
  webSocketImpl?: unknown;
}

export interface WaitForOptions {
  /** Give up after this long with StagecoachError code TIMEOUT (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Called with every state seen, the final one included. */
  onUpdate?: (request: StagingRequest) => void;
}

export interface FilesOptions {
  /** Only files with one of these statuses. */
  status?: FileStatus[];
  /** Files fetched per request, 1–1000 (default 500). */
  pageSize?: number;
}

const TERMINAL = new Set(['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED']);
/** Rate-limited answers waited out before giving up (the server refused them, so retrying is safe). */
const RATE_LIMIT_WAITS = 3;
/** A Retry-After longer than this is the caller's decision, not a silent wait. */
const MAX_RATE_LIMIT_WAIT_S = 60;
/** Gateways answer these while the server restarts; retried like network errors. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Exponential backoff with jitter: ~250 ms, 500 ms, 1 s, … up to 8 s. */
const backoff = (attempt: number) => Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);

type Variables = Record<string, unknown>;

interface PostOptions {
  /** The operation may be sent again when no answer arrived (queries, `stage` with its key). */
  retryNetwork: boolean;
}

/** A client for the Stagecoach GraphQL API with an API token: HTTP for operations, graphql-ws for live updates. */
export class StagecoachClient {
  private readonly httpUrl: string;
  private readonly wsUrl: string;
  private readonly token: string;
  private readonly retries: number;
  private readonly fetchImpl: typeof fetch;
  private readonly webSocketImpl: unknown;
  private ws: WsClient | undefined;
  /** graphql-ws reconnects only sockets that once worked; a socket that never opens means polling. */
  private wsConnectedOnce = false;
  private closed = false;
  private readonly closers = new Set<() => void>();

  constructor(opts: StagecoachClientOptions) {
    const base = opts.url.endsWith('/') ? opts.url : `${opts.url}/`;
    this.httpUrl = new URL('graphql', base).toString();
    const ws = new URL('graphql', base);
    ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
    this.wsUrl = opts.wsUrl ?? ws.toString();
    this.token = opts.token;
    this.retries = opts.retries ?? 3;
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.webSocketImpl = opts.webSocketImpl ?? WebSocket;
  }

  /**
   * Submits a staging request. An idempotency key is generated when none is given, so a retry
   * after a lost answer returns the request already created instead of staging twice.
   */
  async stage(input: StageInput, opts: { idempotencyKey?: string } = {}): Promise<StagingRequest> {
    const idempotencyKey = opts.idempotencyKey ?? randomUUID();
    const data = await this.post(StageMutation, { input: { ...input, idempotencyKey } }, { retryNetwork: true });
    return data.stage;
  }

  /** The current state of a request. */
  async request(id: string): Promise<StagingRequest> {
    return (await this.post(RequestQuery, { id }, { retryNetwork: true })).stagingRequest;
  }

  /** Cancels a queued or running request (NOT_CANCELLABLE once finished). Not retried on network errors. */
  async cancel(id: string): Promise<StagingRequest> {
    return (await this.post(CancelMutation, { id }, { retryNetwork: false })).cancelStagingRequest;
  }

  /** Re-queues the FAILED files of a finished request. Not retried on network errors. */
  async retry(id: string): Promise<StagingRequest> {
    return (await this.post(RetryMutation, { id }, { retryNetwork: false })).retryStagingRequest;
  }

  /** Every file of a request, in submission order, fetched page by page. */
  async *files(id: string, opts: FilesOptions = {}): AsyncGenerator<StagedFile, void, undefined> {
    const first = opts.pageSize ?? 500;
    if (!Number.isInteger(first) || first < 1 || first > 1000)
      throw new RangeError(`pageSize must be an integer from 1 to 1000, got ${first}`);
    let after: string | null = null;
    for (;;) {
      const data: ClientFilesQuery = await this.post(
        FilesQuery,
        { id, first, after, status: opts.status ?? null },
        { retryNetwork: true },
      );
      const page = data.stagingRequest.files;
      yield* page.nodes;
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
      after = page.pageInfo.endCursor;
    }
  }

  /** Runs any GraphQL operation over HTTP; queries are retried on network errors, mutations are not. */
  async query<R, V extends Variables = Variables>(document: TypedDocumentString<R, V>, variables?: V): Promise<R>;
  async query<R = Record<string, unknown>>(document: string, variables?: Variables): Promise<R>;
  async query(document: string | TypedDocumentString<unknown, Variables>, variables?: Variables): Promise<unknown> {
    const text = document.toString();
    let retryNetwork = false;
    try {
      retryNetwork = getOperationAST(parse(text))?.operation === 'query';
    } catch {
      // Unparsable: the server answers with the syntax error.
    }
    return this.post(text, variables, { retryNetwork });
  }

  /**
   * Resolves with the request once it is finished (SUCCEEDED, PARTIALLY_SUCCEEDED, FAILED or
   * CANCELLED). Follows `stagingRequestUpdated` over graphql-ws; when the socket cannot be
   * opened, or is lost for good, it polls `stagingRequest` with backoff instead.
   */
  waitFor(id: string, opts: WaitForOptions = {}): Promise<StagingRequest> {
    if (this.closed) return Promise.reject(new StagecoachError('CLOSED', 'the client is closed'));
    return new Promise<StagingRequest>((resolve, reject) => {
      let settled = false;
      let unsubscribe: (() => void) | undefined;
      let pollTimer: NodeJS.Timeout | undefined;
      let deadline: NodeJS.Timeout | undefined;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        unsubscribe?.();
        clearTimeout(pollTimer);
        clearTimeout(deadline);
        this.closers.delete(onClose);
        fn();
      };
      const onClose = () =>
        finish(() => reject(new StagecoachError('CLOSED', `the client was closed while waiting for request ${id}`)));
      this.closers.add(onClose);
      const seen = (r: StagingRequest) => {
        if (settled) return;
        opts.onUpdate?.(r);
        if (TERMINAL.has(r.status)) finish(() => resolve(r));
      };
      const fail = (e: unknown) => finish(() => reject(e));
      if (opts.timeoutMs !== undefined) {
        deadline = setTimeout(
          () => fail(new StagecoachError('TIMEOUT', `request ${id} did not finish within ${opts.timeoutMs} ms`)),
          opts.timeoutMs,
        );
      }

      const poll = async (attempt: number) => {
        if (settled) return;
        try {
          seen(await this.request(id));
        } catch (e) {
          // The server may be restarting: keep polling through network errors, stop on real answers.
          if (!(e instanceof StagecoachError && (e.code === 'NETWORK_ERROR' || e.code === 'HTTP_ERROR'))) return fail(e);
        }
        if (!settled) pollTimer = setTimeout(() => void poll(attempt + 1), Math.min(5000, 500 * 1.5 ** attempt));
      };

      unsubscribe = this.socket().subscribe<{ stagingRequestUpdated: StagingRequest }>(
        { query: UpdatedSubscription.toString(), variables: { id } },
        {
          next: (msg) => {
            if (msg.errors?.length) return fail(StagecoachError.fromGraphQL(msg.errors as GraphQLErrorEntry[]));
            if (msg.data) seen(msg.data.stagingRequestUpdated);
          },
          error: (e) => {
            // An array is the server refusing the subscription (NOT_FOUND, …): a real answer.
            if (Array.isArray(e)) return fail(StagecoachError.fromGraphQL(e as GraphQLErrorEntry[]));
            unsubscribe = undefined;
            void poll(0);
          },
          // The server ended the stream before the end (shutdown): the state is still reachable by polling.
          complete: () => {
            unsubscribe = undefined;
            void poll(0);
          },
        },
      );
    });
  }

  /**
   * Streams a signed download link to `outPath` (through a temporary file beside it, renamed
   * when complete). Given a request id instead of a URL, uses the request's `downloadUrl`
   * (DIRECT_DOWNLOAD: the file, or a tar bundle of several).
   */
  async download(urlOrRequestId: string, outPath: string): Promise<{ path: string; bytes: number }> {
    let url = urlOrRequestId;
    if (!/^https?:\/\//i.test(urlOrRequestId)) {
      const r = await this.request(urlOrRequestId);
      if (!r.downloadUrl)
        throw new StagecoachError('NO_DOWNLOAD_URL', `request ${r.id} (${r.method}, ${r.status}) has no download link`);
      url = r.downloadUrl;
    }
    // The link carries its own signature: the API token is never sent with it.
    const res = await this.withNetworkRetries(() => this.fetchImpl(url), true, new URL(url).origin);
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new StagecoachError('HTTP_ERROR', `download failed: HTTP ${res.status}`, { status: res.status });
    }
    await fs.mkdir(path.dirname(path.resolve(outPath)), { recursive: true });
    const tmp = `${outPath}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>), createWriteStream(tmp, { flags: 'wx' }));
      await fs.rename(tmp, outPath);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    return { path: outPath, bytes: (await fs.stat(outPath)).size };
  }

  /** Closes the WebSocket; pending waitFor calls reject with CLOSED. */
  close(): void {
    this.closed = true;
    for (const close of [...this.closers]) close();
    void this.ws?.dispose();
    this.ws = undefined;
  }

  private socket(): WsClient {
    this.ws ??= createClient({
      url: this.wsUrl,
      webSocketImpl: this.webSocketImpl,
      connectionParams: { authorization: `Bearer ${this.token}` },
      // Opened by the first waitFor, closed when none is left: an idle client keeps no process alive.
      lazy: true,
      retryAttempts: this.retries,
      shouldRetry: () => this.wsConnectedOnce,
      on: { connected: () => (this.wsConnectedOnce = true) },
    });
    return this.ws;
  }

  private async withNetworkRetries(
    send: () => Promise<Response>,
    retryNetwork: boolean,
    target = this.httpUrl,
  ): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await send();
      } catch (e) {
        if (!retryNetwork || attempt >= this.retries)
          throw new StagecoachError('NETWORK_ERROR', `no answer from ${target}: ${describe(e)}`, { cause: e });
        await sleep(backoff(attempt));
        continue;
      }
      if (retryNetwork && RETRYABLE_STATUS.has(res.status) && attempt < this.retries) {
        if (!res.bodyUsed) await res.body?.cancel();
        await sleep(backoff(attempt));
        continue;
      }
      return res;
    }
  }

  private async post<R, V extends Variables>(document: TypedDocumentString<R, V>, variables: V, opts: PostOptions): Promise<R>;
  private async post(document: string, variables: Variables | undefined, opts: PostOptions): Promise<unknown>;
  private async post(
    document: string | TypedDocumentString<unknown, Variables>,
    variables: Variables | undefined,
    opts: PostOptions,
  ): Promise<unknown> {
    const body = JSON.stringify({ query: document.toString(), variables });
    for (let rateLimited = 0; ; rateLimited++) {
      let status = 0;
      let retryAfterHeader: number | undefined;
      let text: string;
      // Reading the body belongs to the attempt: a connection reset mid-answer is a network error too.
      const res = await this.withNetworkRetries(async () => {
        const r = await this.fetchImpl(this.httpUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization: `Bearer ${this.token}`,
          },
          body,
        });
        status = r.status;
        const ra = Number(r.headers.get('retry-after'));
        retryAfterHeader = Number.isFinite(ra) && ra > 0 ? ra : undefined;
        text = await r.text();
        return r;
      }, opts.retryNetwork);
      let json: { data?: unknown; errors?: GraphQLErrorEntry[] } | undefined;
      try {
        json = JSON.parse(text!) as typeof json;
      } catch {
        // Not JSON (a proxy's page): only a 429 still means something here.
      }
      let err: StagecoachError | undefined;
      if (json?.errors?.length) err = StagecoachError.fromGraphQL(json.errors, res.status, retryAfterHeader);
      else if (status === 429)
        err = new StagecoachError('RATE_LIMITED', `HTTP 429 from ${this.httpUrl}`, {
          status,
          ...(retryAfterHeader === undefined ? {} : { retryAfter: retryAfterHeader }),
        });
      else if (!json || !('data' in json))
        err = new StagecoachError('HTTP_ERROR', `HTTP ${status} without a GraphQL answer: ${text!.slice(0, 200)}`, { status });
      if (err) {
        // A rate-limited operation was refused as a whole, so sending it again is safe even for mutations.
        if (err.code === 'RATE_LIMITED' && rateLimited < RATE_LIMIT_WAITS && (err.retryAfter ?? 1) <= MAX_RATE_LIMIT_WAIT_S) {
          await sleep((err.retryAfter ?? 1) * 1000);
          continue;
        }
        throw err;
      }
      return json!.data;
    }
  }
}

function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return [String((e as Error)?.message ?? e), cause?.code ?? cause?.message].filter(Boolean).join(': ');
}
