import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The port behind which mail leaves the process (SMTP in production, a fake or sink in tests). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string | null }>;
  close(): void;
}

/**
 * An SMTP mailer for SMTP_URL (smtp://user:pass@host:587, smtps://…; nodemailer query options
 * such as `?ignoreTLS=true` work). Short timeouts: a hung server must fail the attempt so the
 * job retries later instead of holding a worker.
 */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      return { messageId: typeof info.messageId === 'string' ? info.messageId : null };
    },
    close: () => transport.close(),
  };
}
