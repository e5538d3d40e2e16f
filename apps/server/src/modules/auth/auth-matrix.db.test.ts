/**
 * The auth matrix: EVERY GraphQL operation × every kind of caller, over both transports (bearer
 * token and browser session), each with the code it must answer. Data-driven: a new operation
 * fails the completeness test until it gets a row in CASES.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type GqlResult, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { sessionGql, signInWithDevIdp, type CookieJar } from '../../../test/session';
import { buildAppSchema } from '../../graphql/build-schema';
import { systemClock } from '../../lib/clock';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { StagedFile } from '../staging/staged-file.entity';
import { StagingRequest } from '../staging/staging-request.entity';
import { TokensService } from '../tokens/tokens.service';
import { User, type Role, type UserStatus } from '../users/user.entity';
import { UsersService } from '../users/users.service';

const ACTORS = ['anonymous', 'pending', 'rejected', 'disabled', 'other', 'owner', 'admin'] as const;
type Actor = (typeof ACTORS)[number];
type Outcome = 'OK' | 'UNAUTHENTICATED' | 'USER_NOT_APPROVED' | 'FORBIDDEN' | 'NOT_FOUND';
type Kind = 'query' | 'mutation' | 'subscription';

const NOT_SIGNED_IN_OR_APPROVED = { anonymous: 'UNAUTHENTICATED', pending: 'USER_NOT_APPROVED', rejected: 'USER_NOT_APPROVED', disabled: 'USER_NOT_APPROVED' } as const;
/** Who may do what, by kind of operation. */
const ACCESS = {
  /** Anyone, signed in or not. */
  public: { anonymous: 'OK', pending: 'OK', rejected: 'OK', disabled: 'OK', other: 'OK', owner: 'OK', admin: 'OK' },
  /** Any ACTIVE user. */
  active: { ...NOT_SIGNED_IN_OR_APPROVED, other: 'OK', owner: 'OK', admin: 'OK' },
  /** An object of the owner's: its owner and admins; anyone else is told it does not exist. */
  owned: { ...NOT_SIGNED_IN_OR_APPROVED, other: 'NOT_FOUND', owner: 'OK', admin: 'OK' },
  /** A personal object (API tokens): its owner only, not even admins. */
  personal: { ...NOT_SIGNED_IN_OR_APPROVED, other: 'NOT_FOUND', owner: 'OK', admin: 'NOT_FOUND' },
  /** Administrators only. */
  admin: { ...NOT_SIGNED_IN_OR_APPROVED, other: 'FORBIDDEN', owner: 'FORBIDDEN', admin: 'OK' },
} as const satisfies Record<string, Record<Actor, Outcome>>;

interface Case {
  /** The schema field (Query/Mutation/Subscription) this row covers. */
  op: string;
  kind: Kind;
  access: keyof typeof ACCESS;
  doc: string;
  /** Variables; may create fresh objects (a mutation must not see an earlier case's leftovers). */
  vars?: (actor: Actor) => Promise<Record<string, unknown>>;
  label?: string;
}

let db: TestDatabase;
let server: TestServer;
const people = {} as Record<Exclude<Actor, 'anonymous'>, { id: string; token: string; jar: CookieJar }>;
const em = () => db.orm.em.fork();

/** A fresh user in the given state (targets of admin operations). */
async function target(status: UserStatus, role: Role = 'USER'): Promise<string> {
  const n = Math.random().toString(36).slice(2, 10);
  return (await new UsersService(em()).create({ email: `target-${n}@example.org`, status, role })).id;
}

