/**
 * Runs every `bash`, `python` and `ts` block of docs/api.md and docs/integrators.md against a real
 * server, with STAGECOACH_URL and STAGECOACH_TOKEN set as the docs say, and checks each block's
 * output against its `# expect: …` lines: the docs cannot drift from what the server does.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../test/db';
import { startTestServer, userWithToken } from '../test/app';
import { codeBlocks, expectations, REPO_ROOT } from '../test/markdown';

const run = promisify(execFile);
const DOCS = ['docs/api.md', 'docs/integrators.md'];
const CLIENT_DIR = path.join(REPO_ROOT, 'libs/client');
const TSX = path.join(REPO_ROOT, 'apps/server/node_modules/.bin/tsx');

/** Debian's python3 first: that is where apt installs python3-requests and python3-websockets. */
async function findPython(): Promise<string | null> {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      await run(python, ['-c', 'import requests, websockets']);
      return python;
    } catch {
      // try the next one
    }
  }
  return null;
}
const python = await findPython();
// On a developer's machine a missing interpreter skips the Python examples; CI must run them all
// (scripts/run.sh installs python3-websockets), so there it fails instead.
if (!python && process.env.CI) throw new Error('python3 with requests and websockets is required to run the docs examples (apt-get install python3-requests python3-websockets)');
// The TypeScript examples use the typed client; they run once libs/client exists.
const hasClient = existsSync(path.join(CLIENT_DIR, 'package.json'));

let env: Record<string, string>;
let workDir: string;

beforeAll(async () => {
  const db = await createTestDatabase();
  const server = await startTestServer(db.orm, {}, { dbUrl: db.url });
  const user = await userWithToken(db.orm, { email: 'integrator@example.org' });
  // The examples stage the sample `catalogs` folder every fresh archive holds (fixtures/files);
  // a different stars.csv in the user's area makes staging into results/catalogs fail one file
  // with TARGET_EXISTS.
  const mine = path.join(server.dataDir, 'sites', 'users', 'integrator', 'results', 'catalogs');
  await fs.mkdir(mine, { recursive: true });
  await fs.writeFile(path.join(mine, 'stars.csv'), 'my own stars\n');

  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-docs-'));
  if (hasClient) {
    // The examples import '@stagecoach/client' as an integrator's project would.
    await fs.mkdir(path.join(workDir, 'node_modules', '@stagecoach'), { recursive: true });
    await fs.symlink(CLIENT_DIR, path.join(workDir, 'node_modules', '@stagecoach', 'client'));
  }
  env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workDir, STAGECOACH_URL: server.url, STAGECOACH_TOKEN: user.token };
});

async function runBlock(lang: string, code: string, line: number): Promise<{ stdout: string; stderr: string }> {
  const file = path.join(workDir, `example-${line}.${{ bash: 'sh', python: 'py', ts: 'mts' }[lang]}`);
  await fs.writeFile(file, code);
  const [cmd, args] = lang === 'bash' ? ['bash', ['-euo', 'pipefail', file]] : lang === 'python' ? [python!, [file]] : [TSX, [file]];
  try {
    return await run(cmd, args, { cwd: workDir, env, timeout: 90_000 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${err.message}\n--- stdout\n${err.stdout}\n--- stderr\n${err.stderr}`, { cause: e });
  }
}

for (const doc of DOCS) {
  describe(doc, () => {
    const blocks = codeBlocks(path.join(REPO_ROOT, doc)).filter((b) => ['bash', 'python', 'ts'].includes(b.lang));

    it('has runnable examples, each with an expected output', () => {
      expect(blocks.length).toBeGreaterThan(0);
      for (const b of blocks) expect(expectations(b.code), `${doc}:${b.line} has no "expect:" line`).not.toHaveLength(0);
    });

    for (const b of blocks) {
      const skip = (b.lang === 'python' && !python) || (b.lang === 'ts' && !hasClient);
      it.skipIf(skip)(`${b.lang} example at line ${b.line}`, { timeout: 120_000 }, async () => {
        const { stdout, stderr } = await runBlock(b.lang, b.code, b.line);
        for (const re of expectations(b.code)) expect(stdout, `stderr:\n${stderr}`).toMatch(re);
      });
    }
  });
}
