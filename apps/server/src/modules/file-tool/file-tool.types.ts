import { Field, Float, InputType, ObjectType } from 'type-graphql';

@InputType('CreateFileInput', { description: 'A file to create in the sandbox: give sizeBytes (random bytes) or content (text).' })
export class CreateFileInput {
  @Field(() => String, { description: 'Path relative to the sandbox folder, e.g. a/b.txt.' })
  path!: string;

  @Field(() => Float, { nullable: true, description: 'Size of random content in bytes.' })
  sizeBytes?: number | null;

  @Field(() => String, { nullable: true, description: 'Text content.' })
  content?: string | null;
}

@ObjectType('CreatedFile', { description: 'A file made by the file-creation tool.' })
export class CreatedFileType {
  @Field(() => String, { description: 'Source path to stage, e.g. sandbox/a/b.txt.' })
  path!: string;

  @Field(() => Float, { description: 'Size in bytes.' })
  sizeBytes!: number;

  @Field(() => String, { description: 'SHA-256 (hex) of the content.' })
  checksum!: string;
}