/** A fresh QUEUED request of the owner (no worker runs in this file, so it stays queued). */
async function ownersRequest(): Promise<string> {
  const res = await server.gql<{ stage: { id: string } }>(`mutation($i: StageInput!) { stage(input: $i) { id } }`, { i: { method: 'LOCAL_COPY', items: [{ source: 'matrix/a.txt', target: `m/${Math.random()}.txt` }] } }, people.owner.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.stage.id;
}

/** A fresh finished request of the owner with one FAILED file (retryable). */
async function ownersFailedRequest(): Promise<string> {
  const id = await ownersRequest();
  await em().nativeUpdate(StagedFile, { request: id }, { status: 'FAILED', errorCode: 'TRANSFER_FAILED', errorMessage: 'test' });
  await em().nativeUpdate(StagingRequest, { id }, { status: 'FAILED', finishedAt: new Date() });
  return id;
}

/** A fresh SUCCEEDED request of the owner whose results expire tomorrow (extendable). */
async function ownersFinishedRequest(): Promise<string> {
  const id = await ownersRequest();
  await em().nativeUpdate(StagedFile, { request: id }, { status: 'DONE' });
  await em().nativeUpdate(StagingRequest, { id }, { status: 'SUCCEEDED', finishedAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
  return id;
}

const CASES: Case[] = [
  // ---- users, sign-in state ----
  { op: 'me', kind: 'query', access: 'public', doc: '{ me { id status } }' },
  { op: 'users', kind: 'query', access: 'admin', doc: '{ users(status: PENDING) { id email } }' },
  { op: 'approveUser', kind: 'mutation', access: 'admin', doc: 'mutation($id: ID!) { approveUser(id: $id) { id } }', vars: async () => ({ id: await target('PENDING') }) },
  { op: 'rejectUser', kind: 'mutation', access: 'admin', doc: 'mutation($id: ID!) { rejectUser(id: $id, reason: "no") { id } }', vars: async () => ({ id: await target('PENDING') }) },
  { op: 'setUserRole', kind: 'mutation', access: 'admin', doc: 'mutation($id: ID!) { setUserRole(id: $id, role: ADMIN) { id } }', vars: async () => ({ id: await target('ACTIVE') }) },
  { op: 'disableUser', kind: 'mutation', access: 'admin', doc: 'mutation($id: ID!) { disableUser(id: $id) { id } }', vars: async () => ({ id: await target('ACTIVE') }) },
  { op: 'enableUser', kind: 'mutation', access: 'admin', doc: 'mutation($id: ID!) { enableUser(id: $id) { id } }', vars: async () => ({ id: await target('DISABLED') }) },
  // ---- API tokens ----
  { op: 'apiTokens', kind: 'query', access: 'active', doc: '{ apiTokens { id } }' },
  { op: 'createApiToken', kind: 'mutation', access: 'active', doc: 'mutation { createApiToken(name: "matrix", expiresInDays: 1) { secret } }' },
  {
    op: 'revokeApiToken',
    kind: 'mutation',
    access: 'personal',
    doc: 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }',
    vars: async () => ({ id: (await new TokensService(em(), systemClock).create((await em().findOneOrFail(User, { id: people.owner.id })), 'victim', 1)).token.id }),
  },
  // ---- email (admins) ----
  { op: 'emailTemplates', kind: 'query', access: 'admin', doc: '{ emailTemplates { key } }' },
  { op: 'previewEmailTemplate', kind: 'query', access: 'admin', doc: '{ previewEmailTemplate(key: "account-approved") { subject } }' },
  { op: 'updateEmailTemplate', kind: 'mutation', access: 'admin', doc: 'mutation { updateEmailTemplate(key: "account-approved", subject: "Hi {{name}}", text: "t", html: "h") { key } }' },
  { op: 'emailOutbox', kind: 'query', access: 'admin', doc: '{ emailOutbox { id } }' },
  {
    op: 'resendEmail',
    kind: 'mutation',
    access: 'admin',
    doc: 'mutation($id: ID!) { resendEmail(id: $id) { id } }',
    vars: async () => {
      const m = em();
      const row = m.create(OutboxEmail, { template: 'account-approved', recipient: 'x@example.org', subject: 's', text: 't', html: 'h', status: 'FAILED', createdAt: new Date() });
      await m.flush();
      return { id: row.id };
    },
  },
  // ---- staging ----
  { op: 'stagingMethods', kind: 'query', access: 'public', doc: '{ stagingMethods { method } }' },
  { op: 'sites', kind: 'query', access: 'active', doc: '{ sites { id } }' },
  { op: 'browse', kind: 'query', access: 'active', doc: '{ browse(path: "matrix") { name } }' },
  { op: 'stage', kind: 'mutation', access: 'active', doc: 'mutation($i: StageInput!) { stage(input: $i) { id } }', vars: async () => ({ i: { method: 'LOCAL_COPY', items: [{ source: 'matrix/a.txt', target: `s/${Math.random()}.txt` }] } }) },
  { op: 'stagingRequests', kind: 'query', access: 'active', doc: '{ stagingRequests { totalCount } }' },
  { op: 'stagingRequests', label: 'stagingRequests(mine: false)', kind: 'query', access: 'admin', doc: '{ stagingRequests(mine: false) { totalCount } }' },
  { op: 'stagingRequest', kind: 'query', access: 'owned', doc: 'query($id: ID!) { stagingRequest(id: $id) { id owner { id } files { totalCount } } }', vars: async () => ({ id: await ownersRequest() }) },
  { op: 'cancelStagingRequest', kind: 'mutation', access: 'owned', doc: 'mutation($id: ID!) { cancelStagingRequest(id: $id) { status } }', vars: async () => ({ id: await ownersRequest() }) },
  { op: 'retryStagingRequest', kind: 'mutation', access: 'owned', doc: 'mutation($id: ID!) { retryStagingRequest(id: $id) { status } }', vars: async () => ({ id: await ownersFailedRequest() }) },
  { op: 'extendStagingRequest', kind: 'mutation', access: 'owned', doc: 'mutation($id: ID!) { extendStagingRequest(id: $id, days: 1) { id } }', vars: async () => ({ id: await ownersFinishedRequest() }) },
  { op: 'setUserQuota', kind: 'mutation', access: 'admin', doc: 'mutation($id: ID!) { setUserQuota(userId: $id, maxBytes: 1000000) { __typename } }', vars: async () => ({ id: await target('ACTIVE') }) },
  { op: 'createFile', kind: 'mutation', access: 'admin', label: 'createFile (FILE_TOOL=admins)', doc: 'mutation($p: String!) { createFile(input: { path: $p, content: "x" }) { path } }', vars: async () => ({ p: `matrix/${Math.random()}.txt` }) },
  // ---- logs ----
  { op: 'logs', kind: 'query', access: 'active', doc: '{ logs { id } }' },
  { op: 'logs', label: 'logs(requestId)', kind: 'query', access: 'owned', doc: 'query($id: ID!) { logs(requestId: $id) { id } }', vars: async () => ({ id: await ownersRequest() }) },
  { op: 'logs', label: 'logs(allUsers: true)', kind: 'query', access: 'admin', doc: '{ logs(allUsers: true) { id } }' },
  // ---- subscriptions ----
  { op: 'stagingRequestUpdated', kind: 'subscription', access: 'owned', doc: 'subscription($id: ID!) { stagingRequestUpdated(id: $id) { id status } }', vars: async () => ({ id: await ownersRequest() }) },
  { op: 'logAppended', kind: 'subscription', access: 'active', doc: 'subscription { logAppended { id } }' },
  { op: 'logAppended', label: 'logAppended(requestId)', kind: 'subscription', access: 'owned', doc: 'subscription($id: ID!) { logAppended(requestId: $id) { id } }', vars: async () => ({ id: await ownersRequest() }) },
  { op: 'logAppended', label: 'logAppended(allUsers: true)', kind: 'subscription', access: 'admin', doc: 'subscription { logAppended(allUsers: true) { id } }' },
];

type Transport = 'bearer' | 'session';

/** Runs one subscription: OK = its first event, or no error within a short wait (event-driven ones). */
function subscribeOnce(doc: string, variables: Record<string, unknown>, actor: Actor, transport: Transport): Promise<GqlResult<unknown>> {
  const p = actor === 'anonymous' ? undefined : people[actor];
  const headers: Record<string, string> = transport === 'session' && p ? { cookie: p.jar.header(), origin: server.url } : {};
  class Socket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: Socket,
    connectionParams: transport === 'bearer' && p ? { authorization: `Bearer ${p.token}` } : {},
    retryAttempts: 0,
  });
  return new Promise((resolve) => {
    const done = (r: GqlResult<unknown>) => {
      clearTimeout(timer);
      void client.dispose();
      resolve(r);
    };
    const timer = setTimeout(() => done({ data: null }), 400);
    const unsubscribe = client.subscribe(
      { query: doc, variables },
      {
        next: (r) => {
          unsubscribe();
          done(r as GqlResult<unknown>);
        },
        error: (e) => done(Array.isArray(e) ? { errors: e } : { errors: [{ message: String(e), extensions: { code: 'SOCKET_ERROR' } }] }),
        complete: () => done({ data: null }),
      },
    );
  });
}

