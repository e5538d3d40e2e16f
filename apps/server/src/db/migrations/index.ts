import type { Migration } from '@mikro-orm/migrations';
import { Migration20261205064420_pin_release } from './Migration20261205064420_pin_release';
import { Migration20261205063547_stageit } from './Migration20261205063547_stageit';
import { Migration20261205063237_staged_identity } from './Migration20261205063237_staged_identity';
import { Migration20261205061043_cart_bundling } from './Migration20261205061043_cart_bundling';
import { Migration20261205054516_verified_email } from './Migration20261205054516_verified_email';
import { Migration20261205054512_delivery_tokens } from './Migration20261205054512_delivery_tokens';
import { Migration20261205053920_username_origin } from './Migration20261205053920_username_origin';
import { Migration20261204164931_url_sites } from './Migration20261204164931_url_sites';
import { Migration20261124144625_lifecycle } from './Migration20261124144625_lifecycle';
import { Migration20261124142655_identity } from './Migration20261124142655_identity';
import { Migration20261124141245_staging } from './Migration20261124141245_staging';
import { Migration20261124140705 } from './Migration20261124140705';

type MigrationCtor = new (...args: ConstructorParameters<typeof Migration>) => Migration;

/**
 * Every migration, in order. Listed explicitly (not discovered from disk) so the bundled server
 * carries them; `pnpm --filter @stagecoach/server db:migration:create` appends new files here.
 */
export const migrationsList: { name: string; class: MigrationCtor }[] = [
  { name: 'Migration20261124140705', class: Migration20261124140705 },
  { name: 'Migration20261124141245_staging', class: Migration20261124141245_staging },
  { name: 'Migration20261124142655_identity', class: Migration20261124142655_identity },
  { name: 'Migration20261124144625_lifecycle', class: Migration20261124144625_lifecycle },
  { name: 'Migration20261204164931_url_sites', class: Migration20261204164931_url_sites },
  { name: 'Migration20261205053920_username_origin', class: Migration20261205053920_username_origin },
  { name: 'Migration20261205054512_delivery_tokens', class: Migration20261205054512_delivery_tokens },
  { name: 'Migration20261205054516_verified_email', class: Migration20261205054516_verified_email },
  { name: 'Migration20261205061043_cart_bundling', class: Migration20261205061043_cart_bundling },
  { name: 'Migration20261205063237_staged_identity', class: Migration20261205063237_staged_identity },
  { name: 'Migration20261205063547_stageit', class: Migration20261205063547_stageit },
  { name: 'Migration20261205064420_pin_release', class: Migration20261205064420_pin_release },
];
