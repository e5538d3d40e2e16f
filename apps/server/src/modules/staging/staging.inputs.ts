import type { StagingMethod } from '@stagecoach/domain';
import { Field, ID, InputType } from 'type-graphql';
import { StagingMethodEnum } from '../methods/methods.types';

@InputType('StageItemInput', { description: 'One source to stage; both paths are relative.' })
export class StageItemInput {
  @Field(() => String, { description: 'Path relative to the source site root (a file or a folder).' })
  source!: string;

  @Field(() => String, { nullable: true, description: "Path relative to the user's area; defaults to the source's relative path." })
  target?: string | null;
}

@InputType('StageInput', { description: 'A staging request.' })
export class StageInput {
  @Field(() => StagingMethodEnum, { description: 'How to make the files available.' })
  method!: StagingMethod;

  @Field(() => [StageItemInput], { description: '1..MAX_ITEMS_PER_REQUEST items (default 10000).' })
  items!: StageItemInput[];

  @Field(() => ID, { nullable: true, description: 'Source site; default: the default source site.' })
  sourceSiteId?: string | null;

  @Field(() => ID, { nullable: true, description: "Target site; default: the method's default target." })
  targetSiteId?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Email the owner when the request finishes.' })
  notify?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Same key + same user → the same request is returned (safe retries).' })
  idempotencyKey?: string | null;
}
