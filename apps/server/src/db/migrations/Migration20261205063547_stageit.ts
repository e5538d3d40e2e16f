import { Migration } from '@mikro-orm/migrations';

export class Migration20261205063547_stageit extends Migration {

  override name = 'Migration20261205063547_stageit';

  override up(): void | Promise<void> {
    this.addSql(`alter table "staging_requests" add "number" serial;`);
    // Existing requests are numbered in the order they were made; new ones continue from there.
    this.addSql(`update "staging_requests" s set "number" = o.n from (select "id", row_number() over (order by "created_at", "id") as n from "staging_requests") o where s."id" = o."id";`);
    this.addSql(`select setval(pg_get_serial_sequence('staging_requests', 'number'), coalesce(max("number"), 0) + 1, false) from "staging_requests";`);
    this.addSql(`alter table "staging_requests" add constraint "staging_requests_number_unique" unique ("number");`);

    this.addSql(`alter table "request_macaroons" drop constraint "request_macaroons_request_id_site_id_unique";`);
    this.addSql(`alter table "request_macaroons" add constraint "request_macaroons_request_id_site_id_root_caveat_unique" unique ("request_id", "site_id", "root_caveat");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "request_macaroons" drop constraint "request_macaroons_request_id_site_id_root_caveat_unique";`);
    this.addSql(`alter table "request_macaroons" add constraint "request_macaroons_request_id_site_id_unique" unique ("request_id", "site_id");`);

    this.addSql(`alter table "staging_requests" drop constraint "staging_requests_number_unique";`);
    this.addSql(`alter table "staging_requests" drop column "number";`);
  }

}
