import { describe, expect, it } from 'vitest';
import { captureLogs } from '../../../test/log-capture';

describe('log redaction', () => {
  it('removes credentials from a line and keeps what is not secret', () => {
    const { logger, lines } = captureLogs();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer sc_SECRET1', cookie: 'stagecoach.sid=SECRET2', accept: 'application/json' } },
        res: { headers: { 'set-cookie': 'stagecoach.sid=SECRET3' } },
        token: 'SECRET4',
        secret: 'SECRET5',
        tokens: { id_token: 'SECRET6', access_token: 'SECRET7', refresh_token: 'SECRET8' },
        state: { code_verifier: 'SECRET9' },
        session: { idToken: 'SECRET10', sess: { passport: { user: 'SECRET11' } } },
        upstream: { password: 'SECRET12', client_secret: 'SECRET13' },
      },
      'hello',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(JSON.stringify(line)).not.toMatch(/SECRET\d/);
    expect(line).toMatchObject({
      msg: 'hello',
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' } },
      res: { headers: { 'set-cookie': '[redacted]' } },
      token: '[redacted]',
      secret: '[redacted]',
      tokens: { id_token: '[redacted]', access_token: '[redacted]', refresh_token: '[redacted]' },
      state: { code_verifier: '[redacted]' },
      session: { idToken: '[redacted]', sess: '[redacted]' },
      upstream: { password: '[redacted]', client_secret: '[redacted]' },
    });
  });

  it('removes database and SMTP URLs and other secrets from bindings (child loggers)', () => {
    const { logger, lines } = captureLogs();
    const child = logger.child({
      config: {
        databaseUrl: 'postgres://stagecoach:SECRET1@db/stagecoach',
        smtpUrl: 'smtp://mailer:SECRET2@smtp.example.org',
        sessionSecret: 'SECRET3',
        clientSecret: 'SECRET4',
        signupWebhookUrl: 'https://hooks.example.org/SECRET5',
        publicUrl: 'https://stagecoach.example.org',
      },
    });
    child.warn({ peer: { authorization: 'Bearer SECRET6', cookie: 'a=SECRET7', token: 'SECRET8' } }, 'configured');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(JSON.stringify(line)).not.toMatch(/SECRET\d/);
    expect(line).toMatchObject({
      msg: 'configured',
      config: {
        databaseUrl: '[redacted]',
        smtpUrl: '[redacted]',
        sessionSecret: '[redacted]',
        clientSecret: '[redacted]',
        signupWebhookUrl: '[redacted]',
        publicUrl: 'https://stagecoach.example.org',
      },
      peer: { authorization: '[redacted]', cookie: '[redacted]', token: '[redacted]' },
    });
  });
});
