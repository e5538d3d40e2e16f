import { Ctx, Query, Resolver } from 'type-graphql';
import { METHOD_INFO, STAGING_METHODS } from '@stagecoach/domain';
import type { GraphQLContext } from '../../graphql/context';
import { StagingMethodInfoType } from './methods.types';

@Resolver()
export class MethodsResolver {
  @Query(() => [StagingMethodInfoType], { description: 'The staging methods this deployment offers (ALLOWED_METHODS among those implemented); public.' })
  stagingMethods(@Ctx() ctx: GraphQLContext): StagingMethodInfoType[] {
    return ctx.container.methods.enabled(STAGING_METHODS).map((method) =>
      Object.assign(new StagingMethodInfoType(), { method, ...METHOD_INFO[method] }),
    );
  }
}
