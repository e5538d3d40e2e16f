import { Migration } from '@mikro-orm/migrations';

export class Migration20261205061043_cart_bundling extends Migration {

  override name = 'Migration20261205061043_cart_bundling';

  override up(): void | Promise<void> {
    this.addSql(`alter table "carts" add "bundle_state" text null, add "bundle_message" text null, add "checks" jsonb null;`);
    this.addSql(`alter table "carts" add constraint "carts_bundle_state_check" check ("bundle_state" in ('bundling', 'ready', 'error'));`);
    // Carts from before bundling existed had nothing to verify: those already staged are ready.
    this.addSql(`update "carts" set "bundle_state" = 'ready' from "staging_requests" r where r."id" = "carts"."request_id" and r."status" = 'SUCCEEDED';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "carts" drop constraint "carts_bundle_state_check";`);
    this.addSql(`alter table "carts" drop column "bundle_state", drop column "bundle_message", drop column "checks";`);
  }

}
