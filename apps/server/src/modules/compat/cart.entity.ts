import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { StagingRequest } from '../staging/staging-request.entity';
import { User } from '../users/user.entity';

/** A checksum the client gave for one of the cart's files. */
export interface CartCheck {
  /** The file's `id` as the client sent it (its path in the archive). */
  source: string;
  hashtype: string;
  hashsum: string;
}

const CartSchema = defineEntity({
  name: 'Cart',
  tableName: 'carts',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    owner: () => p.manyToOne(User).deleteRule('cascade'),
    /**
     * The client's cart id (cartd clients mint it, e.g. with uuidgen). Scoped to the owner: two
     * users may use the same uid without seeing each other's cart.
     */
    uid: p.string().length(128),
    request: () => p.manyToOne(StagingRequest).deleteRule('cascade'),
    /**
     * After staging: null until the `cart_bundle` job runs, then `bundling` while it verifies the
     * files (the client's hashsums), and `ready` or `error` (with `bundleMessage`).
     */
    bundleState: p.enum(['bundling', 'ready', 'error'] as const).nullable(),
    bundleMessage: p.text().nullable(),
    /** The client's `hashtype`/`hashsum` for the files it gave them for. */
    checks: p.json<CartCheck[]>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['owner', 'uid'] }],
});

/** A Pacifica cart: the client's uid, mapped onto the DIRECT_DOWNLOAD request that stages it. */
export class Cart extends CartSchema.class {}
CartSchema.setClass(Cart);
