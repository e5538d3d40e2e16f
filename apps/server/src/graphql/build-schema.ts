import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { RequestMacaroonsResolver } from '../modules/dcache/macaroons.resolver';
import { FileToolResolver } from '../modules/file-tool/file-tool.resolver';
import { LifecycleResolver } from '../modules/lifecycle/lifecycle.resolver';
import { QuotaResolver } from '../modules/quotas/quotas.resolver';
import { LogsResolver } from '../modules/logs/logs.resolver';
import { MailResolver } from '../modules/mail/mail.resolver';
import { MethodsResolver } from '../modules/methods/methods.resolver';
import { SitesResolver } from '../modules/sites/sites.resolver';
import { StagingResolver } from '../modules/staging/staging.resolver';
import { TokensResolver } from '../modules/tokens/tokens.resolver';
import { UsersResolver } from '../modules/users/users.resolver';
import { createInProcessPubSub } from '../lib/pubsub';
import { authChecker } from './auth-checker';
import { DateTimeScalar } from './scalars';

/** Every resolver, listed explicitly so the schema is the same with or without a database. */
export const resolvers = [UsersResolver, MethodsResolver, TokensResolver, SitesResolver, StagingResolver, LogsResolver, FileToolResolver, MailResolver, LifecycleResolver, QuotaResolver, RequestMacaroonsResolver] as const;

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    authChecker,
    // Inputs are validated with zod in services; type-graphql's class-validator path stays off.
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    emitSchemaFile: false,
    // Every subscription brings its own `subscribe` (scoped to the viewer, fed by the container's
    // pub/sub); type-graphql still insists on a PubSub being present, so it gets an unused one.
    pubSub: createInProcessPubSub(),
  });
}