async function run(c: Case, actor: Actor, transport: Transport): Promise<GqlResult<unknown>> {
  const variables = (await c.vars?.(actor)) ?? {};
  if (c.kind === 'subscription') return subscribeOnce(c.doc, variables, actor, transport);
  if (actor === 'anonymous') return server.gql(c.doc, variables);
  return transport === 'bearer' ? server.gql(c.doc, variables, people[actor].token) : sessionGql(server.url, people[actor].jar, c.doc, variables);
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm); // no worker: requests stay QUEUED, so every case is deterministic
  await fs.mkdir(path.join(server.dataDir, 'sites', 'archive', 'matrix'), { recursive: true });
  await fs.writeFile(path.join(server.dataDir, 'sites', 'archive', 'matrix', 'a.txt'), 'a');
  const states: Record<Exclude<Actor, 'anonymous'>, { status: UserStatus; role: Role }> = {
    pending: { status: 'PENDING', role: 'USER' },
    rejected: { status: 'REJECTED', role: 'USER' },
    disabled: { status: 'DISABLED', role: 'USER' },
    other: { status: 'ACTIVE', role: 'USER' },
    owner: { status: 'ACTIVE', role: 'USER' },
    admin: { status: 'ACTIVE', role: 'ADMIN' },
  };
  // Each actor signs in for real (session) and also holds an API token: both transports, one user.
  for (const [actor, state] of Object.entries(states) as [Exclude<Actor, 'anonymous'>, (typeof states)[keyof typeof states]][]) {
    const { jar } = await signInWithDevIdp(server.url, `matrix-${actor}`);
    const m = em();
    const user = await m.findOneOrFail(User, { email: `matrix-${actor}@example.org` });
    Object.assign(user, state);
    await m.flush();
    const { secret } = await new TokensService(m, systemClock).create(user, 'matrix', 1);
    people[actor] = { id: user.id, token: secret, jar };
  }
});

