import { defineEntity, p } from '@mikro-orm/core';

/**
 * An editable email template. Seeded from fixtures/email-templates on start; once an admin edits
 * it (`customizedAt` set) the seed never overwrites it again.
 */
const EmailTemplateSchema = defineEntity({
  name: 'EmailTemplate',
  tableName: 'email_templates',
  properties: {
    key: p.string().primary(),
    subject: p.text(),
    text: p.text(),
    html: p.text(),
    updatedAt: p.datetime().onCreate(() => new Date()),
    /** Set by the first admin edit; null = still the shipped default. */
    customizedAt: p.datetime().nullable(),
    updatedById: p.uuid().nullable(),
  },
});

export class EmailTemplate extends EmailTemplateSchema.class {}
EmailTemplateSchema.setClass(EmailTemplate);
