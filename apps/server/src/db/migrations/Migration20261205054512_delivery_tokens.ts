import { Migration } from '@mikro-orm/migrations';

export class Migration20261205054512_delivery_tokens extends Migration {

  override name = 'Migration20261205054512_delivery_tokens';

  override up(): void | Promise<void> {
    this.addSql(`create table "request_credentials" ("id" uuid not null, "request_id" uuid not null, "token_sealed" text not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "request_credentials" add constraint "request_credentials_request_id_unique" unique ("request_id");`);

    this.addSql(`alter table "request_credentials" add constraint "request_credentials_request_id_foreign" foreign key ("request_id") references "staging_requests" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "request_credentials" cascade;`);
  }

}
