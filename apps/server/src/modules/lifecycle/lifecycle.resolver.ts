import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { DateTimeScalar } from '../../graphql/scalars';
import { StagingRequestType, toStagingRequest } from '../staging/staging.types';
import type { ExpiryReason } from './lifecycle.service';
import { ExpiryReasonEnum } from './lifecycle.types';

@Resolver(() => StagingRequestType)
export class LifecycleResolver {
  @Authorized()
  @Mutation(() => StagingRequestType, {
    description: 'Keeps the results of a finished request `days` longer (from now when already due). Users may go up to EXTEND_MAX beyond the original expiry (BAD_USER_INPUT with `maxExpiresAt` otherwise); admins without limit.',
  })
  async extendStagingRequest(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string, @Arg('days', () => Int) days: number): Promise<StagingRequestType> {
    return toStagingRequest(await ctx.services.lifecycle.extend(viewerOf(ctx), id, days));
  }

  @FieldResolver(() => Boolean, { description: 'The results were removed (expired, evicted, purged or deleted): files are gone from the user area and links no longer work.' })
  expired(@Root() r: StagingRequestType): boolean {
    return Boolean(r.snapshot.expiredAt);
  }

  @FieldResolver(() => DateTimeScalar, { nullable: true, description: 'When the results were removed.' })
  expiredAt(@Root() r: StagingRequestType): Date | null {
    return r.snapshot.expiredAt ? new Date(r.snapshot.expiredAt) : null;
  }

  @FieldResolver(() => ExpiryReasonEnum, { nullable: true, description: 'Why the results were removed.' })
  expiryReason(@Root() r: StagingRequestType): ExpiryReason | null {
    return (r.snapshot.expiryReason as ExpiryReason | null | undefined) ?? null;
  }
}
