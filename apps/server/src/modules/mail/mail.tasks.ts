import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Task, TaskList } from 'graphile-worker';
import type { Container } from '../../container';
import { jobTask } from '../jobs/queue';
import type { StagingRequest } from '../staging/staging-request.entity';
import { requestFinishedDetails } from './request-finished-details';
import { User } from '../users/user.entity';
import { createSmtpMailer, type Mailer } from './mailer';
import { SEND_EMAIL, SIGNUP_WEBHOOK, type MailDeps } from './mail.service';
import type { OutboxStatus } from './outbox-email.entity';

interface OutboxRow {
  id: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  status: OutboxStatus;
  attempts: number;
}

/** Shortens an SMTP error for the outbox row (no stack, no credentials: nodemailer errors carry neither). */
const describe = (e: unknown) => (e instanceof Error ? `${(e as { code?: string }).code ? `${(e as { code?: string }).code}: ` : ''}${e.message}` : String(e)).slice(0, 1000);

/**
 * The `send_email` job: sends one outbox row. The row is locked for the attempt (`for update skip
 * locked`) so a resend racing a retry cannot mail twice; a failed attempt is recorded on the row and
 * then rethrown so graphile-worker retries it with exponential backoff. After the last attempt the
 * row stays FAILED (never deleted). Without a mailer (no SMTP_URL) the mail goes to the log and the
 * row becomes LOGGED.
 */
export function createSendEmailTask(orm: MikroORM, deps: MailDeps, mailer: Mailer | null): Task {
  const log = deps.logger.child({ module: 'mail' });
  return jobTask(SEND_EMAIL, async ({ id }, helpers) => {
    const em = orm.em.fork();
    const failure = await em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const [row] = await conn.execute<OutboxRow[]>(
        'select id, recipient, subject, text, html, status, attempts from email_outbox where id = ? for update skip locked',
        [id],
        'all',
        ctx,
      );
      // Missing, already handled, or locked by a concurrent attempt that owns it now.
      if (!row || row.status === 'SENT' || row.status === 'LOGGED') return null;
      const now = deps.clock.now();
      if (!mailer) {
        log.info({ mail: { id: row.id, to: row.recipient, subject: row.subject, text: row.text } }, 'SMTP_URL is not set: email written to the log instead of sent (kept in the outbox)');
        await conn.execute(`update email_outbox set status = 'LOGGED', attempts = attempts + 1, last_attempt_at = ? where id = ?`, [now, id], 'run', ctx);
        return null;
      }
      try {
        const { messageId } = await mailer.send({ to: row.recipient, subject: row.subject, text: row.text, html: row.html });
        await conn.execute(
          `update email_outbox set status = 'SENT', attempts = attempts + 1, last_attempt_at = ?, sent_at = ?, message_id = ?, last_error = null where id = ?`,
          [now, deps.clock.now(), messageId, id],
          'run',
          ctx,
        );
        log.info({ mailId: id, messageId }, 'email sent');
        return null;
      } catch (e) {
        const last = helpers.job.attempts >= helpers.job.max_attempts;
        await conn.execute(
          `update email_outbox set status = ?, attempts = attempts + 1, last_attempt_at = ?, last_error = ? where id = ?`,
          [last ? 'FAILED' : 'RETRYING', now, describe(e), id],
          'run',
          ctx,
        );
        return e;
      }
    });
    // Thrown after the commit, so the attempt is recorded before graphile-worker schedules the retry.
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  });
}

