import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { signupWebhookMessage } from '../mail/mail.tasks';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { User } from '../users/user.entity';
import { slackSignature } from './slack.routes';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BOT_TOKEN = 'xoxb-test-token';

let db: TestDatabase;
let server: TestServer;
let fakeSlack: http.Server;
let slackUrl: string;
type U = { id: string; email: string; token: string };
let admin: U;

/** What the fake Slack received on response_urls, by path. */
const replies = new Map<string, Record<string, unknown>[]>();
/** Slack members and their profile emails, as users.info answers them. */
const members: Record<string, string> = {
  UADMIN01: 'ops@example.org',
  UBYSTAND: 'alice@example.org',
  UGHOST01: 'ghost@example.org',
};

const em = () => db.orm.em.fork();

beforeAll(async () => {
  // A loopback Slack: the Web API's users.info (bot token required) and response_urls that record what they get.
  fakeSlack = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://slack');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && url.pathname === '/api/users.info') {
        if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`)
          return void res.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
        const id = url.searchParams.get('user') ?? '';
        const email = members[id];
        return void res.end(
          JSON.stringify(
            email ? { ok: true, user: { id, deleted: false, profile: { email } } } : { ok: false, error: 'user_not_found' },
          ),
        );
      }
      if (req.method === 'POST' && url.pathname.startsWith('/actions/')) {
        replies.set(url.pathname, [...(replies.get(url.pathname) ?? []), JSON.parse(body) as Record<string, unknown>]);
        return void res.end('ok');
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => fakeSlack.listen(0, '127.0.0.1', r));
  slackUrl = `http://127.0.0.1:${(fakeSlack.address() as AddressInfo).port}`;
  db = await createTestDatabase();
  server = await startTestServer(
    db.orm,
    { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: `${slackUrl}/api` },
    { dbUrl: db.url },
  );
  admin = await userWithToken(db.orm, { email: 'ops@example.org', role: 'ADMIN' });
  await userWithToken(db.orm, { email: 'alice@example.org' });
});

afterAll(() => new Promise<void>((r) => fakeSlack.close(() => r())));

let clicks = 0;

/** A block_actions payload as Slack sends it for a click on one of the sign-up message's buttons. */
function clickPayload(opts: { actionId: string; value: string; slackUser?: string; responsePath?: string }) {
  const { blocks } = signupWebhookMessage(
    { id: '00000000-0000-4000-8000-000000000000', email: 'x@example.org', name: 'X', username: 'x', emailVerified: true },
    server.url,
  );
  return {
    type: 'block_actions',
    user: { id: opts.slackUser ?? 'UADMIN01', username: 'ops', name: 'ops', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: '1733380000.000100', channel_id: 'C0001', is_ephemeral: false },
    trigger_id: '123.456.abc',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: 'C0001', name: 'signups' },
    message: { type: 'message', ts: '1733380000.000100', text: 'New Stagecoach sign-up waiting for approval', blocks },
    response_url: `${slackUrl}${opts.responsePath ?? `/actions/T0001/${++clicks}/hook`}`,
    actions: [
      {
        action_id: opts.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Approve' },
        value: opts.value,
        type: 'button',
        action_ts: '1733380001.000200',
      },
    ],
  };
}

/** POST /slack exactly as Slack does: a form with one `payload` field, signed with the app's secret. */
async function slackPost(payload: unknown, opts: { secret?: string; timestamp?: number; url?: string; rawBody?: string } = {}) {
  const body = opts.rawBody ?? new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const res = await fetch(`${opts.url ?? server.url}/slack`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(opts.secret ?? SECRET, timestamp, body),
    },
    body,
  });
  return { status: res.status, body, timestamp, text: await res.text() };
}

