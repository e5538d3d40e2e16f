/**
 * Client of the Rucio REST API (Rucio documentation, "REST API" —
 * https://rucio.cern.ch/documentation/html/rest_api_doc.html, and rucio/lib/rucio/web/rest/flaskapi/v1/
 * {authentication,rules,dids}.py): GET /auth/userpass (X-Rucio-Account, X-Rucio-Username,
 * X-Rucio-Password → X-Rucio-Auth-Token), POST /rules/ (201, JSON list of rule ids),
 * GET /rules/{id} (lock counts), DELETE /rules/{id}, GET /dids/{scope}/{name}. Errors carry the
 * exception class in the `ExceptionClass` header and JSON body.
 */
import { StorageError } from '@stagecoach/storage';
import { peerFetch, type Fetch } from '../../lib/peer-http';

export interface RucioRule {
  id: string;
  state: 'OK' | 'REPLICATING' | 'STUCK' | 'SUSPENDED' | 'WAITING_APPROVAL' | 'INJECT';
  locks_ok_cnt: number;
  locks_replicating_cnt: number;
  locks_stuck_cnt: number;
  error?: string | null;
}

/** A Rucio exception answered by the server (e.g. DuplicateRule), with its class name. */
export class RucioError extends Error {
  constructor(
    readonly exceptionClass: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RucioError';
  }
}

async function rucioError(res: Response): Promise<RucioError> {
  const text = await res.text().catch(() => '');
  let cls = res.headers.get('exceptionclass') ?? '';
  let msg = res.headers.get('exceptionmessage') ?? '';
  try {
    const j = JSON.parse(text) as { ExceptionClass?: string; ExceptionMessage?: string };
    cls ||= j.ExceptionClass ?? '';
    msg ||= j.ExceptionMessage ?? '';
  } catch {
    // not JSON: keep the headers
  }
  return new RucioError(cls || `HTTP${res.status}`, msg.slice(0, 300) || `HTTP ${res.status}`, res.status);
}

export class RucioClient {
  private token: string | null = null;

  constructor(
    private readonly opts: { serverUrl: string; authUrl?: string; account: string; username: string; password: string },
    private readonly fetchImpl: Fetch = fetch,
  ) {}

  private url(base: string, p: string): string {
    return `${base.replace(/\/+$/, '')}${p}`;
  }

  /** Obtains a token with /auth/userpass (cached for this client). */
  async authenticate(): Promise<string> {
    if (this.token) return this.token;
    const res = await this.send('Rucio authentication', this.url(this.opts.authUrl ?? this.opts.serverUrl, '/auth/userpass'), {
      method: 'GET',
      headers: { 'X-Rucio-Account': this.opts.account, 'X-Rucio-Username': this.opts.username, 'X-Rucio-Password': this.opts.password },
    });
    const token = res.headers.get('x-rucio-auth-token');
    await res.body?.cancel();
    if (res.status !== 200 || !token) throw new StorageError('SITE_UNAVAILABLE', 'Rucio refused Stagecoach’s credentials; an administrator must fix the site configuration.', { retryable: false });
    this.token = token;
    return token;
  }

  /** Authenticated call; re-authenticates once when the token expired (401). */
  private async call(what: string, p: string, init: RequestInit): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.authenticate();
      const res = await this.send(what, this.url(this.opts.serverUrl, p), { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Rucio-Auth-Token': token, accept: 'application/json' } });
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        this.token = null;
        continue;
      }
      return res;
    }
  }

  private send(what: string, url: string, init: RequestInit): Promise<Response> {
    // 401 is Rucio's "token expired or invalid": answered to `call`, which authenticates again.
    return peerFetch(this.fetchImpl, what, url, { ...init, signal: init.signal ?? undefined }, { pass401: true });
  }

  /** Size of a DID in bytes (null when Rucio does not say); throws RucioError DataIdentifierNotFound. */
  async didBytes(scope: string, name: string): Promise<number | null> {
    const res = await this.call('Rucio DID lookup', `/dids/${encodeURIComponent(scope)}/${encodeURIComponent(name)}`, { method: 'GET' });
    if (res.status !== 200) throw await rucioError(res);
    const body = (await res.json()) as { bytes?: number | null };
    return typeof body.bytes === 'number' ? body.bytes : null;
  }

  /** Creates one replication rule for one DID; answers its id. */
  async addRule(rule: { scope: string; name: string; rseExpression: string; lifetime?: number; notify: boolean; comment: string }): Promise<string> {
    const res = await this.call('Rucio rule creation', '/rules/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dids: [{ scope: rule.scope, name: rule.name }],
        account: this.opts.account,
        copies: 1,
        rse_expression: rule.rseExpression,
        grouping: 'DATASET',
        lifetime: rule.lifetime ?? null,
        notify: rule.notify ? 'C' : 'N',
        comment: rule.comment,
      }),
    });
    if (res.status !== 201) throw await rucioError(res);
    const ids = (await res.json()) as string[];
    if (!ids[0]) throw new StorageError('TRANSFER_FAILED', 'Rucio created no rule.', { retryable: false });
    return ids[0];
  }

  /** A rule with its lock counts; null when Rucio no longer knows it (RuleNotFound). */
  async getRule(id: string): Promise<RucioRule | null> {
    const res = await this.call('Rucio rule status', `/rules/${encodeURIComponent(id)}`, { method: 'GET' });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) throw await rucioError(res);
    return (await res.json()) as RucioRule;
  }

  /** Deletes a rule (the replicas it created may then be cleaned up by Rucio). */
  async deleteRule(id: string): Promise<void> {
    const res = await this.call('Rucio rule deletion', `/rules/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ purge_replicas: false }) });
    if (res.status !== 200 && res.status !== 404) throw await rucioError(res);
    await res.body?.cancel();
  }
}
