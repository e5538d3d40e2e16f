import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config/env';
import type { Logger } from '../../lib/logger';
import { RequestMacaroon } from './request-macaroon.entity';
import { macaroonBox } from '../../lib/secret-box';

export interface MacaroonView {
  site: string;
  rootPath: string;
  validUntil: Date;
  token: string;
}

/** The sealed-at-rest macaroons of a request: stored once per site, opened for the owner only. */
export class MacaroonsService {
  constructor(
    private readonly em: EntityManager,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  static aad(requestId: string, siteId: string): string {
    return `request-macaroon:${requestId}/${siteId}`;
  }

  /** The stored macaroon of (request, site, root) when still valid at `now`, opened. */
  async valid(requestId: string, siteId: string, rootCaveat: string, now: Date): Promise<string | null> {
    const row = await this.em.fork().findOne(RequestMacaroon, { request: requestId, siteId, rootCaveat });
    if (!row || row.validUntil.getTime() <= now.getTime()) return null;
    return this.open(row);
  }

  /**
   * Stores the macaroon of (request, site, root); when one is already stored (a concurrent or
   * repeated job), keeps that one: the unique key is what guarantees one macaroon per site and
   * project root per request.
   */
  async store(requestId: string, siteId: string, token: string, rootCaveat: string, validUntil: Date): Promise<void> {
    const box = await macaroonBox(this.config);
    const sealed = box.seal(token, MacaroonsService.aad(requestId, siteId));
    await this.em.getConnection().execute(
      `insert into request_macaroons (id, request_id, site_id, token_sealed, root_caveat, valid_until, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, now())
       on conflict (request_id, site_id, root_caveat) do update set token_sealed = excluded.token_sealed, root_caveat = excluded.root_caveat, valid_until = excluded.valid_until, created_at = excluded.created_at
       where request_macaroons.valid_until <= now()`,
      [requestId, siteId, sealed, rootCaveat, validUntil],
    );
  }

  /** Every macaroon of a request, opened; one that cannot be opened (secret rotated) is left out and logged. */
  async forRequest(requestId: string): Promise<MacaroonView[]> {
    const rows = await this.em.find(RequestMacaroon, { request: requestId }, { orderBy: { siteId: 'asc', rootCaveat: 'asc' } });
    const out: MacaroonView[] = [];
    for (const row of rows) {
      const token = await this.open(row);
      if (token) out.push({ site: row.siteId, rootPath: row.rootCaveat, validUntil: row.validUntil, token });
    }
    return out;
  }

  private async open(row: RequestMacaroon): Promise<string | null> {
    try {
      return (await macaroonBox(this.config)).open(row.tokenSealed, MacaroonsService.aad(row.request.id, row.siteId));
    } catch (e) {
      this.logger.warn({ err: e, stagingRequestId: row.request.id, siteId: row.siteId }, 'a stored macaroon cannot be opened (installation secret changed?)');
      return null;
    }
  }
}
