import type { AuthChecker } from 'type-graphql';
import { AppError } from '../lib/errors';
import type { GraphQLContext } from './context';

/**
 * `@Authorized()` = an ACTIVE user; `@Authorized('ADMIN')` = an ACTIVE admin. Throwing (rather than
 * returning false) gives callers the precise code: UNAUTHENTICATED, USER_NOT_APPROVED or FORBIDDEN.
 */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => requireViewer(context, roles);

/** The same rules for code paths `@Authorized` does not cover (subscription `subscribe` functions). */
export function requireViewer(context: GraphQLContext, roles: readonly string[] = []): true {
  const user = context.viewer?.user;
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API token to do this.');
  if (user.status !== 'ACTIVE') {
    throw new AppError('USER_NOT_APPROVED', `Your account is ${user.status.toLowerCase()}; an administrator must approve it first.`);
  }
  if (roles.includes('ADMIN') && user.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'Only administrators may do this.');
  }
  return true;
}

/** The viewer of an `@Authorized` operation (the checker has already guaranteed one). */
export function viewerOf(ctx: GraphQLContext) {
  if (!ctx.viewer) throw new AppError('UNAUTHENTICATED', 'Sign in or send an API token to do this.');
  return ctx.viewer.user;
}
