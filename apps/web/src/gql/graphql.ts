/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type Role =
  | 'ADMIN'
  | 'USER';

export type StagingMethod =
  | 'DCACHE_STAGE'
  | 'DIRECT_DOWNLOAD'
  | 'JUPYTER_COPY'
  | 'LOCAL_COPY'
  | 'LOCAL_HARDLINK'
  | 'LOCAL_SYMLINK'
  | 'RUCIO_COPY'
  | 'S3_COPY';

export type UserStatus =
  | 'ACTIVE'
  | 'DISABLED'
  | 'PENDING'
  | 'REJECTED';

export type ListMethodsQueryVariables = Exact<{ [key: string]: never; }>;


export type ListMethodsQuery = { stagingMethods: Array<{ method: StagingMethod, label: string, description: string }> };

export type GetMeQueryVariables = Exact<{ [key: string]: never; }>;


export type GetMeQuery = { me: { id: string, username: string, name: string | null, email: string, role: Role, status: UserStatus } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ListMethodsDocument = new TypedDocumentString(`
    query ListMethods {
  stagingMethods {
    method
    label
    description
  }
}
    `) as unknown as TypedDocumentString<ListMethodsQuery, ListMethodsQueryVariables>;
export const GetMeDocument = new TypedDocumentString(`
    query GetMe {
  me {
    id
    username
    name
    email
    role
    status
  }
}
    `) as unknown as TypedDocumentString<GetMeQuery, GetMeQueryVariables>;