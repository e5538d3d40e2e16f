import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Mailbox {
  messages: ParsedMail[];
  /** The first mail to `address` whose subject matches, waiting for it to arrive. */
  waitFor(address: string, subject: RegExp | string, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

const recipients = (m: ParsedMail) => [m.to].flat().map((a) => a?.text ?? '').join(', ');

/**
 * An in-process SMTP server on the port the e2e server mails to (E2E_SMTP_PORT, see
 * playwright.config.ts): what the server sends arrives here, parsed.
 */
export async function openMailbox(port = Number(process.env.E2E_SMTP_PORT)): Promise<Mailbox> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    messages,
    async waitFor(address, subject, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const matches = (m: ParsedMail) => recipients(m).includes(address) && (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject ?? ''));
      for (;;) {
        const found = messages.find(matches);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail "${String(subject)}" to ${address} within ${timeoutMs} ms; got: ${messages.map((m) => `${recipients(m)}: ${m.subject}`).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
