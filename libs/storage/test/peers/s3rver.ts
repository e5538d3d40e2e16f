import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real S3 server (s3rver from npm) on loopback, in its own process, with the operations s3rver
 * 3.7.1 lacks added as S3 documents them (see s3rver-server.mjs).
 */
export interface S3Peer {
  /** `http://127.0.0.1:<port>`; use path-style addressing. */
  endpoint: string;
  region: string;
  /** s3rver's fixed credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Where s3rver keeps the objects. */
  directory: string;
  stop(): Promise<void>;
}

/** Starts s3rver with the given buckets on a free loopback port (it prints the port it got). */
export async function startS3rver(opts: { buckets: string[] }): Promise<S3Peer> {
  const require = createRequire(import.meta.url);
  require.resolve('s3rver/package.json'); // a clear failure when pnpm did not install it
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'stagecoach-s3rver-'));
  // s3rver with the S3 operations its last version lacks (multipart listing and abort, conditional writes).
  const args = [path.join(path.dirname(fileURLToPath(import.meta.url)), 's3rver-server.mjs'), directory, ...opts.buckets];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${output}`)), 20_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on [^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${output}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    directory,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await fs.rm(directory, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
