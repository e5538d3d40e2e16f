import { pino, type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from './log-context';

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

export interface LoggerOptions {
  pretty?: boolean;
  toStderr?: boolean;
  /** Where JSON lines go instead of stdout/stderr (tests read them back); `pretty` is then ignored. */
  destination?: DestinationStream;
}

export function createLogger(level: string, opts: LoggerOptions = {}): Logger {
  const options = {
    level,
    base: { service: 'stagecoach' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // requestId, userId, jobId… of the work in progress (lib/log-context) on every line, without
    // passing a child logger around. A copy: pino merges the line's own fields into what this returns.
    mixin: () => ({ ...currentLogContext() }),
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', destination: opts.toStderr ? 2 : 1 } } });
  }
  return pino(options, pino.destination({ fd: opts.toStderr ? 2 : 1, sync: false }));
}
