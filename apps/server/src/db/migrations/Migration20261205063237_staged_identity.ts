import { Migration } from '@mikro-orm/migrations';

export class Migration20261205063237_staged_identity extends Migration {

  override name = 'Migration20261205063237_staged_identity';

  override up(): void | Promise<void> {
    this.addSql(`alter table "staged_files" add "staged_identity" text null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "staged_files" drop column "staged_identity";`);
  }

}
