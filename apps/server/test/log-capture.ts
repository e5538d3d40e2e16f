import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../src/lib/logger';

export type LogLine = Record<string, unknown> & { msg?: string };

/** The server's real logger (production options), writing its JSON lines into `lines` instead of stdout. */
export function captureLogs(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      for (const part of parts) if (part) lines.push(JSON.parse(part) as LogLine);
      done();
    },
  });
  return { logger: createLogger(level, { destination: sink }), lines };
}
