import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A random secret kept in DATA_DIR (mode 0600), for development installs without SESSION_SECRET:
 * signed links and sessions then survive restarts. Production sets SESSION_SECRET instead.
 */
export async function loadOrCreateSecret(dataDir: string, name: string): Promise<Buffer> {
  const file = path.join(dataDir, `${name}.key`);
  const existing = await fs.readFile(file, 'utf8').catch(() => null);
  if (existing && existing.trim().length >= 43) return Buffer.from(existing.trim(), 'base64url');
  const secret = randomBytes(32);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, secret.toString('base64url'), { mode: 0o600 });
  return secret;
}

/** The key signing download links: derived from SESSION_SECRET when set, else the local secret. */
export async function linkSigningKey(config: { sessionSecret: string | undefined; dataDir: string }): Promise<Buffer> {
  if (config.sessionSecret) return Buffer.from(config.sessionSecret);
  return loadOrCreateSecret(config.dataDir, 'link-signing');
}
