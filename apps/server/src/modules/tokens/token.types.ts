import { Field, ID, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import type { ApiToken } from './api-token.entity';

@ObjectType('ApiToken', { description: 'A personal API token (the secret is never shown again after creation).' })
export class ApiTokenType {
  @Field(() => ID, { description: 'Identifier.' })
  id!: string;

  @Field(() => String, { description: 'Name given by its owner.' })
  name!: string;

  @Field(() => DateTimeScalar, { description: 'Creation time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Expiry; null = never.' })
  expiresAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last use (to the minute).' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was revoked.' })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiToken', { description: 'A new token with its secret, shown once.' })
export class CreatedApiTokenType {
  @Field(() => ApiTokenType, { description: 'The token.' })
  token!: ApiTokenType;

  @Field(() => String, { description: 'Send as `Authorization: Bearer <secret>`; it cannot be shown again.' })
  secret!: string;
}

export function toApiToken(t: ApiToken): ApiTokenType {
  return Object.assign(new ApiTokenType(), {
    id: t.id,
    name: t.name,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt ?? null,
    lastUsedAt: t.lastUsedAt ?? null,
    revokedAt: t.revokedAt ?? null,
  });
}
