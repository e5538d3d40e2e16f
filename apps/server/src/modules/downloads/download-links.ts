import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  /** Request id. */
  r: string;
  /** File id; absent = the whole request (a tar bundle when it has several files). */
  f?: string;
  /** Request link version at signing: bumping it (cancel, revoke) invalidates every link. */
  v: number;
  /** Expiry, seconds since the epoch. */
  e: number;
}

export type VerifyResult = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Signed download links: `<base64url(claims)>.<base64url(HMAC-SHA256)>`. Stateless to check,
 * expiring, and revocable through the request's link version. The key is SESSION_SECRET (or a
 * per-installation secret in development), never stored with the data.
 */
export class DownloadLinks {
  constructor(
    private readonly key: Buffer,
    private readonly publicUrl: string,
  ) {}

  sign(claims: LinkClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  url(claims: LinkClaims): string {
    return `${this.publicUrl}/download/${this.sign(claims)}`;
  }

  verify(token: string, nowMs: number): VerifyResult {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined || body.length > 2000) return { ok: false, reason: 'invalid' };
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    let claims: LinkClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as LinkClaims;
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (typeof claims.r !== 'string' || typeof claims.v !== 'number' || typeof claims.e !== 'number') return { ok: false, reason: 'invalid' };
    if (claims.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update('download:').update(body).digest('base64url');
  }
}
