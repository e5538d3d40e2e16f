import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { CreatedFileType, CreateFileInput } from './file-tool.types';

@Resolver()
export class FileToolResolver {
  @Authorized()
  @Mutation(() => CreatedFileType, { description: 'Creates a test file in the sandbox of the source site (admins; users when FILE_TOOL=users).' })
  async createFile(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateFileInput) input: CreateFileInput): Promise<CreatedFileType> {
    return Object.assign(new CreatedFileType(), await ctx.services.fileTool.create(viewerOf(ctx), input));
  }
}
