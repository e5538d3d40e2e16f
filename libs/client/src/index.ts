export { StagecoachClient } from './client';
export type {
  FilesOptions,
  StageInput,
  StagecoachClientOptions,
  StagedFile,
  StagingRequest,
  WaitForOptions,
  FileStatus,
  RequestStatus,
  StagingMethod,
  StageItemInput,
} from './client';
export { StagecoachError, type GraphQLErrorEntry } from './errors';
