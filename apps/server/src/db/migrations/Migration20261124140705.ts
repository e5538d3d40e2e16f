import { Migration } from '@mikro-orm/migrations';

export class Migration20261124140705 extends Migration {

  override name = 'Migration20261124140705';

  override up(): void | Promise<void> {
    this.addSql(`create table "users" ("id" uuid not null, "email" varchar(255) not null, "email_verified" boolean not null default false, "username" varchar(255) not null, "name" varchar(255) null, "role" text not null default 'USER', "status" text not null default 'PENDING', "oidc_issuer" varchar(255) null, "oidc_subject" varchar(255) null, "decided_at" timestamptz null, "decided_by_id" uuid null, "reject_reason" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`alter table "users" add constraint "users_username_unique" unique ("username");`);
    this.addSql(`alter table "users" add constraint "users_oidc_issuer_oidc_subject_unique" unique ("oidc_issuer", "oidc_subject");`);

    this.addSql(`create table "api_tokens" ("id" uuid not null, "user_id" uuid not null, "name" varchar(255) not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "expires_at" timestamptz null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, primary key ("id"));`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(`alter table "users" add constraint "users_role_check" check ("role" in ('USER', 'ADMIN'));`);
    this.addSql(`alter table "users" add constraint "users_status_check" check ("status" in ('PENDING', 'ACTIVE', 'REJECTED', 'DISABLED'));`);

    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "api_tokens" drop constraint "api_tokens_user_id_foreign";`);

    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "api_tokens" cascade;`);
  }

}
