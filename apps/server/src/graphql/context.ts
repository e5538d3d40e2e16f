import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/env';
import type { Container, Services } from '../container';
import { addLogContext } from '../lib/log-context';
import type { Logger } from '../lib/logger';
import { bearerSecret, type Viewer } from '../modules/auth/viewer';
import type { User } from '../modules/users/user.entity';

export type { Viewer };

/** What every resolver gets: the caller, the per-operation services and the process's container. */
export interface GraphQLContext {
  viewer: Viewer | null;
  services: Services;
  container: Container;
  config: Config;
  logger: Logger;
}

/** Builds the context for one HTTP request or WebSocket operation. */
export async function buildContext(em: EntityManager, c: Container, authorization: unknown, sessionUser?: User | null): Promise<GraphQLContext> {
  const services = c.services(em);
  const secret = bearerSecret(authorization);
  let viewer: Viewer | null = null;
  if (secret !== undefined) {
    const { user } = await services.tokens.authenticate(secret);
    viewer = { user, via: 'token' };
  } else if (sessionUser) {
    viewer = { user: sessionUser, via: 'session' };
  }
  if (viewer) addLogContext({ userId: viewer.user.id });
  return { viewer, services, container: c, config: c.config, logger: c.logger };
}
