import { Migration } from '@mikro-orm/migrations';

export class Migration20261205053920_username_origin extends Migration {

  override name = 'Migration20261205053920_username_origin';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add "username_origin" text null;`);
    this.addSql(`alter table "users" add constraint "users_username_origin_check" check ("username_origin" in ('IDP', 'EMAIL', 'ALTERED'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_username_origin_check";`);
    this.addSql(`alter table "users" drop column "username_origin";`);
  }

}