describe('the sign-up message', () => {
  it('escapes what the person chose in the fallback text and the blocks, and carries Approve and Reject buttons', () => {
    const msg = signupWebhookMessage(
      {
        id: 'u-1',
        email: 'eve@example.org',
        name: '<!channel> <https://evil.example|Click> & co',
        username: 'eve<',
        emailVerified: false,
      },
      'https://stagecoach.example',
    );
    expect(msg.text).toBe(
      'New Stagecoach sign-up waiting for approval: &lt;!channel&gt; &lt;https://evil.example|Click&gt; &amp; co &lt;eve@example.org&gt; — https://stagecoach.example/admin/users',
    );
    const section = JSON.stringify(msg.blocks[0]);
    expect(section).not.toMatch(/<!channel>|<https:/);
    expect(section).toContain('&lt;!channel&gt;');
    expect(section).toContain('eve&lt;');
    const actions = (msg.blocks[1] as { elements: Record<string, unknown>[] }).elements;
    expect(actions).toContainEqual(
      expect.objectContaining({
        action_id: 'accept_user',
        value: 'u-1',
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
      }),
    );
    expect(actions).toContainEqual(
      expect.objectContaining({
        action_id: 'reject_user',
        value: 'u-1',
        text: { type: 'plain_text', text: 'Reject' },
        style: 'danger',
      }),
    );
  });
});

