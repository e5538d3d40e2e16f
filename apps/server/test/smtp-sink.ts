import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  /** smtp://127.0.0.1:<port> for SMTP_URL. */
  url: string;
  messages: ParsedMail[];
  /** While true, every message is refused with a temporary error (451). */
  failing: boolean;
  /** Resolves with the first message matching, waiting up to `timeoutMs`. */
  waitFor(match: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** An in-process SMTP server on loopback that keeps what it receives (parsed), or refuses it on demand. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const sink: SmtpSink = {
    url: '',
    messages,
    failing: false,
    async waitFor(match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = messages.find(match);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no matching mail within ${timeoutMs} ms (got: ${messages.map((x) => x.subject).join(' | ')})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      if (sink.failing) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  return sink;
}
