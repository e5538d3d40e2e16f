import { Migration } from '@mikro-orm/migrations';

export class Migration20261124141245_staging extends Migration {

  override name = 'Migration20261124141245_staging';

  override up(): void | Promise<void> {
    this.addSql(`create table "log_entries" ("id" bigserial primary key, "at" timestamptz not null, "level" text not null, "message" text not null, "request_id" uuid null, "file_id" uuid null, "user_id" uuid null, "fields" jsonb null);`);
    this.addSql(`create index "log_entries_request_id_id_index" on "log_entries" ("request_id", "id");`);
    this.addSql(`create index "log_entries_user_id_id_index" on "log_entries" ("user_id", "id");`);

    this.addSql(`create table "staging_requests" ("id" uuid not null, "owner_id" uuid not null, "method" text not null, "status" text not null default 'QUEUED', "source_site_id" varchar(255) not null, "target_site_id" varchar(255) null, "notify" boolean not null default false, "idempotency_key" varchar(255) null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, "cancelled_at" timestamptz null, "files_total" int not null default 0, "files_done" int not null default 0, "files_skipped" int not null default 0, "files_failed" int not null default 0, "files_cancelled" int not null default 0, "bytes_total" bigint not null default '0', "bytes_done" bigint not null default '0', "expires_at" timestamptz null, "link_version" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "staging_requests_owner_id_index" on "staging_requests" ("owner_id");`);
    this.addSql(`create index "staging_requests_status_index" on "staging_requests" ("status");`);
    this.addSql(`create index "staging_requests_created_at_index" on "staging_requests" ("created_at");`);
    this.addSql(`alter table "staging_requests" add constraint "staging_requests_owner_id_idempotency_key_unique" unique ("owner_id", "idempotency_key");`);

    this.addSql(`create table "staged_files" ("id" uuid not null, "request_id" uuid not null, "seq" int not null, "source" text not null, "target" text not null, "status" text not null default 'PENDING', "size_bytes" bigint null, "bytes_done" bigint not null default '0', "checksum" varchar(64) null, "attempts" int not null default 0, "error_code" varchar(255) null, "error_message" text null, "error_stack" text null, "worker_id" varchar(255) null, "access_url" text null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "staged_files_request_id_status_index" on "staged_files" ("request_id", "status");`);
    this.addSql(`alter table "staged_files" add constraint "staged_files_request_id_seq_unique" unique ("request_id", "seq");`);

    this.addSql(`create table "worker_heartbeats" ("worker_id" varchar(255) not null, "process_id" varchar(255) not null, "last_seen" timestamptz not null, primary key ("worker_id"));`);

    this.addSql(`alter table "log_entries" add constraint "log_entries_level_check" check ("level" in ('DEBUG', 'INFO', 'WARN', 'ERROR'));`);

    this.addSql(`alter table "staging_requests" add constraint "staging_requests_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete cascade;`);
    this.addSql(`alter table "staging_requests" add constraint "staging_requests_method_check" check ("method" in ('LOCAL_COPY', 'LOCAL_SYMLINK', 'LOCAL_HARDLINK', 'DIRECT_DOWNLOAD', 'JUPYTER_COPY', 'S3_COPY', 'DCACHE_STAGE', 'RUCIO_COPY'));`);
    this.addSql(`alter table "staging_requests" add constraint "staging_requests_status_check" check ("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'CANCELLED'));`);

    this.addSql(`alter table "staged_files" add constraint "staged_files_request_id_foreign" foreign key ("request_id") references "staging_requests" ("id") on delete cascade;`);
    this.addSql(`alter table "staged_files" add constraint "staged_files_status_check" check ("status" in ('PENDING', 'RUNNING', 'DONE', 'SKIPPED', 'FAILED', 'CANCELLED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "staged_files" drop constraint "staged_files_request_id_foreign";`);

    this.addSql(`drop table if exists "log_entries" cascade;`);
    this.addSql(`drop table if exists "staging_requests" cascade;`);
    this.addSql(`drop table if exists "staged_files" cascade;`);
    this.addSql(`drop table if exists "worker_heartbeats" cascade;`);
  }

}
