import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

/**
 * Once per run: an SMTP server on E2E_SMTP_PORT (the server's SMTP_URL, see playwright.config.ts)
 * that files every mail it receives as an .eml under $E2E_DATA_DIR/mailbox. Specs read them with
 * helpers/mailbox.ts; nothing the server sends during the run is refused or retried.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dir = path.join(process.env.E2E_DATA_DIR!, 'mailbox');
  mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const name = `${Date.now()}-${String(++n).padStart(5, '0')}.eml`;
        // Written aside, then renamed: a reader never sees half a message.
        writeFileSync(path.join(dir, `.${name}`), Buffer.concat(chunks));
        renameSync(path.join(dir, `.${name}`), path.join(dir, name));
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(Number(process.env.E2E_SMTP_PORT), '127.0.0.1', () => resolve());
  });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
