/**
 * The API contract as docs/api.md states it: every `graphql` example runs over HTTP and over
 * WebSocket (subscriptions over WebSocket only) with a token minted by the CLI, with the variables
 * of the `json` block that follows it, and answers without errors, or with the code its
 * `# fails with CODE` line names. Values like "<request-id>" are filled with fresh fixtures.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildSchema, getOperationAST, Kind, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { startTestServer, userWithToken, waitForRequest, type GqlResult, type TestServer } from '../test/app';
import { codeBlocks, REPO_ROOT } from '../test/markdown';
import { runCommand } from './cli/index';
import { StagingRequest } from './modules/staging/staging-request.entity';

interface Example {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  kind: 'query' | 'mutation' | 'subscription';
  anonymous: boolean;
  failsWith: string | null;
}

/** The `graphql` examples of docs/api.md, each with the `json` variables right after it. */
function documentedExamples(): Example[] {
  const blocks = codeBlocks(path.join(REPO_ROOT, 'docs/api.md'));
  return blocks.flatMap((b, i) => {
    if (b.lang !== 'graphql') return [];
    const next = blocks[i + 1];
    const operation = getOperationAST(parse(b.code));
    if (!operation?.name) throw new Error(`docs/api.md:${b.line}: examples must be single, named operations`);
    return [
      {
        name: operation.name.value,
        query: b.code,
        variables: next?.lang === 'json' ? (JSON.parse(next.code) as Record<string, unknown>) : {},
        kind: operation.operation,
        anonymous: /^# anonymous$/m.test(b.code),
        failsWith: /^# fails with (\w+)$/m.exec(b.code)?.[1] ?? null,
      },
    ];
  });
}

const examples = documentedExamples();
const byName = (name: string) => examples.find((e) => e.name === name) ?? expect.fail(`docs/api.md has no ${name} example`);

let db: TestDatabase;
let server: TestServer;
let token: string;
let requestId: string;
let seq = 0;

async function gqlData<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await server.gql<T>(query, variables, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

async function stageAndWait(target: string): Promise<string> {
  const { stage } = await gqlData<{ stage: { id: string } }>(`mutation($input: StageInput!) { stage(input: $input) { id } }`, { input: { method: 'LOCAL_COPY', items: [{ source: 'catalogs', target }] } });
  await waitForRequest(server, token, stage.id);
  return stage.id;
}

/** A fresh fixture for each placeholder the examples use, so running an example twice is safe. */
const fixtures: Record<string, () => Promise<string>> = {
  '<request-id>': async () => requestId,
  // A request still in flight: a finished one put back to RUNNING (no job follows it any more).
  '<running-request-id>': async () => {
    const id = await stageAndWait(`running/${++seq}`);
    await db.orm.em.fork().nativeUpdate(StagingRequest, { id }, { status: 'RUNNING', finishedAt: null });
    return id;
  },
  // A finished request with a failed file: a different stars.csv is in the way.
  '<failed-request-id>': async () => {
    const dir = path.join(server.dataDir, 'sites', 'users', 'ops', 'conflict', String(++seq), 'catalogs');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'stars.csv'), 'not the archive copy\n');
    return stageAndWait(`conflict/${seq}/catalogs`);
  },
  '<new-file-path>': async () => `examples/hello-${++seq}.txt`,
  '<token-id>': async () => (await gqlData<{ createApiToken: { token: { id: string } } }>(`mutation { createApiToken(name: "to revoke") { token { id } } }`)).createApiToken.token.id,
  '<pending-user-id>': async () => (await userWithToken(db.orm, { email: `pending-${++seq}@example.org`, status: 'PENDING' })).id,
  '<active-user-id>': async () => (await userWithToken(db.orm, { email: `active-${++seq}@example.org` })).id,
  '<disabled-user-id>': async () => (await userWithToken(db.orm, { email: `disabled-${++seq}@example.org`, status: 'DISABLED' })).id,
  // Approving someone queues an email.
  '<email-id>': async () => {
    await gqlData(`mutation($id: ID!) { approveUser(id: $id) { id } }`, { id: await fixtures['<pending-user-id>']!() });
    return (await gqlData<{ emailOutbox: { id: string }[] }>(`{ emailOutbox(first: 1) { id } }`)).emailOutbox[0]!.id;
  },
};

async function fill(value: unknown): Promise<unknown> {
  if (typeof value === 'string' && /^<.+>$/.test(value)) {
    const make = fixtures[value];
    if (!make) throw new Error(`no fixture for ${value} (add one to api-contract.db.test.ts)`);
    return make();
  }
  if (Array.isArray(value)) return Promise.all(value.map(fill));
  if (value && typeof value === 'object') return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await fill(v)])));
  return value;
}

/** Runs one operation over graphql-ws; a subscription resolves with its first result. */
function overWebSocket(query: string, variables: Record<string, unknown>, withToken: boolean): Promise<GqlResult<unknown>> {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: withToken ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  return new Promise<GqlResult<unknown>>((resolve, reject) => {
    let result: GqlResult<unknown> | undefined;
    const unsubscribe = client.subscribe(
      { query, variables },
      {
        next: (r) => {
          result = r as GqlResult<unknown>;
          // The first event of a subscription is all the contract promises (the current state).
          if (getOperationAST(parse(query))?.operation === 'subscription') {
            unsubscribe();
            resolve(result);
          }
        },
        error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e instanceof Error ? e : new Error(String((e as { reason?: string }).reason ?? e)))),
        complete: () => resolve(result ?? {}),
      },
    );
  }).finally(() => void client.dispose());
}

