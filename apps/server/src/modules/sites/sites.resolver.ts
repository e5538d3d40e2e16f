import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { BROWSE_PAGE_MAX } from './sites.service';
import { DirEntryType, SiteType, toDirEntry, toSite } from './sites.types';

@Resolver()
export class SitesResolver {
  @Authorized()
  @Query(() => [SiteType], { description: 'The configured sites.' })
  sites(@Ctx() ctx: GraphQLContext): SiteType[] {
    return ctx.container.sites.sites.map(toSite);
  }

  @Authorized()
  @Query(() => [DirEntryType], {
    description: `Lists a folder of a source site (folders first, then by name), a page at a time: at most \`first\` entries (default and most ${BROWSE_PAGE_MAX}) after the entry whose \`cursor\` is \`after\`. Fewer than \`first\` entries: the folder has no more.`,
  })
  async browse(
    @Ctx() ctx: GraphQLContext,
    @Arg('siteId', () => ID, { nullable: true }) siteId: string | null,
    @Arg('path', () => String, { nullable: true, defaultValue: '' }) path: string | null,
    @Arg('first', () => Int, { nullable: true, description: `Entries per page, 1–${BROWSE_PAGE_MAX}. Default: the most.` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The `cursor` of the last entry of the previous page.' }) after: string | null,
  ): Promise<DirEntryType[]> {
    return (await ctx.container.sites.browse(siteId, path ?? '', { first, after })).map(toDirEntry);
  }
}
