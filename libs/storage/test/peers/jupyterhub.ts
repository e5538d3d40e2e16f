import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHP_VERSION = '5.3.0';

/** A real JupyterHub (Debian's package) on loopback, as the tests meet it. */
export interface JupyterHubPeer {
  /** The proxy's public URL, ending in `/`. */
  url: string;
  /** Token of the `stagecoach` service (scopes admin:users admin:servers access:servers read:users). */
  token: string;
  /** A file holding the token (how sites reference it). */
  tokenFile: string;
  /** Home folder of a hub user (SimpleLocalProcessSpawner: `<root>/home/<name>`). */
  home(name: string): string;
  /** Creates a hub user through the API (DummyAuthenticator accepts anyone; users must still exist). */
  createUser(name: string): Promise<void>;
  /** Whether the user's default server is running. */
  isRunning(name: string): Promise<boolean>;
  /** Stops the user's default server and waits until the hub says it is stopped. */
  stopServer(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Installs JupyterHub when missing (Debian packages, ~90 s once per machine; give the calling
 * hook a timeout of several minutes), with a message that says what happens and what to do.
 */
export async function ensureJupyterHubInstalled(): Promise<void> {
  // The script's progress goes to our stderr as it happens (an install takes about 90 s).
  let tail = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('bash', [path.join(HERE, 'install-jupyterhub.sh')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => {
      process.stderr.write(d);
      tail = (tail + d.toString()).slice(-2000);
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new Error(
      `JupyterHub is needed by this test and could not be installed (install-jupyterhub.sh exited with ${code}):\n${tail}\n` +
        'Install it by hand with `apt-get update && apt-get install -y jupyterhub python3-jupyter-server` (as root).',
    );
  }
}

/** configurable-http-proxy from npm (Debian's copy does not work with Debian's hub); installed on the fly if pnpm did not. */
export async function configurableHttpProxyBin(): Promise<string> {
  const require = createRequire(import.meta.url);
  try {
    const pkg = require.resolve('configurable-http-proxy/package.json');
    return path.join(path.dirname(pkg), 'bin', 'configurable-http-proxy');
  } catch {
    const prefix = path.join(os.tmpdir(), `stagecoach-chp-${CHP_VERSION}`);
    const bin = path.join(prefix, 'node_modules', 'configurable-http-proxy', 'bin', 'configurable-http-proxy');
    if (!existsSync(bin)) {
      process.stderr.write(`› configurable-http-proxy is not in node_modules (run pnpm install); installing ${CHP_VERSION} from npm into ${prefix}\n`);
      await run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `configurable-http-proxy@${CHP_VERSION}`], { timeout: 300_000 });
    }
    return bin;
  }
}

/**
 * Starts JupyterHub 3 on loopback: DummyAuthenticator, SimpleLocalProcessSpawner (servers run as
 * this user, `--allow-root`), homes in a temporary folder, a `stagecoach` service token. Spawns
 * report progress (slow_spawn_timeout 0), so starting a server goes through the progress stream.
 */
export async function startJupyterHub(): Promise<JupyterHubPeer> {
  await ensureJupyterHubInstalled();
  const chp = await configurableHttpProxyBin();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-hub-'));
  const token = randomBytes(24).toString('hex');
  const tokenFile = path.join(dir, 'service-token');
  await fs.writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  const [port, apiPort, hubPort] = [await freePort(), await freePort(), await freePort()];
  const py = (v: string) => JSON.stringify(v);
  await fs.writeFile(
    path.join(dir, 'jupyterhub_config.py'),
    [
      'c = get_config()  # noqa',
      `c.JupyterHub.ip = '127.0.0.1'`,
      `c.JupyterHub.port = ${port}`,
      `c.JupyterHub.hub_ip = '127.0.0.1'`,
      `c.JupyterHub.hub_port = ${hubPort}`,
      `c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${apiPort}'`,
      `c.ConfigurableHTTPProxy.command = [${py(chp)}]`,
      `c.JupyterHub.authenticator_class = 'dummy'`,
      `c.JupyterHub.spawner_class = 'simple'`,
      `c.Spawner.cmd = ['/usr/bin/jupyterhub-singleuser']`,
      `c.Spawner.args = ['--allow-root']`,
      `c.Spawner.environment = {'JUPYTERHUB_SINGLEUSER_APP': 'jupyter_server.serverapp.ServerApp'}`,
      `c.SimpleLocalProcessSpawner.home_dir_template = ${py(path.join(dir, 'home', '{username}'))}`,
      `c.JupyterHub.db_url = ${py(`sqlite:///${path.join(dir, 'hub.sqlite')}`)}`,
      `c.JupyterHub.cookie_secret_file = ${py(path.join(dir, 'cookie_secret'))}`,
      `c.JupyterHub.pid_file = ${py(path.join(dir, 'hub.pid'))}`,
      `c.JupyterHub.tornado_settings = {'slow_spawn_timeout': 0}`,
      `c.JupyterHub.services = [{'name': 'stagecoach', 'api_token': ${py(token)}}]`,
      `c.JupyterHub.load_roles = [{'name': 'stagecoach', 'scopes': ['admin:users', 'admin:servers', 'access:servers', 'read:users'], 'services': ['stagecoach']}]`,
      `c.JupyterHub.cleanup_servers = True`,
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, 'hub.log');
  const log = await fs.open(logFile, 'w');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  // pyenv or a virtualenv on PATH must not leak into Debian's Python.
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  delete env.VIRTUAL_ENV;
  const child: ChildProcess = spawn('/usr/bin/python3', ['-m', 'jupyterhub', '-f', 'jupyterhub_config.py'], { cwd: dir, env, stdio: ['ignore', log.fd, log.fd], detached: true });
  await log.close();
  let exited = false;
  // If the test process dies without stop(), take the hub (its own process group) with it.
  const killGroup = () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killGroup);
  child.once('exit', () => {
    exited = true;
    process.off('exit', killGroup);
  });
  const url = `http://127.0.0.1:${port}/`;
  const api = (p: string, init: RequestInit = {}) => fetch(new URL(`hub/api/${p}`, url), { ...init, headers: { authorization: `token ${token}` } });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited || Date.now() > deadline) {
      const tail = await fs.readFile(logFile, 'utf8').catch(() => '');
      if (!exited && child.pid) process.kill(-child.pid, 'SIGKILL');
      throw new Error(`JupyterHub did not start (${exited ? `exited with ${child.exitCode}` : 'timeout'}). Its log:\n${tail.slice(-4000)}`);
    }
    const ok = await api('').then((r) => r.ok, () => false);
    if (ok) break;
    await sleep(200);
  }

