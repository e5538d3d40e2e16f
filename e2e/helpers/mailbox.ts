import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';

const recipients = (m: ParsedMail) => [m.to].flat().map((a) => a?.text ?? '').join(', ');
const parsed = new Map<string, ParsedMail>();

/** Every mail the server has sent during this run (caught by global-setup.ts), oldest first. */
export async function sentMail(): Promise<ParsedMail[]> {
  const dir = path.join(process.env.E2E_DATA_DIR!, 'mailbox');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml') && !f.startsWith('.'))
    .sort();
  for (const f of files) if (!parsed.has(f)) parsed.set(f, await simpleParser(readFileSync(path.join(dir, f))));
  return files.map((f) => parsed.get(f)!);
}

/** The first mail to `address` whose subject matches, waiting for it to arrive. */
export async function waitForMail(address: string, subject: RegExp | string, timeoutMs = 30_000): Promise<ParsedMail> {
  const deadline = Date.now() + timeoutMs;
  const matches = (m: ParsedMail) => recipients(m).includes(address) && (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject ?? ''));
  for (;;) {
    const all = await sentMail();
    const found = all.find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail "${String(subject)}" to ${address} within ${timeoutMs} ms; got: ${all.map((m) => `${recipients(m)}: ${m.subject}`).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
