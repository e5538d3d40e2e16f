import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import type { Clock } from '../../lib/clock';

/**
 * A small cache site without filling a disk: `capacityBytes: 2500` makes staging see 2,500 bytes
 * minus what unexpired copies hold, whatever the real disk has free (see SpaceGuard).
 */
const SITES_YAML = `
sites:
  - id: archive
    kind: POSIX
    root: archive
    roles: [source]
    default: true
  - id: scratch
    name: Scratch
    kind: POSIX
    root: scratch
    roles: [target]
    cache: true
    capacityBytes: 2500
    retention: P1D
    evictIdleAfter: PT0S
`;

class ManualClock implements Clock {
  private t = Date.now();
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const clock = new ManualClock();
let dir: string;
let db: TestDatabase;
let server: TestServer;
type U = { id: string; email: string; token: string };
let dave: U;
let erin: U;

const STAGE = `mutation($input: StageInput!) { stage(input: $input) { id } }`;
const FILES = `query($id: ID!) { stagingRequest(id: $id) { status expired expiryReason files { nodes { status error { code message } } } } }`;

interface View {
  status: string;
  expired: boolean;
  expiryReason: string | null;
  files: { nodes: { status: string; error: { code: string; message: string } | null }[] };
}

async function stage(user: U, source: string, target: string): Promise<string> {
  const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source, target }] } }, user.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  await waitForRequest(server, user.token, res.data.stage.id);
  clock.advance(60_000); // distinct finish times: "least recently accessed" is well defined
  return res.data.stage.id;
}

const view = async (user: U, id: string) => (await server.gql<{ stagingRequest: View }>(FILES, { id }, user.token)).data!.stagingRequest;
const exists = (p: string) => fs.lstat(p).then(() => true, () => false);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-evict-'));
  await fs.mkdir(path.join(dir, 'archive'));
  await fs.mkdir(path.join(dir, 'scratch'));
  for (const n of [1, 2, 3]) await fs.writeFile(path.join(dir, 'archive', `k${n}.bin`), Buffer.alloc(1000, n));
  await fs.writeFile(path.join(dir, 'archive', 'big.bin'), Buffer.alloc(2000, 'b'));
  await fs.writeFile(path.join(dir, 'sites.yaml'), SITES_YAML);
  db = await createTestDatabase();
  server = await startTestServer(db.orm, { SITES_FILE: path.join(dir, 'sites.yaml') }, { dbUrl: db.url, clock });
  dave = await userWithToken(db.orm, { email: 'dave@example.org' });
  erin = await userWithToken(db.orm, { email: 'erin@example.org' });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('space-aware staging on a cache site', () => {
  let first: string;
  let second: string;

  it("evicts the owner's least recently accessed idle result to make room", async () => {
    first = await stage(dave, 'k1.bin', 'k1.bin');
    second = await stage(dave, 'k2.bin', 'k2.bin');
    // 2,000 of 2,500 bytes held: the third file only fits once the oldest result goes.
    const third = await stage(dave, 'k3.bin', 'k3.bin');
    expect((await view(dave, third)).status).toBe('SUCCEEDED');
    expect(await view(dave, first)).toMatchObject({ expired: true, expiryReason: 'EVICTED' });
    expect((await view(dave, second)).expired).toBe(false);
    const area = path.join(dir, 'scratch', 'dave');
    expect(await exists(path.join(area, 'k1.bin'))).toBe(false);
    expect(await exists(path.join(area, 'k2.bin'))).toBe(true);
    expect(await exists(path.join(area, 'k3.bin'))).toBe(true);
    const logs = await server.gql<{ logs: { message: string }[] }>(`query($id: ID) { logs(requestId: $id, minLevel: WARN) { message } }`, { id: first }, dave.token);
    expect(logs.data!.logs.map((l) => l.message)).toContain('request evicted to free space on the target site: 1 file(s) removed (1000 bytes)');
  });

  it("never evicts another user's unexpired results: the file fails QUOTA_EXCEEDED with the numbers", async () => {
    const res = await server.gql<{ stage: { id: string } }>(STAGE, { input: { method: 'LOCAL_COPY', items: [{ source: 'big.bin', target: 'big.bin' }] } }, erin.token);
    const r = await waitForRequest(server, erin.token, res.data!.stage.id);
    expect(r.status).toBe('FAILED');
    const v = await view(erin, res.data!.stage.id);
    expect(v.files.nodes[0]!.error).toEqual({ code: 'QUOTA_EXCEEDED', message: 'Not enough space on site "Scratch": this file needs 2.0 KiB, free space is 500 bytes and no older results may be evicted.' });
    expect(await exists(path.join(dir, 'scratch', 'erin', 'big.bin'))).toBe(false);
    // Dave's results are untouched.
    expect(await exists(path.join(dir, 'scratch', 'dave', 'k2.bin'))).toBe(true);
  });

  it("evicts anyone's expired results, then the retried file fits", async () => {
    clock.advance(25 * 3_600_000); // past dave's retention (P1D)
    const [failed] = (await server.gql<{ stagingRequests: { nodes: { id: string }[] } }>(`{ stagingRequests(status: [FAILED]) { nodes { id } } }`, undefined, erin.token)).data!.stagingRequests.nodes;
    const retry = await server.gql(`mutation($id: ID!) { retryStagingRequest(id: $id) { id } }`, { id: failed!.id }, erin.token);
    expect(retry.errors).toBeUndefined();
    expect((await waitForRequest(server, erin.token, failed!.id)).status).toBe('SUCCEEDED');
    expect(await exists(path.join(dir, 'scratch', 'erin', 'big.bin'))).toBe(true);
    expect(await view(dave, second)).toMatchObject({ expired: true, expiryReason: 'EVICTED' });
    expect(await exists(path.join(dir, 'scratch', 'dave', 'k2.bin'))).toBe(false);
  });
});
