import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { viewerOf } from '../../graphql/auth-checker';
import type { GraphQLContext } from '../../graphql/context';
import { OUTBOX_PAGE_MAX } from './mail.service';
import type { OutboxStatus } from './outbox-email.entity';
import { EmailTemplateType, OutboxEmailType, OutboxStatusEnum, RenderedEmailType, toEmailTemplate, toOutboxEmail, toRenderedEmail } from './mail.types';

@Resolver()
export class MailResolver {
  @Authorized('ADMIN')
  @Query(() => [EmailTemplateType], { description: 'The email templates (ADMIN).' })
  async emailTemplates(@Ctx() ctx: GraphQLContext): Promise<EmailTemplateType[]> {
    return (await ctx.services.mail.listTemplates()).map(toEmailTemplate);
  }

  @Authorized('ADMIN')
  @Mutation(() => EmailTemplateType, { description: 'Replaces a template (ADMIN); BAD_USER_INPUT for variables the email does not provide.' })
  async updateEmailTemplate(
    @Ctx() ctx: GraphQLContext,
    @Arg('key', () => String) key: string,
    @Arg('subject', () => String) subject: string,
    @Arg('text', () => String) text: string,
    @Arg('html', () => String) html: string,
  ): Promise<EmailTemplateType> {
    return toEmailTemplate(await ctx.services.mail.updateTemplate(viewerOf(ctx), key, { subject, text, html }));
  }

  @Authorized('ADMIN')
  @Query(() => RenderedEmailType, { description: 'Renders a template — the stored one, or the given draft parts — with sample variables; nothing is sent (ADMIN).' })
  async previewEmailTemplate(
    @Ctx() ctx: GraphQLContext,
    @Arg('key', () => String) key: string,
    @Arg('subject', () => String, { nullable: true }) subject: string | null,
    @Arg('text', () => String, { nullable: true }) text: string | null,
    @Arg('html', () => String, { nullable: true }) html: string | null,
  ): Promise<RenderedEmailType> {
    return toRenderedEmail(await ctx.services.mail.previewTemplate(key, { subject: subject ?? undefined, text: text ?? undefined, html: html ?? undefined }));
  }

  @Authorized('ADMIN')
  @Query(() => [OutboxEmailType], { description: 'The email outbox, newest first (ADMIN).' })
  async emailOutbox(
    @Ctx() ctx: GraphQLContext,
    @Arg('status', () => [OutboxStatusEnum], { nullable: true }) status: OutboxStatus[] | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: `Page size, 1–${OUTBOX_PAGE_MAX}.` }) first: number | null,
  ): Promise<OutboxEmailType[]> {
    return (await ctx.services.mail.listOutbox({ status, first: first ?? 50 })).map(toOutboxEmail);
  }

  @Authorized('ADMIN')
  @Mutation(() => OutboxEmailType, { description: 'Queues an unsent, failed or only logged email again (ADMIN); ALREADY_DECIDED when it was sent.' })
  async resendEmail(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<OutboxEmailType> {
    return toOutboxEmail(await ctx.services.mail.resend(id));
  }
}
