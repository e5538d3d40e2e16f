import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

/**
 * PENDING: queued, not yet tried; RETRYING: the last attempt failed and the job will try again;
 * SENT: accepted by the SMTP server; LOGGED: no SMTP_URL, so written to the log instead (kept here);
 * FAILED: every attempt failed — kept, visible to admins and resendable, never deleted.
 */
export const OUTBOX_STATUSES = ['PENDING', 'RETRYING', 'SENT', 'LOGGED', 'FAILED'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** The transactional outbox: one row per email, written in the same transaction as its event. */
const OutboxEmailSchema = defineEntity({
  name: 'OutboxEmail',
  tableName: 'email_outbox',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    template: p.string(),
    recipient: p.string(),
    /** Rendered when queued: a later template edit does not change a mail already promised. */
    subject: p.text(),
    text: p.text(),
    html: p.text(),
    status: p.enum(OUTBOX_STATUSES).default('PENDING').index(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    /** Same key → one mail, even when the event is processed twice (e.g. a retried job). */
    dedupeKey: p.string().nullable().unique(),
    messageId: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()).index(),
    lastAttemptAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
  },
});

export class OutboxEmail extends OutboxEmailSchema.class {}
OutboxEmailSchema.setClass(OutboxEmail);
