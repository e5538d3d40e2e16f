import { FILE_STATUSES, REQUEST_STATUSES, type FileStatus, type RequestStatus, type StagingMethod } from '@stagecoach/domain';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../../graphql/connection';
import { DateTimeScalar } from '../../graphql/scalars';
import type { RequestSnapshot } from '../../lib/pubsub';
import { StagingMethodEnum } from '../methods/methods.types';
import type { StagedFile } from './staged-file.entity';
import type { StagingRequest } from './staging-request.entity';
import { toSnapshot } from './staging.service';

export const RequestStatusEnum = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, s])) as { [K in RequestStatus]: K };
export const FileStatusEnum = Object.fromEntries(FILE_STATUSES.map((s) => [s, s])) as { [K in FileStatus]: K };
registerEnumType(RequestStatusEnum, { name: 'RequestStatus', description: 'Lifecycle of a staging request.' });
registerEnumType(FileStatusEnum, { name: 'FileStatus', description: 'Lifecycle of one staged file.' });

@ObjectType('StagingError', { description: 'Why a file failed: a closed code and a human message.' })
export class StagingErrorType {
  @Field(() => String, { description: 'Error code, from a closed list: the API error codes plus CHECKSUM_MISMATCH, TRANSFER_FAILED, QUOTA_EXCEEDED and CANCELLED.' })
  code!: string;

  @Field(() => String, { description: 'What happened, for humans.' })
  message!: string;

  @Field(() => String, { nullable: true, description: 'Short stack excerpt (≤ 2048 chars); administrators only, null for others.' })
  stack!: string | null;
}

@ObjectType('StagedFile', { description: 'One file of a request.' })
export class StagedFileType {
  @Field(() => ID, { description: 'Identifier.' })
  id!: string;

  @Field(() => String, { description: 'Source path, relative to the source site root.' })
  source!: string;

  @Field(() => String, { description: 'Target path, relative to the user area (for methods with a target).' })
  target!: string;

  @Field(() => FileStatusEnum, { description: 'Status.' })
  status!: FileStatus;

  @Field(() => Float, { nullable: true, description: 'Size in bytes.' })
  sizeBytes!: number | null;

  @Field(() => Float, { description: 'Bytes transferred so far.' })
  bytesDone!: number;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the staged bytes.' })
  checksum!: string | null;

  @Field(() => Int, { description: 'Transfer attempts so far.' })
  attempts!: number;

  @Field(() => StagingErrorType, { nullable: true, description: 'Why it failed or was cancelled.' })
  error!: StagingErrorType | null;

  @Field(() => String, { nullable: true, description: 'DIRECT_DOWNLOAD: signed, expiring link to this file.' })
  downloadUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'Where the staged file can be reached (e.g. a WebDAV or Jupyter URL).' })
  accessUrl!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the transfer started.' })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it finished.' })
  finishedAt!: Date | null;
}

@ObjectType('StagedFileEdge', { description: 'A file and its cursor.' })
export class StagedFileEdge {
  @Field(() => StagedFileType, { description: 'The file.' })
  node!: StagedFileType;

  @Field(() => String, { description: 'Cursor.' })
  cursor!: string;
}

@ObjectType('StagedFileConnection', { description: 'A page of files.' })
export class StagedFileConnection {
  @Field(() => [StagedFileEdge], { description: 'Edges.' })
  edges!: StagedFileEdge[];

  @Field(() => [StagedFileType], { description: 'The files of this page.' })
  nodes!: StagedFileType[];

  @Field(() => PageInfo, { description: 'Pagination.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Files matching the filter.' })
  totalCount!: number;
}

@ObjectType('StagingRequest', { description: 'A request to make files available with one method.' })
export class StagingRequestType {
  @Field(() => ID, { description: 'Identifier.' })
  id!: string;

  @Field(() => Int, { description: 'Sequential number of the request in this installation (shown as `#123`; the id of the StageIT-compatible API).' })
  number!: number;

