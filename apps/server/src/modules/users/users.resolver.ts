import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context';
import { toUser, UserType } from './user.types';

@Resolver()
export class UsersResolver {
  @Query(() => UserType, { nullable: true, description: 'The signed-in user, or null when anonymous.' })
  me(@Ctx() ctx: GraphQLContext): UserType | null {
    return ctx.viewer ? toUser(ctx.viewer.user) : null;
  }
}
