import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { linkSigningKey } from './secrets';

const VERSION = 'v1';

/**
 * Authenticated encryption (AES-256-GCM) for secrets stored in the database, such as dCache
 * macaroons: a database dump alone does not hand out read access to the archive. The key is
 * derived with HKDF from the installation secret (SESSION_SECRET, else the per-installation key
 * in DATA_DIR), with its own `info`, so it never equals the link-signing key itself.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  /** `v1.<iv>.<ciphertext+tag>` (base64url); `aad` binds the ciphertext to its row (e.g. request + site). */
  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  /** Throws when the value was tampered with, moved to another row, or sealed under another key. */
  open(sealed: string, aad: string): string {
    const [version, ivText, bodyText] = sealed.split('.');
    if (version !== VERSION || !ivText || !bodyText) throw new Error('unknown sealed-secret format');
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
  }
}

/** Module-wide on purpose: one key derivation per installation secret and process (keyed by it, so tests with other secrets stay apart). */
const boxes = new Map<string, Promise<SecretBox>>();

/** A box per installation secret and purpose (memoised: the key file is read once); `purpose` is the HKDF info, so each purpose has its own key. */
function boxFor(config: { sessionSecret: string | undefined; dataDir: string }, purpose: string): Promise<SecretBox> {
  const cacheKey = `${config.dataDir}\u0000${config.sessionSecret ?? ''}\u0000${purpose}`;
  let box = boxes.get(cacheKey);
  if (!box) {
    box = linkSigningKey(config).then((ikm) => new SecretBox(Buffer.from(hkdfSync('sha256', ikm, 'stagecoach', purpose, 32))));
    boxes.set(cacheKey, box);
  }
  return box;
}

/** The box for macaroons at rest, one per installation secret. */
export function macaroonBox(config: { sessionSecret: string | undefined; dataDir: string }): Promise<SecretBox> {
  return boxFor(config, 'dcache-macaroons-at-rest v1');
}

/** The box for a request's own delivery token at rest (e.g. the Jupyter token a SKAO client sends). */
export function deliveryTokenBox(config: { sessionSecret: string | undefined; dataDir: string }): Promise<SecretBox> {
  return boxFor(config, 'delivery-tokens-at-rest v1');
}
