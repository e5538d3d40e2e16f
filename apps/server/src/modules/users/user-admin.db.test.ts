import { beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, userWithToken, type TestServer } from '../../../test/app';
import { createTestDatabase, type TestDatabase } from '../../../test/db';
import { runCommand } from '../../cli/index';
import { loadConfig } from '../../config/env';
import { OutboxEmail } from '../mail/outbox-email.entity';
import { User } from './user.entity';

let db: TestDatabase;
let server: TestServer;
let admin: { id: string; email: string; token: string };

const em = () => db.orm.em.fork();

async function cli(...argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runCommand(argv, { orm: db.orm, url: db.url, close: async () => undefined }, (l) => lines.push(l), { config: loadConfig({ PUBLIC_URL: 'https://stagecoach.example.org', DATA_DIR: server.dataDir }) });
  return lines;
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer(db.orm);
  admin = await userWithToken(db.orm, { email: 'root@example.org', role: 'ADMIN' });
});

describe('pnpm cli user approve | reject | list (the same service as GraphQL)', () => {
  it('approves a pending user, records the decision and queues their email', async () => {
    await userWithToken(db.orm, { email: 'cli-pending@example.org', status: 'PENDING' });
    expect(await cli('user', 'list', '--status', 'PENDING')).toEqual([expect.stringMatching(/^cli-pending@example\.org\tcli-pending\tUSER\tPENDING\t/)]);
    expect((await cli('user', 'approve', '--email', 'cli-pending@example.org'))[0]).toMatch(/^Approved cli-pending@example\.org\./);
    const user = await em().findOneOrFail(User, { email: 'cli-pending@example.org' });
    expect(user.status).toBe('ACTIVE');
    expect(user.decidedAt).toBeInstanceOf(Date);
    expect(user.decidedById).toBeNull();
    const mail = await em().findOneOrFail(OutboxEmail, { recipient: 'cli-pending@example.org' });
    expect(mail).toMatchObject({ template: 'account-approved', status: 'PENDING' });
    expect(mail.text).toContain('https://stagecoach.example.org');
    await expect(cli('user', 'approve', '--email', 'cli-pending@example.org')).rejects.toMatchObject({ code: 'ALREADY_DECIDED' });
  });

  it('rejects with a reason that reaches the email', async () => {
    await userWithToken(db.orm, { email: 'cli-no@example.org', status: 'PENDING' });
    await cli('user', 'reject', '--email', 'cli-no@example.org', '--reason', 'Unknown affiliation');
    expect(await em().findOneOrFail(User, { email: 'cli-no@example.org' })).toMatchObject({ status: 'REJECTED', rejectReason: 'Unknown affiliation' });
    expect((await em().findOneOrFail(OutboxEmail, { recipient: 'cli-no@example.org' })).text).toContain('Reason: Unknown affiliation');
  });
});

describe('roles and disabling', () => {
  it('never demotes the last active admin, but does once another admin exists', async () => {
    const own = await createTestDatabase();
    const solo = await startTestServer(own.orm);
    const only = await userWithToken(own.orm, { email: 'only@example.org', role: 'ADMIN' });
    const demote = `mutation($id: ID!) { setUserRole(id: $id, role: USER) { role } }`;
    expect((await solo.gql(demote, { id: only.id }, only.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const second = await userWithToken(own.orm, { email: 'second@example.org' });
    expect((await solo.gql(`mutation($id: ID!) { setUserRole(id: $id, role: ADMIN) { role } }`, { id: second.id }, only.token)).data).toEqual({ setUserRole: { role: 'ADMIN' } });
    expect((await solo.gql(demote, { id: only.id }, only.token)).data).toEqual({ setUserRole: { role: 'USER' } });
  });

  it('disables a user at once (their token keeps only me) and enables them again', async () => {
    const carol = await userWithToken(db.orm, { email: 'carol@example.org' });
    expect((await server.gql(`mutation($id: ID!) { disableUser(id: $id) { status } }`, { id: carol.id }, admin.token)).data).toEqual({ disableUser: { status: 'DISABLED' } });
    expect((await server.gql('{ apiTokens { id } }', {}, carol.token)).errors?.[0]?.extensions?.code).toBe('USER_NOT_APPROVED');
    expect((await server.gql('{ me { status } }', {}, carol.token)).data).toEqual({ me: { status: 'DISABLED' } });
    expect((await server.gql(`mutation($id: ID!) { disableUser(id: $id) { status } }`, { id: carol.id }, admin.token)).errors?.[0]?.extensions?.code).toBe('ALREADY_DECIDED');
    expect((await server.gql(`mutation($id: ID!) { enableUser(id: $id) { status } }`, { id: carol.id }, admin.token)).data).toEqual({ enableUser: { status: 'ACTIVE' } });
    expect((await server.gql('{ apiTokens { id } }', {}, carol.token)).errors).toBeUndefined();
  });

  it('does not let an admin disable themselves', async () => {
    expect((await server.gql(`mutation($id: ID!) { disableUser(id: $id) { status } }`, { id: admin.id }, admin.token)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists users by status for admins, including whether the IdP verified their email', async () => {
    const res = await server.gql<{ users: { email: string; status: string; emailVerified: boolean }[] }>(`{ users(status: ACTIVE) { email status emailVerified } }`, {}, admin.token);
    expect(res.data!.users.every((u) => u.status === 'ACTIVE')).toBe(true);
    expect(res.data!.users.map((u) => u.email)).toContain('root@example.org');
  });
});