  const userServer = async (name: string) => {
    const res = await api(`users/${encodeURIComponent(name)}`);
    if (!res.ok) throw new Error(`hub: GET user ${name}: ${res.status}`);
    return ((await res.json()) as { servers: Record<string, { ready: boolean; pending: string | null }> }).servers[''];
  };

  return {
    url,
    token,
    tokenFile,
    home: (name) => path.join(dir, 'home', name),
    async createUser(name) {
      const res = await api(`users/${encodeURIComponent(name)}`, { method: 'POST' });
      if (!res.ok && res.status !== 409) throw new Error(`hub: create user ${name}: ${res.status} ${await res.text()}`);
    },
    async isRunning(name) {
      return Boolean((await userServer(name))?.ready);
    },
    async stopServer(name) {
      await api(`users/${encodeURIComponent(name)}/server`, { method: 'DELETE' });
      for (let i = 0; i < 100 && (await userServer(name)); i++) await sleep(100);
    },
    async stop() {
      if (!exited && child.pid) {
        // The hub stops the users' servers and its proxy on SIGTERM (cleanup_servers).
        process.kill(child.pid, 'SIGTERM');
        for (let i = 0; i < 100 && !exited; i++) await sleep(100);
        if (!exited) process.kill(-child.pid, 'SIGKILL');
      }
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
