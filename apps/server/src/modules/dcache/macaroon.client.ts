/**
 * Requests a macaroon from a dCache WebDAV door as documented in the dCache Book, chapter
 * "Macaroons" (https://www.dcache.org/manuals/Book-9.2/macaroons.shtml, "Requesting a macaroon"):
 * `POST <door>/<path>` with `Content-Type: application/macaroon-request` and a JSON body
 * `{"caveats": ["activity:...", "root:..."], "validity": "<ISO-8601 duration>"}`; the door answers
 * 200 with `{"macaroon": "...", "uri": {"targetWithMacaroon", "baseWithMacaroon", "target", "base"}}`.
 */
import { StorageError } from '@stagecoach/storage';
import { importMacaroon } from 'macaroon';
import { peerFetch, problemText, type Fetch } from '../../lib/peer-http';

export interface MacaroonRequest {
  rootCaveatPath: string;
  /** A `path:` caveat (relative to the root) that limits the macaroon further; omitted when null. */
  pathCaveat?: string | null;
  activities: readonly string[];
  validity: string;
}

export interface IssuedMacaroon {
  token: string;
  /** From the macaroon's own `before:` caveat when present, else now + validity. */
  validUntil: Date;
}

/** Reads the earliest `before:` caveat of a serialised macaroon (dCache always adds one). */
export function macaroonExpiry(token: string): Date | null {
  try {
    // Base64 of the binary format (dCache) or of the JSON format.
    const bytes = Buffer.from(token, 'base64url');
    const m = importMacaroon(bytes[0] === 0x7b ? (JSON.parse(bytes.toString('utf8')) as object) : new Uint8Array(bytes));
    const single = Array.isArray(m) ? m[0] : m;
    let earliest: number | null = null;
    for (const c of single?.caveats ?? []) {
      const text = Buffer.from(c.identifier).toString('utf8');
      if (!text.startsWith('before:')) continue;
      const t = Date.parse(text.slice('before:'.length));
      if (!Number.isNaN(t) && (earliest === null || t < earliest)) earliest = t;
    }
    return earliest === null ? null : new Date(earliest);
  } catch {
    return null;
  }
}

export async function requestMacaroon(fetchImpl: Fetch, doorUrl: string, authorization: string | null, req: MacaroonRequest, fallbackUntil: Date): Promise<IssuedMacaroon> {
  const res = await peerFetch(fetchImpl, 'macaroon request', doorUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/macaroon-request', accept: 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({
      caveats: [`activity:${req.activities.join(',')}`, `root:${req.rootCaveatPath}`, ...(req.pathCaveat ? [`path:${req.pathCaveat}`] : [])],
      validity: req.validity,
    }),
  });
  if (res.status !== 200) throw new StorageError('TRANSFER_FAILED', `The WebDAV door refused to issue a macaroon: ${await problemText(res)}`, { retryable: false });
  const body = (await res.json()) as { macaroon?: string };
  if (!body.macaroon) throw new StorageError('TRANSFER_FAILED', 'The WebDAV door answered without a macaroon.', { retryable: true });
  return { token: body.macaroon, validUntil: macaroonExpiry(body.macaroon) ?? fallbackUntil };
}