export interface SignupWebhookPayload {
  text: string;
  blocks: unknown[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The `action_id`s of the sign-up message's buttons (ServiceX's names, so its old messages keep working). */
export const SLACK_APPROVE_ACTION = 'accept_user';
export const SLACK_REJECT_ACTION = 'reject_user';

/**
 * The Slack-compatible message for a new sign-up: the `text` fallback (notifications, plain
 * webhooks) and blocks with Approve and Reject buttons (handled by `POST /slack`) and a link to the
 * approval page. Everything the person chose (name, email, username) is mrkdwn-escaped in both.
 */
export function signupWebhookMessage(user: Pick<User, 'id' | 'email' | 'name' | 'username' | 'emailVerified'>, publicUrl: string): SignupWebhookPayload {
  const who = slackEscape(user.name ? `${user.name} <${user.email}>` : user.email);
  const adminUrl = `${publicUrl}/admin/users`;
  return {
    text: `New Stagecoach sign-up waiting for approval: ${who} — ${adminUrl}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*New sign-up waiting for approval*\n${who} (username \`${slackEscape(user.username)}\`, email ${user.emailVerified ? 'verified' : '*not verified*'} by the identity provider)`,
        },
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Review pending accounts' }, url: adminUrl, action_id: 'open_admin_page' },
          { type: 'button', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, action_id: SLACK_APPROVE_ACTION, value: user.id },
          { type: 'button', style: 'danger', text: { type: 'plain_text', text: 'Reject' }, action_id: SLACK_REJECT_ACTION, value: user.id },
        ],
      },
    ],
  };
}

/** The `signup_webhook` job: POSTs the prepared message; a non-2xx answer or a network error is retried. */
export function createSignupWebhookTask(deps: MailDeps, fetchImpl: typeof fetch = fetch): Task {
  return jobTask(SIGNUP_WEBHOOK, async (message) => {
    const url = deps.config.signupWebhookUrl;
    if (!url) return; // unset since the job was queued: nothing to notify
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
      // The URL is the credential: the message goes to that address or nowhere.
      redirect: 'manual',
    });
    if (res.status >= 300 && res.status < 400)
      throw new Error(
        `signup webhook answered a redirect (HTTP ${res.status}); redirects are not followed: set SIGNUP_WEBHOOK_URL to the final URL`,
      );
    if (!res.ok) throw new Error(`signup webhook answered HTTP ${res.status}`);
  });
}

/** Which request finished and how, as the `request-finished` template needs it. */
function requestVars(request: StagingRequest, owner: User, publicUrl: string, details = '') {
  const status = request.status.toLowerCase().replace(/_/g, ' ');
  return {
    name: owner.name || owner.username,
    requestId: request.id,
    method: request.method,
    status,
    filesTotal: String(request.filesTotal),
    filesDone: String(request.filesDone),
    filesSkipped: String(request.filesSkipped),
    filesFailed: String(request.filesFailed),
    filesCancelled: String(request.filesCancelled),
    bytesDone: String(request.bytesDone),
    requestUrl: `${publicUrl}/requests/${request.id}`,
    appUrl: publicUrl,
    details,
  };
}

/**
 * The staging worker's `RequestFinishedHook`: mails the owner when the request asked for it
 * (`notify: true`). Deduplicated by request id, so a hook that runs twice still mails once.
 */
export function createRequestFinishedMailHook(c: Pick<Container, 'config' | 'services'>): (request: StagingRequest, em: EntityManager) => Promise<void> {
  return async (request, em) => {
    if (!request.notify) return;
    const owner = await em.findOneOrFail(User, { id: request.owner.id });
    await c.services(em).mail.queue(em, 'request-finished', owner.email, requestVars(request, owner, c.config.publicUrl, await requestFinishedDetails(em, request)), {
      dedupeKey: `request-finished:${request.id}`,
    });
  };
}

/** The mail tasks for the job runner's task list (SMTP_URL unset → mails are logged and kept). */
export function mailTasks(c: MailDeps & Pick<Container, 'orm'>, mailer: Mailer | null = c.config.smtpUrl ? createSmtpMailer(c.config.smtpUrl, c.config.mailFrom) : null): TaskList {
  return {
    [SEND_EMAIL.task]: createSendEmailTask(c.orm, c, mailer),
    [SIGNUP_WEBHOOK.task]: createSignupWebhookTask(c),
  };
}

