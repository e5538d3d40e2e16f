import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Config } from '../../config/env';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { Logger } from '../../lib/logger';
import { defineJob, enqueue } from '../jobs/queue';
import type { User } from '../users/user.entity';
import { EmailTemplate } from './email-template.entity';
import { OutboxEmail, type OutboxStatus } from './outbox-email.entity';
import { checkTemplate, defaultTemplate, isTemplateKey, renderTemplate, TEMPLATE_CATALOG, TEMPLATE_KEYS, type TemplateContent, type TemplateKey, type TemplateVariables } from './templates';

/** Sends one outbox row. graphile-worker's exponential backoff over 25 attempts spans about three days: outages of an SMTP relay are survived. */
/** Largest page `emailOutbox(first:)` serves. */
export const OUTBOX_PAGE_MAX = 500;

export const SEND_EMAIL = defineJob('send_email', z.object({ id: z.guid() }), { maxAttempts: 25 });
/** Posts a sign-up notification to SIGNUP_WEBHOOK_URL (Slack-compatible). */
export const SIGNUP_WEBHOOK = defineJob('signup_webhook', z.object({ text: z.string(), blocks: z.array(z.unknown()) }), { maxAttempts: 10 });

export interface MailDeps {
  config: Pick<Config, 'publicUrl' | 'mailFrom' | 'smtpUrl' | 'signupWebhookUrl'>;
  clock: Clock;
  logger: Logger;
}

export interface TemplateView extends TemplateContent {
  key: TemplateKey;
  description: string;
  variables: string[];
  customized: boolean;
  updatedAt: Date | null;
}

/** Runs `fn` in the caller's transaction when there is one, else in a new one. */
export function inTransaction<T>(em: EntityManager, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.isInTransaction() ? fn(em) : em.transactional(fn);
}

