/**
 * `pnpm bench [-- <scenario>...] [--quick] [--runs N] [--no-build] [--env K=V] [--cpu-prof]`
 *
 * Drives the real server (child process, fresh DATA_DIR, CLI-minted token) over GraphQL/HTTP/
 * WebSocket and compares every figure with a reference tool run right beside it (min/median/max
 * over several runs, alternating ours and the reference; see bench/README.md). Prints one table and
 * writes `<repo>/bench/results/<scenario>-<timestamp>.json` per scenario.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Scenario, ScenarioContext } from './lib/scenario';
import { REPO_DIR, serverUnderTestDir, setServerUnderTest } from './lib/server';
import { renderTable, type Row } from './lib/stats';
import { scaleOut } from './scale-out';
import { copy1g } from './scenarios/copy-1g';
import { files10k } from './scenarios/files-10k';
import { jupyterCopy } from './scenarios/jupyter-copy';
import { logs100 } from './scenarios/logs-100';
import { s3Copy } from './scenarios/s3-copy';
import { stage50c } from './scenarios/stage-50c';
import { tar2g } from './scenarios/tar-2g';

const SCENARIOS: Scenario[] = [copy1g, files10k, stage50c, logs100, tar2g, jupyterCopy, s3Copy, scaleOut];

const USAGE = `Usage: pnpm bench [-- [scenario...] [--quick] [--runs N] [--no-build] [--env KEY=VALUE]... [--cpu-prof] [--server-dir DIR]]

Scenarios (default: all):
${SCENARIOS.map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join('\n')}

  --quick      small sizes and few runs (smoke test of the bench itself)
  --runs N     timed runs per side (default 5, --quick 2)
  --no-build   use apps/server/dist as it is (default: rebuild it first)
  --env K=V    extra environment for the server under test (repeatable), e.g. WORKER_CONCURRENCY=16
  --cpu-prof   run the server with --cpu-prof (profiles land in bench/results/prof/)
  --server-dir DIR
               bench the server package in DIR (e.g. an exported older commit whose
               node_modules link to this checkout's) instead of apps/server: before/after runs
`;

function parseArgs(argv: string[]) {
  const names: string[] = [];
  const env: Record<string, string> = {};
  let quick = false;
  let runs: number | undefined;
  let build = true;
  let cpuProf = false;
  let serverDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    else if (a === '--quick') quick = true;
    else if (a === '--no-build') build = false;
    else if (a === '--cpu-prof') cpuProf = true;
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a === '--server-dir') serverDir = argv[++i];
    else if (a === '--env') {
      const [k, ...v] = (argv[++i] ?? '').split('=');
      if (!k || v.length === 0) throw new Error('--env needs KEY=VALUE');
      env[k] = v.join('=');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n\n${USAGE}`);
    else names.push(a);
  }
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}\n\n${USAGE}`);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) throw new Error('--runs needs a positive integer');
  return { names, env, quick, runs: runs ?? (quick ? 2 : 5), build, cpuProf, serverDir };
}

function gitDescribe(): { commit: string; dirty: boolean; serverDir: string } {
  const serverDir = serverUnderTestDir();
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'apps/server', 'libs'], { cwd: REPO_DIR, encoding: 'utf8' }).trim() !==
      '';
    return { commit, dirty, serverDir };
  } catch {
    return { commit: 'unknown', dirty: true, serverDir };
  }
}

/** Other work on the machine skews every figure; record it so a reader can judge a run. */
async function machineLoad(): Promise<{ loadavg1: number; cpuPressureSome10: number | null }> {
  const psi = await fs.readFile('/proc/pressure/cpu', 'utf8').catch(() => '');
  const m = /^some avg10=([\d.]+)/m.exec(psi);
  return { loadavg1: os.loadavg()[0]!, cpuPressureSome10: m ? Number(m[1]) : null };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const chosen = opts.names.length ? SCENARIOS.filter((s) => opts.names.includes(s.name)) : SCENARIOS;
  const log = (m: string) => process.stderr.write(`${m}\n`);

  if (opts.serverDir) setServerUnderTest(opts.serverDir);
  if (opts.build) {
    log(`› building ${path.join(serverUnderTestDir(), 'dist')}`);
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: serverUnderTestDir(), stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed');
  }
  const resultsDir = path.join(REPO_DIR, 'bench', 'results');
  await fs.mkdir(resultsDir, { recursive: true });
  const nodeArgs: string[] = [];
  if (opts.cpuProf) {
    const profDir = path.join(resultsDir, 'prof');
    await fs.mkdir(profDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  }

  const ctx: ScenarioContext = { quick: opts.quick, runs: opts.runs, serverEnv: opts.env, serverNodeArgs: nodeArgs, log };
  const environment = {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    ...gitDescribe(),
    quick: opts.quick,
    runs: opts.runs,
    serverEnv: opts.env,
  };
  const rows: Row[] = [];
  let failed = false;
  for (const s of chosen) {
    log(`\n› ${s.name}: ${s.description}${opts.quick ? ' [quick]' : ''}`);
    const startedAt = new Date();
    const loadBefore = await machineLoad();
    if (loadBefore.loadavg1 > 1)
      log(`  note: the machine is busy (load average ${loadBefore.loadavg1.toFixed(2)}); figures will be noisier`);
    try {
      const result = await s.run(ctx);
      const loadAfter = await machineLoad();
      rows.push(...result.rows);
      const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
      const file = path.join(resultsDir, `${s.name}-${stamp}.json`);
      await fs.writeFile(
        file,
        JSON.stringify(
          {
            scenario: s.name,
            startedAt,
            finishedAt: new Date(),
            environment,
            load: { before: loadBefore, after: loadAfter },
            rows: result.rows,
            raw: result.raw,
          },
          null,
          2,
        ),
      );
      log(`  wrote ${path.relative(REPO_DIR, file)}`);
    } catch (e) {
      failed = true;
      log(`  ${s.name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  process.stdout.write(`\n${renderTable(rows)}\n`);
  if (failed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
