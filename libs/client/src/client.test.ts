import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StagecoachClient } from './client';
import { StagecoachError } from './errors';

// The client's handling of answers a real Stagecoach server rarely gives on demand (proxies, gateways,
// limits), from a loopback HTTP server scripted per test. The server's own answers are covered by
// the server's client tests.

type Reply = { status: number; headers?: Record<string, string>; body: string };
let replies: Reply[] = [];
const seen: { authorization: string | undefined; body: string }[] = [];
let server: http.Server;
let url: string;

const running = {
  id: '7',
  status: 'RUNNING',
  method: 'LOCAL_COPY',
  filesTotal: 1,
  filesDone: 0,
  filesSkipped: 0,
  filesFailed: 0,
  filesCancelled: 0,
  bytesTotal: 1,
  bytesDone: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  expiresAt: null,
  downloadUrl: null,
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body });
      const reply = replies.shift() ?? { status: 200, body: JSON.stringify({ data: { stagingRequest: running } }) };
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('StagecoachError.fromGraphQL', () => {
  it('takes code, message and extensions of the first error, and retryAfter from the extensions or the header', () => {
    const e = StagecoachError.fromGraphQL(
      [{ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfter: 3 } }, { message: 'other' }],
      429,
      9,
    );
    expect(e).toMatchObject({
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryAfter: 3,
      status: 429,
      extensions: { code: 'RATE_LIMITED', retryAfter: 3 },
    });
    expect(e.errors).toHaveLength(2);
    expect(StagecoachError.fromGraphQL([{ message: 'x', extensions: { code: 'RATE_LIMITED' } }], 429, 2).retryAfter).toBe(2);
    expect(StagecoachError.fromGraphQL([{ message: 'x' }]).code).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('StagecoachClient over HTTP', () => {
  it('sends the token as a bearer and waits out a 429 that is not GraphQL', async () => {
    replies = [{ status: 429, headers: { 'retry-after': '1', 'content-type': 'text/html' }, body: '<h1>Too Many Requests</h1>' }];
    seen.length = 0;
    const r = await new StagecoachClient({ url, token: 'sc_secret' }).request('7');
    expect(r.status).toBe('RUNNING');
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer sc_secret', 'Bearer sc_secret']);
  });

  it('gives up on RATE_LIMITED with retryAfter when the wait is too long to take silently', async () => {
    replies = [
      {
        status: 429,
        body: JSON.stringify({
          errors: [{ message: 'Too many changes', extensions: { code: 'RATE_LIMITED', retryAfter: 3600 } }],
        }),
      },
    ];
    await expect(new StagecoachClient({ url, token: 't' }).request('7')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 3600,
      status: 429,
    });
  });

  it('retries a query through gateway errors, and reports an answer that is not GraphQL as HTTP_ERROR', async () => {
    replies = [{ status: 503, body: 'unavailable' }];
    expect((await new StagecoachClient({ url, token: 't' }).request('7')).id).toBe('7');
    replies = [
      { status: 503, body: 'unavailable' },
      { status: 503, body: 'unavailable' },
    ];
    await expect(new StagecoachClient({ url, token: 't', retries: 1 }).request('7')).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      status: 503,
    });
  });

  it('rejects waitFor with TIMEOUT while the request keeps running', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const wsUrl = `ws://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const sc = new StagecoachClient({ url, token: 't', wsUrl });
    const updates: string[] = [];
    await expect(sc.waitFor('7', { timeoutMs: 1500, onUpdate: (r) => updates.push(r.status) })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(updates[0]).toBe('RUNNING');
    sc.close();
    await expect(sc.waitFor('7')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('refuses a page size the server would refuse', async () => {
    const files = new StagecoachClient({ url, token: 't' }).files('7', { pageSize: 1001 });
    await expect(files.next()).rejects.toThrow(RangeError);
  });
});
