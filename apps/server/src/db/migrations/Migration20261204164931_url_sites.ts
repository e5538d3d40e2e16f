import { Migration } from '@mikro-orm/migrations';

export class Migration20261204164931_url_sites extends Migration {

  override name = 'Migration20261204164931_url_sites';

  override up(): void | Promise<void> {
    this.addSql(`alter table "staging_requests" add "url_site_ids" text[] null;`);
    this.addSql(`alter table "staging_requests" alter column "source_site_id" drop not null;`);
    // URL-sourced requests stored their sites comma-joined in source_site_id: move them to the new column.
    this.addSql(`update "staging_requests" set "url_site_ids" = string_to_array("source_site_id", ','), "source_site_id" = null where "method" in ('DCACHE_STAGE', 'RUCIO_COPY');`);
  }

  override down(): void | Promise<void> {
    this.addSql(`update "staging_requests" set "source_site_id" = left(array_to_string("url_site_ids", ','), 255) where "url_site_ids" is not null;`);
    this.addSql(`alter table "staging_requests" drop column "url_site_ids";`);
    this.addSql(`alter table "staging_requests" alter column "source_site_id" set not null;`);
  }

}
