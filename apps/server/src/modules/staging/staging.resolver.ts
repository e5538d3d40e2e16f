import type { RequestStatus, FileStatus } from '@stagecoach/domain';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { requireViewer, viewerOf } from '../../graphql/auth-checker';
import { connectionOf } from '../../graphql/connection';
import type { GraphQLContext } from '../../graphql/context';
import { mapAsync, started, startWith } from '../../graphql/live';
import type { RequestSnapshot } from '../../lib/pubsub';
import { toUser, UserType } from '../users/user.types';
import { type StagedFile } from './staged-file.entity';
import { StageInput } from './staging.inputs';
import { FILES_PAGE_MAX, REQUESTS_PAGE_MAX, toSnapshot } from './staging.service';
import {
  FileStatusEnum,
  requestFromSnapshot,
  RequestStatusEnum,
  StagedFileConnection,
  StagingRequestConnection,
  StagingRequestType,
  toStagedFile,
  toStagingRequest,
} from './staging.types';

/** Links exist for finished, unexpired download requests only. */
function downloadable(s: RequestSnapshot, now: Date): number | null {
  if (s.method !== 'DIRECT_DOWNLOAD' || !s.expiresAt || !['SUCCEEDED', 'PARTIALLY_SUCCEEDED'].includes(s.status)) return null;
  const exp = Date.parse(s.expiresAt);
  return exp > now.getTime() ? Math.floor(exp / 1000) : null;
}

@Resolver(() => StagingRequestType)
export class StagingResolver {
  @Authorized()
  @Mutation(() => StagingRequestType, {
    description: 'Validates the whole request (nothing is queued on any error) and queues it.',
  })
  async stage(@Ctx() ctx: GraphQLContext, @Arg('input', () => StageInput) input: StageInput): Promise<StagingRequestType> {
    return toStagingRequest(await ctx.services.staging.stage(viewerOf(ctx), input));
  }

  @Authorized()
  @Query(() => StagingRequestType, { description: 'One request; NOT_FOUND when missing or not yours.' })
  async stagingRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<StagingRequestType> {
    return toStagingRequest(await ctx.services.staging.getVisible(viewerOf(ctx), id));
  }

  @Authorized()
  @Query(() => StagingRequestConnection, { description: 'Requests, newest first. `mine: false` lists everyone’s (admins).' })
  async stagingRequests(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: `Page size, 1–${REQUESTS_PAGE_MAX}.` })
    first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => [RequestStatusEnum], { nullable: true }) status: RequestStatus[] | null,
    @Arg('mine', () => Boolean, { nullable: true, defaultValue: true }) mine: boolean | null,
  ): Promise<StagingRequestConnection> {
    const page = await ctx.services.staging.list(viewerOf(ctx), { first: first ?? 20, after, status, mine: mine ?? true });
    return connectionOf(page, toStagingRequest);
  }

  @Authorized()
  @Mutation(() => StagingRequestType, { description: 'Cancels a queued or running request; NOT_CANCELLABLE once finished.' })
  async cancelStagingRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<StagingRequestType> {
    return toStagingRequest(await ctx.services.staging.cancel(viewerOf(ctx), id));
  }

  @Authorized()
  @Mutation(() => StagingRequestType, { description: 'Re-queues the FAILED files of a finished request.' })
  async retryStagingRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<StagingRequestType> {
    return toStagingRequest(await ctx.services.staging.retry(viewerOf(ctx), id));
  }

  @Subscription(() => StagingRequestType, {
    description: 'The request now, then on every status or progress change (a few per second at most; the final state always).',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      requireViewer(ctx);
      const id = String(args.id);
      const viewer = viewerOf(ctx);
      // Subscribe before reading, so no change between the read and the subscription is lost.
      const live = started(ctx.container.pubsub.subscribe('request:updated', id));
      const current = await ctx.services.staging.getVisible(viewer, id).catch(async (e: unknown) => {
        await live.return?.();
        throw e;
      });
      // An event only says that the request changed: what is sent (its files and links included) is
      // read again, with a fresh identity map, as this subscriber may see it now. A forged or stale
      // payload never reaches the resolvers; a request no longer visible ends with NOT_FOUND.
      const reload = async () =>
        toSnapshot(await ctx.container.services(ctx.container.orm.em.fork()).staging.getVisible(viewer, id));
      return startWith(toSnapshot(current), mapAsync(live, reload));
    },
  })
  stagingRequestUpdated(@Root() snapshot: RequestSnapshot, @Arg('id', () => ID) _id: string): StagingRequestType {
    return requestFromSnapshot(snapshot);
  }

  @FieldResolver(() => UserType, { description: 'Who submitted it.' })
  async owner(@Root() r: StagingRequestType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const viewer = ctx.viewer?.user;
    if (viewer && viewer.id === r.snapshot.ownerId) return toUser(viewer);
    const user = await ctx.services.users.findById(r.snapshot.ownerId);
    return toUser(user!);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'DIRECT_DOWNLOAD: signed, expiring link; a tar bundle when there are several files.',
  })
  downloadUrl(@Root() r: StagingRequestType, @Ctx() ctx: GraphQLContext): string | null {
    const e = downloadable(r.snapshot, ctx.container.clock.now());
    return e === null ? null : ctx.container.links.url({ r: r.id, v: r.snapshot.linkVersion, e });
  }

  @FieldResolver(() => StagedFileConnection, { description: 'The files, in submission order.' })
  async files(
    @Root() r: StagingRequestType,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100, description: `Page size, 1–${FILES_PAGE_MAX}.` })
    first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => [FileStatusEnum], { nullable: true }) status: FileStatus[] | null,
  ): Promise<StagedFileConnection> {
    const page = await ctx.services.staging.files(r.id, { first: first ?? 100, after, status });
    const isAdmin = ctx.viewer?.user.role === 'ADMIN';
    const e = downloadable(r.snapshot, ctx.container.clock.now());
    return connectionOf(page, (f: StagedFile) =>
      toStagedFile(f, {
        isAdmin,
        downloadUrl:
          e !== null && f.status === 'DONE' ? ctx.container.links.url({ r: r.id, f: f.id, v: r.snapshot.linkVersion, e }) : null,
      }),
    );
  }
}
