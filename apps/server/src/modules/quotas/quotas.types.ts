import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { QuotaSummary } from './quota.service';

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