describe('POST /slack (Approve and Reject buttons)', () => {
  it('approves on Approve: the same service as the web app (decision recorded, email queued), and the message is replaced', async () => {
    const pending = await userWithToken(db.orm, { email: 'pat@example.org', status: 'PENDING' });
    const payload = clickPayload({ actionId: 'accept_user', value: pending.id, responsePath: '/actions/T0001/approve/hook' });
    const res = await slackPost(payload);
    expect(res.status).toBe(200);
    expect(await em().findOneOrFail(User, { id: pending.id })).toMatchObject({ status: 'ACTIVE', decidedById: admin.id });
    expect(await em().count(OutboxEmail, { template: 'account-approved', recipient: 'pat@example.org' })).toBe(1);
    const [reply] = replies.get('/actions/T0001/approve/hook')!;
    expect(reply).toEqual({
      replace_original: true,
      text: 'Approved by <@UADMIN01>',
      blocks: [payload.message.blocks[0], { type: 'context', elements: [{ type: 'mrkdwn', text: 'Approved by <@UADMIN01>' }] }],
    });
  });

  it('rejects on Reject and emails the person', async () => {
    const pending = await userWithToken(db.orm, { email: 'rex@example.org', status: 'PENDING' });
    const res = await slackPost(
      clickPayload({ actionId: 'reject_user', value: pending.id, responsePath: '/actions/T0001/reject/hook' }),
    );
    expect(res.status).toBe(200);
    expect((await em().findOneOrFail(User, { id: pending.id })).status).toBe('REJECTED');
    expect(await em().count(OutboxEmail, { template: 'account-rejected', recipient: 'rex@example.org' })).toBe(1);
    expect(replies.get('/actions/T0001/reject/hook')![0]).toMatchObject({
      replace_original: true,
      text: 'Rejected by <@UADMIN01>',
    });
  });

  it('answers ALREADY_DECIDED (409) to a second click and tells the clicker only', async () => {
    const pending = await userWithToken(db.orm, { email: 'twice@example.org', status: 'PENDING' });
    expect((await slackPost(clickPayload({ actionId: 'accept_user', value: pending.id }))).status).toBe(200);
    const again = await slackPost(
      clickPayload({ actionId: 'reject_user', value: pending.id, responsePath: '/actions/T0001/again/hook' }),
    );
    expect(again.status).toBe(409);
    expect(replies.get('/actions/T0001/again/hook')![0]).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'twice@example.org is already active; this cannot be done from there.',
    });
    expect((await em().findOneOrFail(User, { id: pending.id })).status).toBe('ACTIVE');
  });

  it('takes the email value of messages ServiceX posted', async () => {
    const pending = await userWithToken(db.orm, { email: 'legacy@example.org', status: 'PENDING' });
    expect((await slackPost(clickPayload({ actionId: 'accept_user', value: 'legacy@example.org' }))).status).toBe(200);
    expect((await em().findOneOrFail(User, { id: pending.id })).status).toBe('ACTIVE');
    expect(
      (
        await slackPost(
          clickPayload({ actionId: 'accept_user', value: 'nobody@example.org', responsePath: '/actions/T0001/nobody/hook' }),
        )
      ).status,
    ).toBe(404);
    expect(replies.get('/actions/T0001/nobody/hook')![0]).toMatchObject({
      response_type: 'ephemeral',
      text: 'No user registered with email: nobody@example.org',
    });
  });

  it.each([
    ['UBYSTAND', 'a Slack member whose email is a non-admin user'],
    ['UGHOST01', 'a Slack member with no Stagecoach account'],
    ['UNKNOWN1', 'a member Slack does not know'],
  ])('refuses %s (%s) with 403 and changes nothing', async (slackUser) => {
    const pending = await userWithToken(db.orm, { email: `wait-${slackUser.toLowerCase()}@example.org`, status: 'PENDING' });
    const path = `/actions/T0001/refused-${slackUser}/hook`;
    const res = await slackPost(clickPayload({ actionId: 'accept_user', value: pending.id, slackUser, responsePath: path }));
    expect(res.status).toBe(403);
    expect((await em().findOneOrFail(User, { id: pending.id })).status).toBe('PENDING');
    expect(replies.get(path)![0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  });

  describe('request verification', () => {
    let pending: U;
    beforeAll(async () => {
      pending = await userWithToken(db.orm, { email: 'forged@example.org', status: 'PENDING' });
    });
    const unchanged = async () => expect((await em().findOneOrFail(User, { id: pending.id })).status).toBe('PENDING');

    it('refuses a body signed with another secret (401)', async () => {
      expect(
        (await slackPost(clickPayload({ actionId: 'accept_user', value: pending.id }), { secret: 'not-the-signing-secret' }))
          .status,
      ).toBe(401);
      await unchanged();
    });

    it('refuses a body changed after signing (401)', async () => {
      const signed = new URLSearchParams({
        payload: JSON.stringify(clickPayload({ actionId: 'reject_user', value: pending.id })),
      }).toString();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const tampered = signed.replace('reject_user', 'accept_user');
      const res = await fetch(`${server.url}/slack`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': slackSignature(SECRET, timestamp, signed),
        },
        body: tampered,
      });
      expect(res.status).toBe(401);
      await unchanged();
    });

    it('refuses a timestamp more than five minutes old or ahead (403), even when correctly signed', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(
        (await slackPost(clickPayload({ actionId: 'accept_user', value: pending.id }), { timestamp: now - 301 })).status,
      ).toBe(403);
      expect(
        (await slackPost(clickPayload({ actionId: 'accept_user', value: pending.id }), { timestamp: now + 301 })).status,
      ).toBe(403);
      await unchanged();
    });

    it('refuses the same signed request a second time (replay)', async () => {
      const link = clickPayload({ actionId: 'open_admin_page', value: '' });
      const first = await slackPost(link);
      expect(first.status).toBe(200);
      const res = await fetch(`${server.url}/slack`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': first.timestamp,
          'x-slack-signature': slackSignature(SECRET, first.timestamp, first.body),
        },
        body: first.body,
      });
      expect(res.status).toBe(403);
    });

    it('refuses missing headers (403) and acknowledges clicks on the link button without doing anything', async () => {
      expect(
        (
          await fetch(`${server.url}/slack`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'payload={}',
          })
        ).status,
      ).toBe(403);
      expect((await slackPost(clickPayload({ actionId: 'open_admin_page', value: '' }))).status).toBe(200);
      await unchanged();
    });
  });

  it('answers JSON 405 to other methods and 404 below /slack, never the web app', async () => {
    const get = await fetch(`${server.url}/slack`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const below = await fetch(`${server.url}/slack/actions`);
    expect(below.status).toBe(404);
    expect(below.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('answers 403 to everything when SLACK_SIGNING_SECRET is not set', async () => {
    const plainDb = await createTestDatabase();
    const plain = await startTestServer(plainDb.orm, {});
    const pending = await userWithToken(plainDb.orm, { email: 'nosecret@example.org', status: 'PENDING' });
    const res = await slackPost(clickPayload({ actionId: 'accept_user', value: pending.id }), { url: plain.url });
    expect(res.status).toBe(403);
    expect((await plainDb.orm.em.fork().findOneOrFail(User, { id: pending.id })).status).toBe('PENDING');
  });
});
