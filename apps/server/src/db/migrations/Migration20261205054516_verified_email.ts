import { Migration } from '@mikro-orm/migrations';

export class Migration20261205054516_verified_email extends Migration {

  override name = 'Migration20261205054516_verified_email';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_email_unique";`);
    this.addSql(`create index "users_email_index" on "users" ("email");`);
    this.addSql(`create unique index "users_verified_email_unique" on "users" ("email") where "email_verified" = true;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "users_email_index";`);
    this.addSql(`drop index "users_verified_email_unique";`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
  }

}
