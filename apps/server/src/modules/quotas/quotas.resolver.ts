import { Arg, Authorized, Ctx, FieldResolver, Float, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { UserType } from '../users/user.types';
import { toUserQuota, UserQuotaType } from './quotas.types';

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
