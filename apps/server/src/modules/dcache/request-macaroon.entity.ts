import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { StagingRequest } from '../staging/staging-request.entity';

/**
 * The dCache macaroon of a (request, site, project root), as StageIT keeps one per LTA site per
 * request (several when the request spans projects). The token is stored sealed (AES-GCM, see SecretBox), never in clear text; the unique
 * key makes "one per site per request" hold even if two jobs race.
 */
const RequestMacaroonSchema = defineEntity({
  name: 'RequestMacaroon',
  tableName: 'request_macaroons',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    request: () => p.manyToOne(StagingRequest).deleteRule('cascade'),
    siteId: p.string(),
    /** SecretBox-sealed macaroon, bound to `<requestId>/<siteId>`. */
    tokenSealed: p.text(),
    /** The root caveat the macaroon was requested with (the namespace path it exposes). */
    rootCaveat: p.text(),
    validUntil: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['request', 'siteId', 'rootCaveat'] }],
});

export class RequestMacaroon extends RequestMacaroonSchema.class {}
RequestMacaroonSchema.setClass(RequestMacaroon);
