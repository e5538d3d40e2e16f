import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { ApiTokenType, CreatedApiTokenType, toApiToken } from './token.types';

@Resolver()
export class TokensResolver {
  @Authorized()
  @Query(() => [ApiTokenType], { description: "The caller's API tokens, newest first." })
  async apiTokens(@Ctx() ctx: GraphQLContext): Promise<ApiTokenType[]> {
    return (await ctx.services.tokens.list(viewerOf(ctx).id)).map(toApiToken);
  }

  @Authorized()
  @Mutation(() => CreatedApiTokenType, { description: 'Creates a personal API token; its secret is returned once.' })
  async createApiToken(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('expiresInDays', () => Int, { nullable: true, defaultValue: 90 }) expiresInDays: number | null,
  ): Promise<CreatedApiTokenType> {
    const { token, secret } = await ctx.services.tokens.create(viewerOf(ctx), name, expiresInDays);
    return Object.assign(new CreatedApiTokenType(), { token: toApiToken(token), secret });
  }

  @Authorized()
  @Mutation(() => ApiTokenType, { description: 'Revokes one of your tokens at once.' })
  async revokeApiToken(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<ApiTokenType> {
    return toApiToken(await ctx.services.tokens.revoke(viewerOf(ctx).id, id));
  }
}