describe('auth matrix', () => {
  it('has a row for every operation in the schema', async () => {
    const schema: GraphQLSchema = await buildAppSchema();
    const inSchema = (['Query', 'Mutation', 'Subscription'] as const).flatMap((t) => {
      const type = schema.getType(t);
      return type && isObjectType(type) ? Object.keys(type.getFields()).map((f) => `${t}.${f}`) : [];
    });
    const kindOf = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;
    const covered = new Set(CASES.map((c) => `${kindOf[c.kind]}.${c.op}`));
    expect(inSchema.filter((op) => !covered.has(op)), 'operations without an auth-matrix row').toEqual([]);
    expect([...covered].filter((op) => !inSchema.includes(op)), 'rows for operations that no longer exist').toEqual([]);
    expect(getNamedType(schema.getQueryType()!.getFields().me!.type).toString()).toBe('User');
  });

  for (const transport of ['bearer', 'session'] as const) {
    describe(`over ${transport === 'bearer' ? 'an API token' : 'a browser session'}`, () => {
      for (const c of CASES) {
        const expected = ACCESS[c.access];
        it.each(ACTORS.map((a) => [a, expected[a]] as const))(`${c.label ?? c.op} as %s → %s`, async (actor, outcome) => {
          const res = await run(c, actor, transport);
          const code = res.errors?.[0]?.extensions?.code ?? 'OK';
          expect(code, JSON.stringify(res.errors)).toBe(outcome);
          if (outcome === 'OK' && c.kind !== 'subscription' && c.op !== 'me') expect(res.data?.[c.op as never]).toBeTruthy();
        });
      }
    });
  }
});

describe('objects that do not exist', () => {
  it.each([
    ['approveUser(id: $id) { id }'],
    ['rejectUser(id: $id) { id }'],
    ['setUserRole(id: $id, role: USER) { id }'],
    ['disableUser(id: $id) { id }'],
    ['enableUser(id: $id) { id }'],
    ['resendEmail(id: $id) { id }'],
  ])('answer NOT_FOUND to an admin: %s', async (op) => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await server.gql(`mutation($id: ID!) { ${op} }`, { id }, people.admin.token);
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});
