/**
 * For the remote-target scenarios (jupyter-copy, s3-copy): a BenchServer whose SITES_FILE holds
 * the two default POSIX sites (`archive`, `users`) plus one JUPYTERHUB or S3 site pointing at a
 * real peer from `@stagecoach/storage/testing`, and the server's peak RSS while work runs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sleep } from './files';
import type { ScenarioContext } from './scenario';
import { BenchServer, rssOf } from './server';

export interface SitedServer {
  server: BenchServer;
  /** Root of the `archive` source site: bench inputs go here (the server's own `archive` getter does not apply). */
  archive: string;
  /** Stops the server and removes its DATA_DIR and the sites folder. */
  close(): Promise<void>;
}

/**
 * Writes `<tmp>/sites.json` (archive + users POSIX sites below `<tmp>`, plus `site`) and starts the
 * server on it. Secrets are only named in the file (`{ env: NAME }`); their values go in `secrets`,
 * which become the server's environment.
 */
export async function startWithSite(
  name: string,
  ctx: ScenarioContext,
  site: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<SitedServer> {
  const dir = await fs.mkdtemp(path.join('/var/tmp', `stagecoach-bench-${name}-sites-`));
  const archive = path.join(dir, 'archive');
  await fs.mkdir(archive);
  await fs.mkdir(path.join(dir, 'users'));
  const sitesFile = path.join(dir, 'sites.json');
  const sites = [
    { id: 'archive', name: 'Archive', kind: 'POSIX', root: 'archive', roles: ['source'], sandbox: 'sandbox', default: true },
    { id: 'users', name: 'User areas', kind: 'POSIX', root: 'users', roles: ['target'] },
    site,
  ];
  await fs.writeFile(sitesFile, JSON.stringify({ sites }, null, 2));
  let server: BenchServer;
  try {
    server = await BenchServer.start(name, {
      env: { ...ctx.serverEnv, ...secrets, SITES_FILE: sitesFile },
      nodeArgs: ctx.serverNodeArgs,
    });
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    server,
    archive,
    async close() {
      await server.stop();
      await server.cleanup();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` while sampling the RSS of `pid` every 50 ms (as tar-2g does); `before` is read right before it starts. */
export async function withRssPeak<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; before: number; peak: number }> {
  const before = await rssOf(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOf(pid));
      await sleep(50);
    }
  })();
  const value = await work().finally(() => (sampling = false));
  await sampler;
  peak = Math.max(peak, await rssOf(pid));
  return { value, before, peak };
}
