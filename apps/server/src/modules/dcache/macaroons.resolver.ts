import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { StagingRequestType } from '../staging/staging.types';
import { RequestMacaroonType, toRequestMacaroon } from './macaroons.types';

@Resolver(() => StagingRequestType)
export class RequestMacaroonsResolver {
  /**
   * Owner only: a macaroon is a bearer credential to the owner's staged data, so everyone else,
   * administrators included, gets an empty list (admins still see per-site issuance in the log).
   */
  @FieldResolver(() => [RequestMacaroonType], {
    description: 'DCACHE_STAGE: one macaroon per dCache site and project of the request, issued as soon as a file below it is online. Visible to the request’s owner only; empty for everyone else, administrators included.',
  })
  async macaroons(@Root() r: StagingRequestType, @Ctx() ctx: GraphQLContext): Promise<RequestMacaroonType[]> {
    if (r.method !== 'DCACHE_STAGE' || !ctx.viewer || ctx.viewer.user.id !== r.snapshot.ownerId) return [];
    const rows = await ctx.services.macaroons.forRequest(r.id);
    return rows.map((m) => toRequestMacaroon(m, ctx.container.sites.sites.find((s) => s.id === m.site)));
  }
}