type Transport = (query: string, variables: Record<string, unknown>, withToken: boolean) => Promise<GqlResult<unknown>>;
const overHttp: Transport = (query, variables, withToken) => server.gql(query, variables, withToken ? token : undefined);
const transports: [string, Transport][] = [
  ['HTTP', overHttp],
  ['WebSocket', overWebSocket],
];

/**
 * Runs `subscribe` while requests are staged one after the other, so that a subscription that only
 * reports new events (the live log) gets one, however long the server takes to set it up.
 */
async function whileStaging<T>(subscribe: () => Promise<T>): Promise<T> {
  let done = false;
  const activity = (async () => {
    while (!done) await stageAndWait(`activity/${++seq}`);
  })();
  try {
    return await subscribe();
  } finally {
    done = true;
    await activity;
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm, {}, { dbUrl: db.url });
  // The token an integrator gets from an operator: minted by the CLI.
  const database = { orm: db.orm, url: db.url, close: async () => undefined };
  const lines: string[] = [];
  await runCommand(['user', 'add', '--email', 'ops@example.org', '--admin'], database, () => undefined, { config: server.config });
  await runCommand(['token', 'create', '--email', 'ops@example.org'], database, (l) => lines.push(l), { config: server.config });
  token = lines[0]!;
  requestId = await stageAndWait('catalogs');
});

it('documents every query, mutation and subscription of the schema', async () => {
  const schema = buildSchema(await fs.readFile(path.join(REPO_ROOT, 'apps/server/schema.graphql'), 'utf8'));
  const operations = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) => Object.keys(t?.getFields() ?? {}));
  const documented = new Set(examples.flatMap((e) => getOperationAST(parse(e.query))!.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))));
  expect(operations.filter((op) => !documented.has(op))).toEqual([]);
});

describe.each(transports)('docs/api.md examples over %s', (transport, run) => {
  const runnable = examples.filter((e) => transport === 'WebSocket' || e.kind !== 'subscription');
  it.each(runnable.map((e) => [e.name, e] as const))('%s', async (_name, example) => {
    const variables = (await fill(example.variables)) as Record<string, unknown>;
    const res = example.kind === 'subscription' ? await whileStaging(() => run(example.query, variables, !example.anonymous)) : await run(example.query, variables, !example.anonymous);
    if (example.failsWith) {
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual([example.failsWith]);
    } else {
      expect(res.errors).toBeUndefined();
      expect(res.data).toBeTruthy();
    }
  });
});

describe.each(transports)('the documented file selection over %s', (_transport, run) => {
  const request = () => byName('Request').query;
  it.each([100, 500, 1000])('serves first: %i as a literal and as a variable', async (n) => {
    const literal = (await run(request().replace('files(first: 100)', `files(first: ${n})`), { id: requestId }, true)) as GqlResult<{ stagingRequest: { files: { nodes: { source: string; checksum: string }[] } } }>;
    expect(literal.errors).toBeUndefined();
    expect(literal.data!.stagingRequest.files.nodes.map((f) => f.source).sort()).toEqual(['catalogs/random.bin', 'catalogs/stars.csv']);
    const variable = await run(request().replace('query Request($id: ID!)', 'query Request($id: ID!, $n: Int)').replace('files(first: 100)', 'files(first: $n)'), { id: requestId, n }, true);
    expect(variable.errors).toBeUndefined();
    expect(variable.data).toEqual(literal.data);
  });

  it('refuses first: 1001 naming the cap, as a literal and as a variable', async () => {
    const literal = await run(byName('TooLargeAPage').query, { id: requestId }, true);
    const variable = await run(byName('FilePage').query, { id: requestId, first: 1001 }, true);
    for (const res of [literal, variable]) {
      expect(res.errors).toMatchObject([{ message: expect.stringContaining('at most 1000'), extensions: { code: 'BAD_USER_INPUT' } }]);
    }
  });

  it('refuses 100 requests × 1,000 files, naming its size', async () => {
    const res = await run(byName('PagesOfPages').query, {}, true);
    expect(res.errors).toMatchObject([{ message: expect.stringMatching(/100,201 objects; the limit is 20,000/), extensions: { code: 'BAD_USER_INPUT' } }]);
  });

  it('stages with the file selection for a token holder and refuses it anonymously', async () => {
    const selection = request().match(/files\(first: 100\) \{[\s\S]*\n {4}\}\n/)![0];
    const stage = `mutation($input: StageInput!) { stage(input: $input) { id status ${selection} } }`;
    const input = { method: 'LOCAL_COPY', items: [{ source: 'catalogs', target: `selection/${++seq}` }] };
    const anonymous = await run(stage, { input }, false);
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const staged = (await run(stage, { input }, true)) as GqlResult<{ stage: { id: string; files: { totalCount: number } } }>;
    expect(staged.errors).toBeUndefined();
    expect(staged.data!.stage).toMatchObject({ id: expect.any(String), files: { totalCount: 2 } });
  });
});
