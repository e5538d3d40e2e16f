import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DownloadLinks } from './download-links';

const links = new DownloadLinks(randomBytes(32), 'http://x');
const now = Date.UTC(2026, 10, 24);
const claims = { r: 'req', f: 'file', v: 1, e: now / 1000 + 60 };

describe('DownloadLinks', () => {
  it('verifies what it signed', () => {
    expect(links.verify(links.sign(claims), now)).toEqual({ ok: true, claims });
  });

  it('rejects a tampered body or signature', () => {
    const [body, mac] = links.sign(claims).split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, r: 'other' })).toString('base64url');
    expect(links.verify(`${forged}.${mac}`, now)).toEqual({ ok: false, reason: 'invalid' });
    // Change the first character to a different one: all of its bits count, unlike the last
    // character's, and a fixed replacement would change nothing when the signature already has it.
    expect(links.verify(`${body}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(links.verify('garbage', now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('rejects a link signed with another key', () => {
    const other = new DownloadLinks(randomBytes(32), 'http://x');
    expect(links.verify(other.sign(claims), now).ok).toBe(false);
  });

  it('reports an expired link as expired', () => {
    expect(links.verify(links.sign(claims), now + 61_000)).toEqual({ ok: false, reason: 'expired' });
  });
});
