import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { MethodsResolver } from '../modules/methods/methods.resolver';
import { TokensResolver } from '../modules/tokens/tokens.resolver';
import { UsersResolver } from '../modules/users/users.resolver';
import { authChecker } from './auth-checker';
import { DateTimeScalar } from './scalars';

/** Every resolver, listed explicitly so the schema is the same with or without a database. */
export const resolvers = [UsersResolver, MethodsResolver, TokensResolver] as const;

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    authChecker,
    // Inputs are validated with zod in services; type-graphql's class-validator path stays off.
    validate: false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    emitSchemaFile: false,
  });
}
