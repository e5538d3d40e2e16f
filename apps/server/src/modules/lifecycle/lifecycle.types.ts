import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { EXPIRY_REASONS, type ExpiryReason } from './lifecycle.service';
import type { QuotaSummary } from './quota.service';

export const ExpiryReasonEnum = Object.fromEntries(EXPIRY_REASONS.map((r) => [r, r])) as { [K in ExpiryReason]: K };
registerEnumType(ExpiryReasonEnum, {
  name: 'ExpiryReason',
  description: 'Why the results of a request were removed: EXPIRED (retention ran out), EVICTED (space was needed on a cache site), PURGED (an operator), DELETED (the owner, e.g. a deleted cart).',
});

@ObjectType('SiteQuota', { description: 'Bytes a user holds on one target site against their limit.' })
export class SiteQuotaType {
  @Field(() => ID, { description: 'The target site.' })
  siteId!: string;

  @Field(() => Float, { description: 'Bytes held: staged copies of unexpired requests, plus files still queued or in flight.' })
  usedBytes!: number;

  @Field(() => Float, { nullable: true, description: 'Limit in bytes; null = unlimited.' })
  maxBytes!: number | null;
}

@ObjectType('UserQuota', { description: "A user's quotas and what they use of them." })
export class UserQuotaType {
  @Field(() => Int, { description: 'Requests queued or running now.' })
  activeRequests!: number;

  @Field(() => Int, { nullable: true, description: 'Requests that may be queued or running at once; null = unlimited.' })
  maxActiveRequests!: number | null;

  @Field(() => [SiteQuotaType], { description: 'One entry per target site.' })
  sites!: SiteQuotaType[];
}

export const toUserQuota = (q: QuotaSummary): UserQuotaType =>
  Object.assign(new UserQuotaType(), { ...q, sites: q.sites.map((s) => Object.assign(new SiteQuotaType(), s)) });
