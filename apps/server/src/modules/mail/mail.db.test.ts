import fs from 'node:fs/promises';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, waitForRequest, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink';
import { User } from '../users/user.entity';
import { seedEmailTemplates } from './mail.service';
import { TEMPLATE_KEYS } from './templates';
import { OutboxEmail } from './outbox-email.entity';

let db: TestDatabase;
let sink: SmtpSink;
let server: TestServer;
let admin: { id: string; email: string; token: string };

const em = () => db.orm.em.fork();
const sentTo = (m: ParsedMail) => [m.to].flat().map((a) => a?.text ?? '').join(', ');

/** Polls the outbox row of a mail until `done` holds. */
async function outboxRow(where: Record<string, unknown>, done: (m: OutboxEmail) => boolean, timeoutMs = 15_000): Promise<OutboxEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await em().findOne(OutboxEmail, where);
    if (row && done(row)) return row;
    if (Date.now() > deadline) throw new Error(`outbox row ${JSON.stringify(where)} is ${row ? `${row.status} (${row.lastError})` : 'missing'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedEmailTemplates(em());
  sink = await startSmtpSink();
  server = await startTestServer(db.orm, { SMTP_URL: sink.url, MAIL_FROM: 'Stagecoach <noreply@stagecoach.test>', FILE_TOOL: 'users' }, { dbUrl: db.url });
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
});
afterAll(() => sink.close());

describe('account decisions by email (in-process SMTP server)', () => {
  it('sends the approval email with the right subject and body, and records the decision', async () => {
    const pending = await userWithToken(db.orm, { email: 'grace@example.org', status: 'PENDING' });
    const res = await server.gql<{ approveUser: { status: string; decidedAt: string } }>(`mutation($id: ID!) { approveUser(id: $id) { status decidedAt } }`, { id: pending.id }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.approveUser.status).toBe('ACTIVE');

    const mail = await sink.waitFor((m) => sentTo(m).includes('grace@example.org'));
    expect(mail.subject).toBe('Your Stagecoach account has been approved');
    expect(mail.from?.text).toBe('"Stagecoach" <noreply@stagecoach.test>');
    expect(mail.text).toContain('an administrator approved your Stagecoach account (grace@example.org)');
    expect(mail.text).toContain(server.url);
    expect(mail.html).toContain(`<a href="${server.url}">Open Stagecoach</a>`);

    const row = await outboxRow({ recipient: 'grace@example.org', template: 'account-approved' }, (m) => m.status === 'SENT');
    expect(row).toMatchObject({ attempts: 1, lastError: null });
    expect(row.sentAt).toBeInstanceOf(Date);
    const user = await em().findOneOrFail(User, { id: pending.id });
    expect(user.decidedById).toBe(admin.id);
    expect(user.decidedAt).toBeInstanceOf(Date);
  });

  it('queues no mail to a stored address that is not exactly one address (an account older than the sign-in check)', async () => {
    const odd = await userWithToken(db.orm, { email: 'odd@example.org', status: 'PENDING' });
    await em().nativeUpdate(User, { id: odd.id }, { email: 'odd@example.org, everyone@example.org' });
    const res = await server.gql<{ approveUser: { status: string } }>(
      `mutation($id: ID!) { approveUser(id: $id) { status } }`,
      { id: odd.id },
      admin.token,
    );
    expect(res.data?.approveUser.status).toBe('ACTIVE');
    expect(await em().count(OutboxEmail, { recipient: { $like: '%everyone@example.org%' } })).toBe(0);
  });

  it('refuses a second decision with ALREADY_DECIDED and mails nothing more', async () => {
    const pending = await userWithToken(db.orm, { email: 'twice@example.org', status: 'PENDING' });
    await server.gql(`mutation($id: ID!) { approveUser(id: $id) { id } }`, { id: pending.id }, admin.token);
    for (const op of ['approveUser(id: $id) { id }', 'rejectUser(id: $id, reason: "late") { id }']) {
      const again = await server.gql(`mutation($id: ID!) { ${op} }`, { id: pending.id }, admin.token);
      expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_DECIDED');
    }
    await outboxRow({ recipient: 'twice@example.org' }, (m) => m.status === 'SENT');
    expect(await em().count(OutboxEmail, { recipient: 'twice@example.org' })).toBe(1);
  });

  it('sends the rejection with its reason, HTML-escaped in the HTML part', async () => {
    const pending = await userWithToken(db.orm, { email: 'mallory@example.org', status: 'PENDING' });
    const res = await server.gql(`mutation($id: ID!, $r: String) { rejectUser(id: $id, reason: $r) { status } }`, { id: pending.id, r: 'Not a <b>member</b> & unknown' }, admin.token);
    expect(res.data).toEqual({ rejectUser: { status: 'REJECTED' } });
    const mail = await sink.waitFor((m) => sentTo(m).includes('mallory@example.org'));
    expect(mail.subject).toBe('Your Stagecoach account request was declined');
    expect(mail.text).toContain('Reason: Not a <b>member</b> & unknown');
    expect(mail.html).toContain('Reason: Not a &lt;b&gt;member&lt;/b&gt; &amp; unknown');
  });

  it('keeps a mail the SMTP server refuses in the outbox, retries it with backoff, and delivers it later', async () => {
    sink.failing = true;
    try {
      const pending = await userWithToken(db.orm, { email: 'unlucky@example.org', status: 'PENDING' });
      await server.gql(`mutation($id: ID!) { approveUser(id: $id) { id } }`, { id: pending.id }, admin.token);
      const failed = await outboxRow({ recipient: 'unlucky@example.org' }, (m) => m.attempts >= 1);
      expect(failed.status).toBe('RETRYING');
      expect(failed.sentAt ?? null).toBeNull();
      expect(failed.lastError).toMatch(/451|temporarily unavailable/i);
      // The job is still queued for a later attempt (graphile-worker's exponential backoff).
      const jobs = await em().getConnection().execute<{ attempts: number; run_at: Date }[]>(
        `select j.attempts, j.run_at from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
          where t.identifier = 'send_email' and j.payload->>'id' = ?`,
        [failed.id],
      );
      expect(jobs).toHaveLength(1);
      expect(jobs[0]!.attempts).toBe(1);
      expect(new Date(jobs[0]!.run_at).getTime()).toBeGreaterThan(Date.now());
    } finally {
      sink.failing = false;
    }
    // The first retry comes after ~e¹ ≈ 3 s; once the server accepts again the mail arrives.
    const mail = await sink.waitFor((m) => sentTo(m).includes('unlucky@example.org'), 20_000);
    expect(mail.subject).toBe('Your Stagecoach account has been approved');
    const sent = await outboxRow({ recipient: 'unlucky@example.org' }, (m) => m.status === 'SENT');
    expect(sent.attempts).toBe(2);
  }, 40_000);

  it('mails the owner when a request with notify: true finishes, with counts and a link', async () => {
    const alice = await userWithToken(db.orm, { email: 'alice@example.org' });
    const archive = path.join(server.dataDir, 'sites', 'archive');
    await fs.mkdir(path.join(archive, 'notify'), { recursive: true });
    await fs.writeFile(path.join(archive, 'notify', 'one.txt'), 'one');
    await fs.writeFile(path.join(archive, 'notify', 'two.txt'), 'two');
    const staged = await server.gql<{ stage: { id: string } }>(
      `mutation($input: StageInput!) { stage(input: $input) { id } }`,
      { input: { method: 'LOCAL_COPY', notify: true, items: [{ source: 'notify/one.txt' }, { source: 'notify/two.txt' }] } },
      alice.token,
    );
    expect(staged.errors).toBeUndefined();
    const id = staged.data!.stage.id;
    await waitForRequest(server, alice.token, id);
    const mail = await sink.waitFor((m) => sentTo(m).includes('alice@example.org'));
    expect(mail.subject).toBe('Stagecoach request succeeded: 2 done, 0 skipped, 0 failed');
    expect(mail.text).toContain(`${server.url}/requests/${id}`);
    expect(mail.text).toMatch(/files:\s+2/);
    expect(mail.text).toContain('your LOCAL_COPY request');

    // Without notify nothing is mailed.
    const quiet = await server.gql<{ stage: { id: string } }>(`mutation($input: StageInput!) { stage(input: $input) { id } }`, { input: { method: 'LOCAL_COPY', items: [{ source: 'notify/one.txt', target: 'again/one.txt' }] } }, alice.token);
    await waitForRequest(server, alice.token, quiet.data!.stage.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(await em().count(OutboxEmail, { recipient: 'alice@example.org' })).toBe(1);
  });
});

describe('without SMTP_URL', () => {
  it('writes mails to the log and keeps them in the outbox as LOGGED, visible to admins', async () => {
    // A database of its own: the SMTP-configured worker above must not pick these jobs up.
    const own = await createTestDatabase();
    const quiet = await startTestServer(own.orm, {}, { dbUrl: own.url });
    const boss = await userWithToken(own.orm, { email: 'boss@example.org', role: 'ADMIN' });
    const pending = await userWithToken(own.orm, { email: 'offline@example.org', status: 'PENDING' });
    await quiet.gql(`mutation($id: ID!) { approveUser(id: $id) { id } }`, { id: pending.id }, boss.token);
    const deadline = Date.now() + 15_000;
    while ((await own.orm.em.fork().findOne(OutboxEmail, { recipient: 'offline@example.org' }))?.status !== 'LOGGED') {
      if (Date.now() > deadline) throw new Error('the mail was not logged');
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await quiet.gql<{ emailOutbox: { to: string; status: string; subject: string; text: string }[] }>(`{ emailOutbox(status: [LOGGED]) { to status subject text } }`, {}, boss.token);
    expect(res.data!.emailOutbox.find((m) => m.to === 'offline@example.org')).toMatchObject({ status: 'LOGGED', subject: 'Your Stagecoach account has been approved' });
    expect(sink.messages.some((m) => sentTo(m).includes('offline@example.org'))).toBe(false);
  });
});

describe('email templates', () => {
  const TEMPLATE = `{ emailTemplates { key subject text html variables customized } }`;

  it('are loaded from fixtures/email-templates and listed for admins', async () => {
    const res = await server.gql<{ emailTemplates: { key: string; variables: string[]; customized: boolean; subject: string }[] }>(TEMPLATE, {}, admin.token);
    expect(res.data!.emailTemplates.map((t) => t.key)).toEqual(TEMPLATE_KEYS);
    const byKey = new Map(res.data!.emailTemplates.map((t) => [t.key, t]));
    expect(byKey.get('account-approved')).toMatchObject({ subject: 'Your Stagecoach account has been approved', customized: false });
    expect(byKey.get('request-finished')!.variables).toEqual(expect.arrayContaining(['filesDone', 'requestUrl']));
  });

  it('previews the stored template or a draft with sample variables, escaping HTML', async () => {
    const res = await server.gql<{ previewEmailTemplate: { subject: string; html: string } }>(
      `{ previewEmailTemplate(key: "account-rejected", html: "<p>{{reason}} / {{name}}</p>") { subject html } }`,
      {},
      admin.token,
    );
    expect(res.data!.previewEmailTemplate).toEqual({ subject: 'Your Stagecoach account request was declined', html: '<p>This service is for members of the collaboration. / Grace Hopper</p>' });
    const bad = await server.gql(`{ previewEmailTemplate(key: "account-rejected", text: "{{secret}}") { subject } }`, {}, admin.token);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await server.gql(`{ previewEmailTemplate(key: "nope") { subject } }`, {}, admin.token);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('uses an admin edit for the next mail, refuses unknown variables, and survives a re-seed', async () => {
    const bad = await server.gql(
      `mutation { updateEmailTemplate(key: "account-approved", subject: "Welcome {{nam}}", text: "x", html: "x") { key } }`,
      {},
      admin.token,
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await server.gql<{ updateEmailTemplate: { customized: boolean } }>(
      `mutation { updateEmailTemplate(key: "account-approved", subject: "Welcome aboard, {{name}}", text: "Go to {{appUrl}}", html: "<p>Go to <a href=\\"{{appUrl}}\\">Stagecoach</a></p>") { customized } }`,
      {},
      admin.token,
    );
    expect(ok.data).toEqual({ updateEmailTemplate: { customized: true } });
    await seedEmailTemplates(em()); // a restart must keep the edit
    const pending = await userWithToken(db.orm, { email: 'edited@example.org', status: 'PENDING' });
    await em().nativeUpdate(User, { id: pending.id }, { name: 'Edie' });
    await server.gql(`mutation($id: ID!) { approveUser(id: $id) { id } }`, { id: pending.id }, admin.token);
    const mail = await sink.waitFor((m) => sentTo(m).includes('edited@example.org'));
    expect(mail.subject).toBe('Welcome aboard, Edie');
    expect(mail.text?.trim()).toBe(`Go to ${server.url}`);
  });
});
