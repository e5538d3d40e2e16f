import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import type { SiteConfig } from '../sites/sites.config';
import type { MacaroonView } from './macaroons.service';

@ObjectType('RequestMacaroon', {
  description:
    'DCACHE_STAGE: the bearer token (dCache macaroon) that reads the staged files of one site and project over WebDAV, rooted at the project folder, limited to the deepest folder holding the request’s files there, and valid until `validUntil`. Use it as `Authorization: Bearer <token>`, e.g. `curl -H "Authorization: Bearer $TOKEN" <accessUrl>`.',
})
export class RequestMacaroonType {
  @Field(() => String, { description: 'Id of the dCache site the macaroon is for.' })
  site!: string;

  @Field(() => String, { description: 'Display name of the site.' })
  siteName!: string;

  @Field(() => String, { description: 'Namespace path the macaroon is limited to (its `root:` caveat); file URLs are relative to it.' })
  rootPath!: string;

  @Field(() => DateTimeScalar, { description: 'When the macaroon stops working.' })
  validUntil!: Date;

  @Field(() => String, { description: 'The macaroon itself: a secret, shown to the request’s owner only.' })
  token!: string;
}

export const toRequestMacaroon = (m: MacaroonView & { rootPath: string }, site: SiteConfig | undefined): RequestMacaroonType =>
  Object.assign(new RequestMacaroonType(), { site: m.site, siteName: site?.name ?? m.site, rootPath: m.rootPath, validUntil: m.validUntil, token: m.token });
