import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/env';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { User } from '../modules/users/user.entity';
import { TokensService } from '../modules/tokens/tokens.service';
import { UsersService } from '../modules/users/users.service';

export interface Viewer {
  user: User;
  /** How the caller authenticated; cookie sessions additionally need CSRF protection. */
  via: 'token' | 'session';
}

/** Per-operation services sharing one forked EntityManager (one identity map per request). */
export interface Services {
  users: UsersService;
  tokens: TokensService;
}

export interface GraphQLContext {
  viewer: Viewer | null;
  services: Services;
  config: Config;
  logger: Logger;
}

export interface ContextDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
}

export function createServices(em: EntityManager, deps: ContextDeps): Services {
  return {
    users: new UsersService(em),
    tokens: new TokensService(em, deps.clock),
  };
}

/** Parses `Bearer <secret>`; returns undefined when the header is absent. */
export function bearerSecret(header: unknown): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : ''; // '' = present but malformed → rejected as unauthenticated
}

/** Builds the context for one HTTP request or WebSocket operation. */
export async function buildContext(
  em: EntityManager,
  deps: ContextDeps,
  authorization: unknown,
  sessionUser?: User | null,
): Promise<GraphQLContext> {
  const services = createServices(em, deps);
  const secret = bearerSecret(authorization);
  let viewer: Viewer | null = null;
  if (secret !== undefined) {
    const { user } = await services.tokens.authenticate(secret);
    viewer = { user, via: 'token' };
  } else if (sessionUser) {
    viewer = { user: sessionUser, via: 'session' };
  }
  return { viewer, services, config: deps.config, logger: deps.logger };
}
