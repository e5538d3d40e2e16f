import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import type { Role, UserStatus } from './user.entity';
import { RoleEnum, toUser, UserStatusEnum, UserType } from './user.types';

@Resolver()
export class UsersResolver {
  @Query(() => UserType, { nullable: true, description: 'The signed-in user, or null when anonymous. Answers for every status, so a PENDING user sees that they wait for approval.' })
  me(@Ctx() ctx: GraphQLContext): UserType | null {
    return ctx.viewer ? toUser(ctx.viewer.user) : null;
  }

  @Authorized('ADMIN')
  @Query(() => [UserType], { description: 'Every user, oldest first, optionally only those with one status (ADMIN).' })
  async users(@Ctx() ctx: GraphQLContext, @Arg('status', () => UserStatusEnum, { nullable: true }) status: UserStatus | null): Promise<UserType[]> {
    return (await ctx.services.userAdmin.list(status)).map(toUser);
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType, { description: 'Activates a PENDING user and emails them (ADMIN); ALREADY_DECIDED once decided.' })
  async approveUser(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<UserType> {
    return toUser(await ctx.services.userAdmin.approve(viewerOf(ctx), id));
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType, { description: 'Rejects a PENDING user and emails them the reason (ADMIN); ALREADY_DECIDED once decided.' })
  async rejectUser(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Shown to the user in the email (at most 2000 characters).' }) reason: string | null,
  ): Promise<UserType> {
    return toUser(await ctx.services.userAdmin.reject(viewerOf(ctx), id, reason));
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType, { description: 'Makes a user an admin or a regular user (ADMIN); the last active admin cannot be demoted.' })
  async setUserRole(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('role', () => RoleEnum) role: Role): Promise<UserType> {
    return toUser(await ctx.services.userAdmin.setRole(viewerOf(ctx), id, role));
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType, { description: 'Disables an ACTIVE user at once: their sessions and tokens stop working (ADMIN).' })
  async disableUser(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<UserType> {
    return toUser(await ctx.services.userAdmin.disable(viewerOf(ctx), id));
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType, { description: 'Re-activates a DISABLED user (ADMIN).' })
  async enableUser(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<UserType> {
    return toUser(await ctx.services.userAdmin.enable(viewerOf(ctx), id));
  }
}
