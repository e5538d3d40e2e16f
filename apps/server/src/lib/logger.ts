import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths whose values must never reach a log line: credentials in headers, tokens and secrets in
 * bodies or bindings. pino replaces them with "[redacted]".
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'authorization',
  'password',
  'secret',
  'token',
  'sessionSecret',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.clientSecret',
  '*.databaseUrl',
  '*.smtpUrl',
  // identity and access: OIDC tokens, PKCE verifiers, session contents and secrets
  '*.sessionSecret',
  '*.idToken',
  '*.id_token',
  '*.access_token',
  '*.refresh_token',
  '*.code_verifier',
  '*.client_secret',
  '*.cookie',
  '*.sess',
  '*.signupWebhookUrl',
];

export function createLogger(level: string, opts: { pretty?: boolean; toStderr?: boolean } = {}): Logger {
  const options = { level, base: { service: 'stagecoach' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (opts.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', destination: opts.toStderr ? 2 : 1 } } });
  }
  return pino(options, pino.destination({ fd: opts.toStderr ? 2 : 1, sync: false }));
}
