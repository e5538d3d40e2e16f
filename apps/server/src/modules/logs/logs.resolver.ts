import { levelAtLeast, type LogLevel } from '@stagecoach/domain';
import { Arg, Authorized, Ctx, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer, viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { filterAsync } from '../../graphql/live';
import { AppError } from '../../lib/errors';
import type { LogEvent } from '../../lib/pubsub';
import { LOGS_LAST_MAX } from './logs.service';
import { LogEntryType, LogLevelEnum, toLogEntry } from './logs.types';

interface Scope {
  requestId: string | null;
  userId: string | null;
}

/** Users see their own entries; admins may ask for everyone's. A foreign request is NOT_FOUND. */
async function scopeFor(ctx: GraphQLContext, requestId: string | null | undefined, allUsers: boolean): Promise<Scope> {
  const viewer = viewerOf(ctx);
  if (allUsers && viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN', 'Only administrators may read everyone’s log.');
  if (requestId) {
    await ctx.services.staging.getVisible(viewer, requestId);
    return { requestId, userId: null };
  }
  return { requestId: null, userId: allUsers ? null : viewer.id };
}

@Resolver()
export class LogsResolver {
  @Authorized()
  @Query(() => [LogEntryType], { description: 'The last entries (oldest first): your own, one request’s, or everyone’s (admins, allUsers).' })
  async logs(
    @Ctx() ctx: GraphQLContext,
    @Arg('requestId', () => ID, { nullable: true }) requestId: string | null,
    @Arg('minLevel', () => LogLevelEnum, { nullable: true, defaultValue: 'INFO' }) minLevelArg: LogLevel | null,
    @Arg('last', () => Int, { nullable: true, defaultValue: 200, description: `How many entries, 1–${LOGS_LAST_MAX}.` }) lastArg: number | null,
    @Arg('allUsers', () => Boolean, { nullable: true, defaultValue: false }) allUsers: boolean | null,
  ): Promise<LogEntryType[]> {
    const minLevel = minLevelArg ?? 'INFO';
    const last = lastArg ?? 200;
    if (last < 1 || last > LOGS_LAST_MAX) throw new AppError('BAD_USER_INPUT', `last must be between 1 and ${LOGS_LAST_MAX}.`);
    const scope = await scopeFor(ctx, requestId, allUsers ?? false);
    return (await ctx.services.logs.recent({ ...scope, minLevel, last })).map(toLogEntry);
  }

  @Subscription(() => LogEntryType, {
    description: 'New log entries as they are written, with the same scoping as `logs`.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      requireViewer(ctx);
      const scope = await scopeFor(ctx, args.requestId as string | null, Boolean(args.allUsers));
      const min = (args.minLevel as LogLevel | null | undefined) ?? 'INFO';
      return filterAsync(ctx.container.pubsub.subscribe('log:appended'), (e: LogEvent) => {
        if (!levelAtLeast(e.level, min)) return false;
        if (scope.requestId) return e.requestId === scope.requestId;
        return scope.userId === null || e.userId === scope.userId;
      });
    },
  })
  logAppended(
    @Root() entry: LogEvent,
    @Arg('requestId', () => ID, { nullable: true }) _requestId: string | null,
    @Arg('minLevel', () => LogLevelEnum, { nullable: true, defaultValue: 'INFO' }) _minLevel: LogLevel | null,
    @Arg('allUsers', () => Boolean, { nullable: true, defaultValue: false }) _allUsers: boolean | null,
  ): LogEntryType {
    return toLogEntry(entry);
  }
}
