import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { DirEntryType, SiteType, toDirEntry, toSite } from './sites.types';

@Resolver()
export class SitesResolver {
  @Authorized()
  @Query(() => [SiteType], { description: 'The configured sites.' })
  sites(@Ctx() ctx: GraphQLContext): SiteType[] {
    return ctx.container.sites.sites.map(toSite);
  }

  @Authorized()
  @Query(() => [DirEntryType], { description: 'Lists a folder of a source site (folders first, then by name).' })
  async browse(
    @Ctx() ctx: GraphQLContext,
    @Arg('siteId', () => ID, { nullable: true }) siteId: string | null,
    @Arg('path', () => String, { nullable: true, defaultValue: '' }) path: string | null,
  ): Promise<DirEntryType[]> {
    return (await ctx.container.sites.browse(siteId, path ?? '')).map(toDirEntry);
  }
}
