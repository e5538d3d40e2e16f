import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS } from '../../lib/logger';

describe('log redaction', () => {
  it('removes tokens, secrets and session contents from log lines', () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((out += chunk.toString()), cb()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        req: { headers: { authorization: 'Bearer sc_SECRET1', cookie: 'stagecoach.sid=SECRET2' } },
        tokens: { id_token: 'SECRET3', access_token: 'SECRET4', refresh_token: 'SECRET5' },
        state: { code_verifier: 'SECRET6' },
        config: { sessionSecret: 'SECRET7', smtpUrl: 'smtp://u:SECRET8@h', clientSecret: 'SECRET9', signupWebhookUrl: 'https://hooks.example/SECRET10' },
        session: { idToken: 'SECRET11', sess: { passport: { user: 'x' } } },
      },
      'hello',
    );
    expect(out).toContain('hello');
    expect(out).not.toMatch(/SECRET\d/);
  });
});
