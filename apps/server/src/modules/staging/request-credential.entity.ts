import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { StagingRequest } from './staging-request.entity';

/**
 * A token the submitter gave for this request's delivery, used instead of the target site's own
 * (a SKAO client's `jupyter_token` for JUPYTER_COPY). Stored sealed (AES-GCM, `deliveryTokenBox`),
 * bound to the request; never shown, returned or logged. It goes with its request.
 */
const RequestCredentialSchema = defineEntity({
  name: 'RequestCredential',
  tableName: 'request_credentials',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    request: () => p.manyToOne(StagingRequest).deleteRule('cascade').unique(),
    /** SecretBox-sealed token, bound to the request id. */
    tokenSealed: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class RequestCredential extends RequestCredentialSchema.class {}
RequestCredentialSchema.setClass(RequestCredential);
