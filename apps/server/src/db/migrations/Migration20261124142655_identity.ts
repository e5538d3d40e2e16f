import { Migration } from '@mikro-orm/migrations';

export class Migration20261124142655_identity extends Migration {

  override name = 'Migration20261124142655_identity';

  override up(): void | Promise<void> {
    this.addSql(`create table "email_templates" ("key" varchar(255) not null, "subject" text not null, "text" text not null, "html" text not null, "updated_at" timestamptz not null, "customized_at" timestamptz null, "updated_by_id" uuid null, primary key ("key"));`);

    this.addSql(`create table "http_sessions" ("sid" varchar(255) not null, "sess" jsonb not null, "expire" timestamptz not null, primary key ("sid"));`);
    this.addSql(`create index "http_sessions_expire_index" on "http_sessions" ("expire");`);

    this.addSql(`create table "email_outbox" ("id" uuid not null, "template" varchar(255) not null, "recipient" varchar(255) not null, "subject" text not null, "text" text not null, "html" text not null, "status" text not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "dedupe_key" varchar(255) null, "message_id" varchar(255) null, "created_at" timestamptz not null, "last_attempt_at" timestamptz null, "sent_at" timestamptz null, primary key ("id"));`);
    this.addSql(`create index "email_outbox_status_index" on "email_outbox" ("status");`);
    this.addSql(`alter table "email_outbox" add constraint "email_outbox_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "email_outbox_created_at_index" on "email_outbox" ("created_at");`);

    this.addSql(`alter table "users" add "last_login_at" timestamptz null;`);

    this.addSql(`alter table "email_outbox" add constraint "email_outbox_status_check" check ("status" in ('PENDING', 'RETRYING', 'SENT', 'LOGGED', 'FAILED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "email_templates" cascade;`);
    this.addSql(`drop table if exists "http_sessions" cascade;`);
    this.addSql(`drop table if exists "email_outbox" cascade;`);

    this.addSql(`alter table "users" drop column "last_login_at";`);
  }

}