  @Field(() => StagingMethodEnum, { description: 'Method.' })
  method!: StagingMethod;

  @Field(() => RequestStatusEnum, { description: 'Status.' })
  status!: RequestStatus;

  @Field(() => DateTimeScalar, { description: 'Submission time.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the first file started.' })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it finished (or was cancelled).' })
  finishedAt!: Date | null;

  @Field(() => Int, { description: 'Files in the request (folders expanded).' })
  filesTotal!: number;

  @Field(() => Int, { description: 'Files transferred.' })
  filesDone!: number;

  @Field(() => Int, { description: 'Files already available (identical target), counted as success.' })
  filesSkipped!: number;

  @Field(() => Int, { description: 'Files that failed.' })
  filesFailed!: number;

  @Field(() => Int, { description: 'Files cancelled.' })
  filesCancelled!: number;

  @Field(() => Float, { description: 'Bytes to transfer.' })
  bytesTotal!: number;

  @Field(() => Float, { description: 'Bytes transferred so far.' })
  bytesDone!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When staged results and links expire.' })
  expiresAt!: Date | null;

  /** Not exposed: fields resolved by StagingResolver and LifecycleResolver need the snapshot. */
  snapshot!: RequestSnapshot;
}

@ObjectType('StagingRequestEdge', { description: 'A request and its cursor.' })
export class StagingRequestEdge {
  @Field(() => StagingRequestType, { description: 'The request.' })
  node!: StagingRequestType;

  @Field(() => String, { description: 'Cursor.' })
  cursor!: string;
}

@ObjectType('StagingRequestConnection', { description: 'A page of requests, newest first.' })
export class StagingRequestConnection {
  @Field(() => [StagingRequestEdge], { description: 'Edges.' })
  edges!: StagingRequestEdge[];

  @Field(() => [StagingRequestType], { description: 'The requests of this page.' })
  nodes!: StagingRequestType[];

  @Field(() => PageInfo, { description: 'Pagination.' })
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Requests matching the filter.' })
  totalCount!: number;
}

export function requestFromSnapshot(s: RequestSnapshot): StagingRequestType {
  const d = (v: string | null) => (v ? new Date(v) : null);
  return Object.assign(new StagingRequestType(), {
    id: s.id,
    number: s.number ?? 0,
    method: s.method,
    status: s.status,
    createdAt: new Date(s.createdAt),
    startedAt: d(s.startedAt),
    finishedAt: d(s.finishedAt),
    filesTotal: s.filesTotal,
    filesDone: s.filesDone,
    filesSkipped: s.filesSkipped,
    filesFailed: s.filesFailed,
    filesCancelled: s.filesCancelled,
    bytesTotal: s.bytesTotal,
    bytesDone: s.bytesDone,
    expiresAt: d(s.expiresAt),
    snapshot: s,
  });
}

export const toStagingRequest = (r: StagingRequest): StagingRequestType => requestFromSnapshot(toSnapshot(r));

export function toStagedFile(f: StagedFile, opts: { isAdmin: boolean; downloadUrl: string | null }): StagedFileType {
  return Object.assign(new StagedFileType(), {
    id: f.id,
    source: f.source,
    target: f.target,
    status: f.status,
    sizeBytes: f.sizeBytes === null || f.sizeBytes === undefined ? null : Number(f.sizeBytes),
    bytesDone: Number(f.bytesDone),
    checksum: f.checksum ?? null,
    attempts: f.attempts,
    error: f.errorCode ? Object.assign(new StagingErrorType(), { code: f.errorCode, message: f.errorMessage ?? '', stack: opts.isAdmin ? (f.errorStack ?? null) : null }) : null,
    downloadUrl: opts.downloadUrl,
    accessUrl: f.accessUrl ?? null,
    startedAt: f.startedAt ?? null,
    finishedAt: f.finishedAt ?? null,
  });
}
