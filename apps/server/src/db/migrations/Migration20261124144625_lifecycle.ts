import { Migration } from '@mikro-orm/migrations';

export class Migration20261124144625_lifecycle extends Migration {

  override name = 'Migration20261124144625_lifecycle';

  override up(): void | Promise<void> {
    this.addSql(`create table "request_macaroons" ("id" uuid not null, "request_id" uuid not null, "site_id" varchar(255) not null, "token_sealed" text not null, "root_caveat" text not null, "valid_until" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "request_macaroons" add constraint "request_macaroons_request_id_site_id_unique" unique ("request_id", "site_id");`);

    this.addSql(`create table "remote_operations" ("id" uuid not null, "request_id" uuid not null, "site_id" varchar(255) not null, "kind" text not null, "remote_id" varchar(255) not null, "file_ids" jsonb not null, "state" text not null default 'ACTIVE', "created_at" timestamptz not null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "remote_operations_request_id_site_id_index" on "remote_operations" ("request_id", "site_id");`);

    this.addSql(`create table "carts" ("id" uuid not null, "owner_id" uuid not null, "uid" varchar(128) not null, "request_id" uuid not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "carts" add constraint "carts_owner_id_uid_unique" unique ("owner_id", "uid");`);

    this.addSql(`create table "user_quotas" ("id" uuid not null, "user_id" uuid not null, "site_id" varchar(255) not null default '*', "max_bytes" bigint null, "max_active_requests" int null, "updated_at" timestamptz not null, "updated_by_id" uuid null, primary key ("id"));`);
    this.addSql(`create index "user_quotas_user_id_index" on "user_quotas" ("user_id");`);
    this.addSql(`alter table "user_quotas" add constraint "user_quotas_user_id_site_id_unique" unique ("user_id", "site_id");`);

    this.addSql(`alter table "staging_requests" add "expired_at" timestamptz null, add "expiry_reason" varchar(255) null, add "last_accessed_at" timestamptz null, add "expiry_warned_at" timestamptz null;`);
    this.addSql(`create index "staging_requests_expired_at_index" on "staging_requests" ("expired_at");`);

    this.addSql(`alter table "request_macaroons" add constraint "request_macaroons_request_id_foreign" foreign key ("request_id") references "staging_requests" ("id") on delete cascade;`);

    this.addSql(`alter table "remote_operations" add constraint "remote_operations_request_id_foreign" foreign key ("request_id") references "staging_requests" ("id") on delete cascade;`);
    this.addSql(`alter table "remote_operations" add constraint "remote_operations_kind_check" check ("kind" in ('TAPE_STAGE', 'RUCIO_RULE'));`);
    this.addSql(`alter table "remote_operations" add constraint "remote_operations_state_check" check ("state" in ('ACTIVE', 'FINISHED', 'CANCELLED'));`);

    this.addSql(`alter table "carts" add constraint "carts_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "carts" add constraint "carts_request_id_foreign" foreign key ("request_id") references "staging_requests" ("id") on delete cascade;`);

    this.addSql(`alter table "user_quotas" add constraint "user_quotas_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "request_macaroons" cascade;`);
    this.addSql(`drop table if exists "remote_operations" cascade;`);
    this.addSql(`drop table if exists "carts" cascade;`);
    this.addSql(`drop table if exists "user_quotas" cascade;`);

    this.addSql(`drop index "staging_requests_expired_at_index";`);
    this.addSql(`alter table "staging_requests" drop column "expired_at", drop column "expiry_reason", drop column "last_accessed_at", drop column "expiry_warned_at";`);
  }

}
