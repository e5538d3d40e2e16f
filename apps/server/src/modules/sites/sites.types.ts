import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { SITE_KINDS, type SiteConfig, type SiteKind } from './sites.config';
import type { DirEntryView } from './sites.service';

export const SiteKindEnum = Object.fromEntries(SITE_KINDS.map((k) => [k, k])) as { [K in SiteKind]: K };
registerEnumType(SiteKindEnum, { name: 'SiteKind', description: 'Kind of storage a site is.' });

@ObjectType('Site', { description: 'A storage files come from or go to (configured by operators).' })
export class SiteType {
  @Field(() => ID, { description: 'Identifier used in requests.' })
  id!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => SiteKindEnum, { description: 'Kind.' })
  kind!: SiteKind;

  @Field(() => Boolean, { description: 'Files can be staged from it.' })
  isSource!: boolean;

  @Field(() => Boolean, { description: 'It holds user areas (a staging target).' })
  isTarget!: boolean;

  @Field(() => Boolean, { description: 'The source used when a request names none.' })
  isDefault!: boolean;
}

@ObjectType('DirEntry', { description: 'An entry of a source folder.' })
export class DirEntryType {
  @Field(() => String, { description: 'Name.' })
  name!: string;

  @Field(() => String, { description: 'Path relative to the site root (use it as a `source`).' })
  path!: string;

  @Field(() => Boolean, { description: 'A folder (staging it stages every file below).' })
  isDirectory!: boolean;

  @Field(() => Float, { nullable: true, description: 'Size of a file in bytes.' })
  sizeBytes!: number | null;

  @Field(() => String, { description: 'Opaque position of this entry: pass it as `browse(after:)` to list the entries that follow.' })
  cursor!: string;
}

/** Presenter: roots and credentials stay on the server. */
export const toSite = (s: SiteConfig): SiteType =>
  Object.assign(new SiteType(), { id: s.id, name: s.name ?? s.id, kind: s.kind, isSource: s.roles.includes('source'), isTarget: s.roles.includes('target'), isDefault: Boolean(s.default) });

export const toDirEntry = (e: DirEntryView): DirEntryType => Object.assign(new DirEntryType(), e);
