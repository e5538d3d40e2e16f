import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';

let db: TestDatabase;
let server: TestServer;
let alice: { token: string };

type Entry = { name: string; path: string; isDirectory: boolean; sizeBytes: number | null; cursor: string };
const BROWSE = `query($path: String, $first: Int, $after: String) { browse(path: $path, first: $first, after: $after) { name path isDirectory sizeBytes cursor } }`;

const browse = (vars: Record<string, unknown>) => server.gql<{ browse: Entry[] }>(BROWSE, vars, alice.token);

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm);
  alice = await userWithToken(db.orm, { email: 'alice@example.org' });
  const big = path.join(server.dataDir, 'sites', 'archive', 'big');
  await fs.mkdir(path.join(big, 'sub'), { recursive: true });
  for (let i = 0; i < 1200; i++) await fs.writeFile(path.join(big, `f${String(i).padStart(4, '0')}.dat`), 'x');
});

describe('browse', () => {
  it('lists a large folder a page at a time, folders first, each page after the cursor of the last entry', async () => {
    const first = await browse({ path: 'big', first: 500 });
    expect(first.errors).toBeUndefined();
    const page1 = first.data!.browse;
    expect(page1).toHaveLength(500);
    expect(page1[0]).toMatchObject({ name: 'sub', path: 'big/sub', isDirectory: true, sizeBytes: null });
    expect(page1[1]).toMatchObject({ name: 'f0000.dat', path: 'big/f0000.dat', isDirectory: false, sizeBytes: 1 });
    const page2 = (await browse({ path: 'big', first: 500, after: page1.at(-1)!.cursor })).data!.browse;
    const page3 = (await browse({ path: 'big', first: 500, after: page2.at(-1)!.cursor })).data!.browse;
    expect(page2).toHaveLength(500);
    expect(page3).toHaveLength(201); // fewer than asked: the last page
    const names = [...page1, ...page2, ...page3].map((e) => e.name);
    expect(names).toEqual(['sub', ...Array.from({ length: 1200 }, (_, i) => `f${String(i).padStart(4, '0')}.dat`)]);
  });

  it('serves at most 1000 entries without `first`, refuses more, and refuses a cursor it did not make', async () => {
    expect((await browse({ path: 'big' })).data!.browse).toHaveLength(1000);
    expect((await browse({ path: 'big', first: 5000 })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await browse({ path: 'big', first: 5, after: 'not-a-cursor' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
