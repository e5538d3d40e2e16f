import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig, type Config } from '../src/config/env';
import { systemClock, type Clock } from '../src/lib/clock';
import { createLogger } from '../src/lib/logger';
import { TokensService } from '../src/modules/tokens/tokens.service';
import type { Role, UserStatus } from '../src/modules/users/user.entity';
import { UsersService } from '../src/modules/users/users.service';

export interface TestServer {
  url: string;
  config: Config;
  /** POST /graphql; returns the parsed JSON body. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
}

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** Starts the real app (Express + Apollo + graphql-ws) on a free loopback port for this test file. */
export async function startTestServer(orm: MikroORM, env: Record<string, string> = {}, clock: Clock = systemClock): Promise<TestServer> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0', ...env });
  const app = await createApp({ config, logger: createLogger('silent'), orm, clock });
  const port = await app.listen(0, '127.0.0.1');
  afterAll(() => app.close());
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config,
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResult<never>;
    },
  };
}

/** Creates a user directly in the database and returns it with a fresh API token secret. */
export async function userWithToken(
  orm: MikroORM,
  opts: { email: string; role?: Role; status?: UserStatus },
): Promise<{ id: string; email: string; token: string }> {
  const em = orm.em.fork();
  const user = await new UsersService(em).create({ email: opts.email, role: opts.role ?? 'USER', status: opts.status ?? 'ACTIVE' });
  const { secret } = await new TokensService(em, systemClock).create(user, 'test', 30);
  return { id: user.id, email: user.email, token: secret };
}
