import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import { ROLES, USER_STATUSES, type Role, type UserStatus, type User as UserEntity } from './user.entity';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as { [K in Role]: K };
export const UserStatusEnum = Object.fromEntries(USER_STATUSES.map((s) => [s, s])) as { [K in UserStatus]: K };
registerEnumType(RoleEnum, { name: 'Role', description: 'What a user may do: USER stages their own data, ADMIN manages everything.' });
registerEnumType(UserStatusEnum, {
  name: 'UserStatus',
  description: 'Account lifecycle: PENDING until an admin decides, then ACTIVE or REJECTED; ACTIVE users may later be DISABLED.',
});

@ObjectType('User', { description: 'A person using Stagecoach.' })
export class UserType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Email address (lower-case).' })
  email!: string;

  @Field(() => String, { description: 'Filesystem-safe name; the user area on POSIX sites is named after it.' })
  username!: string;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  name!: string | null;

  @Field(() => RoleEnum, { description: 'Role.' })
  role!: Role;

  @Field(() => UserStatusEnum, { description: 'Account status; only ACTIVE users may stage.' })
  status!: UserStatus;

  @Field(() => DateTimeScalar, { description: 'When the account was created.' })
  createdAt!: Date;

  @Field(() => Boolean, { description: 'Whether the identity provider verified the email address (admins weigh this when approving).' })
  emailVerified!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When an administrator last decided on the account (approved, rejected, role, disabled).' })
  decidedAt!: Date | null;
}

/** Presenter: only public fields leave the server (no OIDC subject, no decision internals). */
export function toUser(u: UserEntity): UserType {
  return Object.assign(new UserType(), {
    id: u.id,
    email: u.email,
    username: u.username,
    name: u.name ?? null,
    role: u.role,
    status: u.status,
    createdAt: u.createdAt,
    emailVerified: u.emailVerified,
    decidedAt: u.decidedAt ?? null,
  });
}
