import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { DateTimeScalar } from '../../graphql/scalars';
import { StagingRequestType, toStagingRequest } from '../staging/staging.types';
import { UserType } from '../users/user.types';
import type { ExpiryReason } from './lifecycle.service';
import { ExpiryReasonEnum, toUserQuota, UserQuotaType } from './lifecycle.types';

@Resolver(() => StagingRequestType)
export class LifecycleResolver {
  @Authorized()
  @Mutation(() => StagingRequestType, {
    description: 'Keeps the results of a finished request `days` longer (from now when already due). Users may go up to EXTEND_MAX beyond the original expiry (BAD_USER_INPUT with `maxExpiresAt` otherwise); admins without limit.',
  })
  async extendStagingRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('days', () => Int) days: number): Promise<StagingRequestType> {
    return toStagingRequest(await ctx.services.lifecycle.extend(viewerOf(ctx), id, days));
  }

  @FieldResolver(() => Boolean, { description: 'The results were removed (expired, evicted, purged or deleted): files are gone from the user area and links no longer work.' })
  expired(@Root() r: StagingRequestType): boolean {
    return Boolean(r.snapshot.expiredAt);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When the results were removed.' })
  expiredAt(@Root() r: StagingRequestType): Date | null {
    return r.snapshot.expiredAt ? new Date(r.snapshot.expiredAt) : null;
  }

  @FieldResolver(() => ExpiryReasonEnum, { nullable: true, description: 'Why the results were removed.' })
  expiryReason(@Root() r: StagingRequestType): ExpiryReason | null {
    return (r.snapshot.expiryReason as ExpiryReason | null | undefined) ?? null;
  }
}

@Resolver(() => UserType)
export class QuotaResolver {
  @FieldResolver(() => UserQuotaType, { nullable: true, description: 'Quotas and usage; visible to the user themselves and to admins (null for others).' })
  async quota(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<UserQuotaType | null> {
    const viewer = ctx.viewer?.user;
    if (!viewer || viewer.status !== 'ACTIVE' || (viewer.id !== user.id && viewer.role !== 'ADMIN')) return null;
    return toUserQuota(await ctx.services.quotas.summary(user.id));
  }

  @Authorized('ADMIN')
  @Mutation(() => UserQuotaType, {
    description: "Overrides a user's quota (ADMIN): with `siteId`, bytes on that site; without, the user-wide defaults (bytes on every site, active requests). A null value falls back to the configured default.",
  })
  async setUserQuota(
    @Ctx() ctx: GraphQLContext,
    @Arg('userId', () => ID) userId: string,
    @Arg('siteId', () => ID, { nullable: true }) siteId: string | null,
    @Arg('maxBytes', () => Float, { nullable: true }) maxBytes: number | null,
    @Arg('maxActiveRequests', () => Int, { nullable: true }) maxActiveRequests: number | null,
  ): Promise<UserQuotaType> {
    return toUserQuota(await ctx.services.quotas.setOverride(viewerOf(ctx), userId, siteId, { maxBytes: maxBytes ?? null, maxActiveRequests: maxActiveRequests ?? null }));
  }
}
