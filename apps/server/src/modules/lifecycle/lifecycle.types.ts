import { registerEnumType } from 'type-graphql';
import { EXPIRY_REASONS, type ExpiryReason } from './lifecycle.service';

export const ExpiryReasonEnum = Object.fromEntries(EXPIRY_REASONS.map((r) => [r, r])) as { [K in ExpiryReason]: K };
registerEnumType(ExpiryReasonEnum, {
  name: 'ExpiryReason',
  description: 'Why the results of a request were removed: EXPIRED (retention ran out), EVICTED (space was needed on a cache site), PURGED (an operator), DELETED (the owner, e.g. a deleted cart).',
});