/** Email: the outbox (queue, list, resend) and the admin-editable templates. */
export class MailService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: MailDeps,
  ) {}

  /** The template as sent now: the database copy, or the shipped default before the first start seeded it. */
  async template(key: TemplateKey, em: EntityManager = this.em): Promise<TemplateContent> {
    const row = await em.findOne(EmailTemplate, { key });
    return row ? { subject: row.subject, text: row.text, html: row.html } : defaultTemplate(key);
  }

  /**
   * Renders a template and writes the outbox row plus its send job in the current transaction of
   * `em` (one is opened when there is none). With a dedupe key an event handled twice mails once;
   * returns null when that key was already queued.
   */
  async queue<K extends TemplateKey>(em: EntityManager, key: K, to: string, vars: TemplateVariables<K>, opts: { dedupeKey?: string } = {}): Promise<string | null> {
    if (!z.email().safeParse(to).success) {
      // Addresses are checked at sign-in; this guards accounts stored before that check.
      this.deps.logger.warn({ module: 'mail', template: key }, 'mail not queued: the recipient is not exactly one email address');
      return null;
    }
    return inTransaction(em, async (tx) => {
      const content = renderTemplate(await this.template(key, tx), vars);
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `insert into email_outbox (id, template, recipient, subject, text, html, status, attempts, dedupe_key, created_at)
         values (gen_random_uuid(), ?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)
         on conflict (dedupe_key) do nothing
         returning id`,
        [key, to, content.subject, content.text, content.html, opts.dedupeKey ?? null, this.deps.clock.now()],
        'all',
        tx.getTransactionContext(),
      );
      const id = rows[0]?.id;
      if (!id) return null;
      await enqueue(tx, SEND_EMAIL, [{ payload: { id }, jobKey: `${SEND_EMAIL.task}:${id}` }]);
      return id;
    });
  }

  /** Every template with its variables, in catalog order. */
  async listTemplates(): Promise<TemplateView[]> {
    const rows = new Map((await this.em.find(EmailTemplate, {})).map((r) => [r.key, r]));
    return TEMPLATE_KEYS.map((key) => this.view(key, rows.get(key) ?? null));
  }

  /** Stores an admin's edit; the seed on start never overwrites it afterwards. */
  async updateTemplate(admin: User, key: string, content: TemplateContent): Promise<TemplateView> {
    const k = this.knownKey(key);
    const normalized = { subject: content.subject.trim(), text: content.text, html: content.html };
    checkTemplate(k, normalized);
    const now = this.deps.clock.now();
    let row = await this.em.findOne(EmailTemplate, { key: k });
    if (!row) row = this.em.create(EmailTemplate, { key: k, ...normalized, updatedAt: now });
    Object.assign(row, normalized, { updatedAt: now, customizedAt: now, updatedById: admin.id });
    await this.em.flush();
    return this.view(k, row);
  }

  /** Renders the stored template — or the given draft — with the catalog's sample variables; nothing is sent. */
  async previewTemplate(key: string, draft?: Partial<TemplateContent>): Promise<TemplateContent> {
    const k = this.knownKey(key);
    const stored = await this.template(k);
    const content = { subject: draft?.subject ?? stored.subject, text: draft?.text ?? stored.text, html: draft?.html ?? stored.html };
    checkTemplate(k, content);
    return renderTemplate(content, TEMPLATE_CATALOG[k].variables);
  }

  /** The outbox, newest first. */
  listOutbox(opts: { status?: OutboxStatus[] | null; first: number }): Promise<OutboxEmail[]> {
    if (!Number.isInteger(opts.first) || opts.first < 1 || opts.first > OUTBOX_PAGE_MAX) throw new AppError('BAD_USER_INPUT', `first must be between 1 and ${OUTBOX_PAGE_MAX}.`);
    return this.em.find(OutboxEmail, opts.status?.length ? { status: { $in: opts.status } } : {}, { orderBy: { createdAt: 'desc' }, limit: opts.first });
  }

  /** Queues an unsent (or only logged) mail again, e.g. after SMTP_URL was fixed; a sent mail is not sent twice. */
  async resend(id: string): Promise<OutboxEmail> {
    return this.em.transactional(async (tx) => {
      const row = isUuid(id) ? await tx.findOne(OutboxEmail, { id }) : null;
      if (!row) throw new AppError('NOT_FOUND', 'No such email.');
      if (row.status === 'SENT') throw new AppError('ALREADY_DECIDED', 'This email was already sent.');
      row.status = 'PENDING';
      row.lastError = null;
      await tx.flush();
      await enqueue(tx, SEND_EMAIL, [{ payload: { id: row.id }, jobKey: `${SEND_EMAIL.task}:${row.id}` }]);
      return row;
    });
  }

  private knownKey(key: string): TemplateKey {
    if (!isTemplateKey(key)) throw new AppError('NOT_FOUND', `No email template "${key}".`);
    return key;
  }

  private view(key: TemplateKey, row: EmailTemplate | null): TemplateView {
    const content = row ? { subject: row.subject, text: row.text, html: row.html } : defaultTemplate(key);
    return {
      key,
      ...content,
      description: TEMPLATE_CATALOG[key].description,
      variables: Object.keys(TEMPLATE_CATALOG[key].variables),
      customized: Boolean(row?.customizedAt),
      updatedAt: row?.updatedAt ?? null,
    };
  }
}

/**
 * Loads the shipped templates into the database (on every start): adds missing ones and refreshes
 * those no admin has edited; an edited template (customized_at set) is never touched.
 */
export async function seedEmailTemplates(em: EntityManager, dir?: string): Promise<void> {
  const conn = em.getConnection();
  for (const key of TEMPLATE_KEYS) {
    const t = defaultTemplate(key, dir);
    await conn.execute(
      `insert into email_templates (key, subject, text, html, updated_at) values (?, ?, ?, ?, now())
       on conflict (key) do update set subject = excluded.subject, text = excluded.text, html = excluded.html, updated_at = now()
        where email_templates.customized_at is null
          and (email_templates.subject, email_templates.text, email_templates.html) is distinct from (excluded.subject, excluded.text, excluded.html)`,
      [key, t.subject, t.text, t.html],
    );
  }
}
