import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../graphql/scalars';
import type { TemplateView } from './mail.service';
import { OUTBOX_STATUSES, type OutboxEmail, type OutboxStatus } from './outbox-email.entity';
import type { TemplateContent } from './templates';

export const OutboxStatusEnum = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, s])) as { [K in OutboxStatus]: K };
registerEnumType(OutboxStatusEnum, {
  name: 'OutboxStatus',
  description: 'PENDING: queued; RETRYING: the last attempt failed, another follows; SENT; LOGGED: no SMTP_URL, written to the log; FAILED: every attempt failed (resendable).',
});

@ObjectType('EmailTemplate', { description: 'An email Stagecoach sends, editable by admins. `{{variable}}` is replaced when sending (HTML-escaped in the HTML part).' })
export class EmailTemplateType {
  @Field(() => String, { description: 'Which email: signup-pending, account-approved, account-rejected, request-finished.' })
  key!: string;

  @Field(() => String, { description: 'When and to whom it is sent.' })
  description!: string;

  @Field(() => String, { description: 'Subject line.' })
  subject!: string;

  @Field(() => String, { description: 'Plain-text body.' })
  text!: string;

  @Field(() => String, { description: 'HTML body.' })
  html!: string;

  @Field(() => [String], { description: 'The variables this template may use, without braces.' })
  variables!: string[];

  @Field(() => Boolean, { description: 'Edited by an admin (the shipped default no longer replaces it).' })
  customized!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Last change.' })
  updatedAt!: Date | null;
}

@ObjectType('RenderedEmail', { description: 'A template filled with variables.' })
export class RenderedEmailType {
  @Field(() => String, { description: 'Subject line.' })
  subject!: string;

  @Field(() => String, { description: 'Plain-text body.' })
  text!: string;

  @Field(() => String, { description: 'HTML body.' })
  html!: string;
}

@ObjectType('OutboxEmail', { description: 'One email in the outbox (kept after sending).' })
export class OutboxEmailType {
  @Field(() => ID, { description: 'Identifier.' })
  id!: string;

  @Field(() => String, { description: 'Template key it was rendered from.' })
  template!: string;

  @Field(() => String, { description: 'Recipient address.' })
  to!: string;

  @Field(() => String, { description: 'Subject line.' })
  subject!: string;

  @Field(() => String, { description: 'Plain-text body (what the log shows when SMTP_URL is unset).' })
  text!: string;

  @Field(() => OutboxStatusEnum, { description: 'Delivery state.' })
  status!: OutboxStatus;

  @Field(() => Int, { description: 'Delivery attempts so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Error of the last failed attempt.' })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it was queued.' })
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the SMTP server accepted it.' })
  sentAt!: Date | null;
}

export const toEmailTemplate = (t: TemplateView): EmailTemplateType => Object.assign(new EmailTemplateType(), t);
export const toRenderedEmail = (t: TemplateContent): RenderedEmailType => Object.assign(new RenderedEmailType(), t);
export function toOutboxEmail(m: OutboxEmail): OutboxEmailType {
  return Object.assign(new OutboxEmailType(), {
    id: m.id,
    template: m.template,
    to: m.recipient,
    subject: m.subject,
    text: m.text,
    status: m.status,
    attempts: m.attempts,
    lastError: m.lastError ?? null,
    createdAt: m.createdAt,
    sentAt: m.sentAt ?? null,
  });
}
