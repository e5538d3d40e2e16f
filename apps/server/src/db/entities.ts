import { ApiToken } from '../modules/tokens/api-token.entity';
import { User } from '../modules/users/user.entity';

/** Explicit list (no folder discovery) so the bundled server and the tests see the same entities. */
export const entities = [User, ApiToken];
