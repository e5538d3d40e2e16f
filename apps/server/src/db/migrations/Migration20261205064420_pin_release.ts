import { Migration } from '@mikro-orm/migrations';

export class Migration20261205064420_pin_release extends Migration {

  override name = 'Migration20261205064420_pin_release';

  override up(): void | Promise<void> {
    this.addSql(`alter table "remote_operations" add "released_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "remote_operations" drop column "released_at";`);
  }

}
