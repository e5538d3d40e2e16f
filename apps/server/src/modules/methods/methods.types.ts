import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { STAGING_METHODS, type StagingMethod } from '@stagecoach/domain';

export const StagingMethodEnum = Object.fromEntries(STAGING_METHODS.map((m) => [m, m])) as { [K in StagingMethod]: K };
registerEnumType(StagingMethodEnum, { name: 'StagingMethod', description: 'How files are made available.' });

@ObjectType('StagingMethodInfo', { description: 'A staging method this deployment offers.' })
export class StagingMethodInfoType {
  @Field(() => StagingMethodEnum, { description: 'The method.' })
  method!: StagingMethod;

  @Field(() => String, { description: 'Short name for menus.' })
  label!: string;

  @Field(() => String, { description: 'One sentence on what the user gets.' })
  description!: string;
}
