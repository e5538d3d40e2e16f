import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Container } from '../../container';
import { HTTP_STATUS, isAppError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { SLACK_APPROVE_ACTION, SLACK_REJECT_ACTION } from '../mail/mail.tasks';
import { User } from '../users/user.entity';
import { chargeCompatMutation, type MutationLimits } from './compat-limit';

/** Slack's own limit: a signed request older (or newer) than this is refused, so a captured one cannot be replayed later. */
export const SLACK_MAX_AGE_S = 5 * 60;

/** `v0=` + HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret (Slack's request signing, version 0). */
export function slackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** Constant-time comparison of two signatures (different lengths are simply unequal). */
function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface SlackPayload {
  type?: unknown;
  user?: { id?: unknown };
  actions?: { action_id?: unknown; value?: unknown }[];
  response_url?: unknown;
  message?: { blocks?: unknown[] };
}

/**
 * Slack interactivity for the sign-up message's Approve and Reject buttons (`POST /slack`, the
 * Slack app's Request URL). A click counts only when Slack signed it with SLACK_SIGNING_SECRET
 * within the last five minutes and was not seen before; the person who clicked is looked up
 * (users.info with SLACK_BOT_TOKEN) and must be an active Stagecoach admin with the same email.
 * The decision goes through the same service as the web app (emails, ALREADY_DECIDED), and the
 * Slack message is replaced by "Approved by @who" / "Rejected by @who" through its response_url.
 */
export function slackRoutes(orm: MikroORM, c: Container, limits?: MutationLimits): Router {
  const router = Router();
  const log = c.logger.child({ module: 'slack' });
  const { signingSecret, botToken, apiUrl } = c.config.slack;
  /** Signatures accepted within the replay window, with when they may be forgotten. */
  const seen = new Map<string, number>();

  /** Posts to the click's response_url (Slack's hooks); failures are logged, the decision stands. */
  const respond = async (responseUrl: string, message: Record<string, unknown>) => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const res = await fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(message),
          redirect: 'error',
          signal: AbortSignal.timeout(5000),
        });
        if (res.ok) return;
        log.warn({ status: res.status, attempt }, 'Slack response_url refused the reply');
      } catch (e) {
        log.warn({ err: e, attempt }, 'could not reach the Slack response_url');
      }
    }
  };
  const ephemeral = (responseUrl: string, text: string) =>
    respond(responseUrl, { response_type: 'ephemeral', replace_original: false, text });

  /** The email Slack has for the member who clicked, or null. */
  const slackEmail = async (slackUserId: string): Promise<string | null> => {
    if (!botToken) return null;
    const res = await fetch(`${apiUrl}/users.info?${new URLSearchParams({ user: slackUserId })}`, {
      headers: { authorization: `Bearer ${botToken}` },
      redirect: 'error',
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json().catch(() => null)) as {
      ok?: boolean;
      error?: string;
      user?: { deleted?: boolean; profile?: { email?: unknown } };
    } | null;
    if (!res.ok || !body?.ok) {
      log.warn({ status: res.status, error: body?.error }, 'Slack users.info failed');
      return null;
    }
    const email = body.user?.profile?.email;
    return !body.user?.deleted && typeof email === 'string' ? email : null;
  };

  const handle = async (req: Request, res: Response) => {
    if (!signingSecret) {
      log.warn('a Slack interaction arrived but SLACK_SIGNING_SECRET is not set');
      return void res.status(403).json({ message: 'Slack interactivity is not configured on this server.' });
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const timestamp = req.get('x-slack-request-timestamp') ?? '';
    const signature = req.get('x-slack-signature') ?? '';
    const nowS = Math.floor(c.clock.now().getTime() / 1000);
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > SLACK_MAX_AGE_S)
      return void res.status(403).json({ message: 'The request is too old or has no valid timestamp.' });
    if (!sameSignature(slackSignature(signingSecret, timestamp, raw), signature))
      return void res.status(401).json({ message: 'The Slack signature does not match.' });
    for (const [sig, until] of seen) if (until < nowS) seen.delete(sig);
    if (seen.has(signature)) return void res.status(403).json({ message: 'This request was already received.' });
    seen.set(signature, Number(timestamp) + SLACK_MAX_AGE_S);

    let payload: SlackPayload;
    try {
      payload = JSON.parse(new URLSearchParams(raw.toString('utf8')).get('payload') ?? '') as SlackPayload;
    } catch {
      return void res.status(400).json({ message: 'Expected a form field "payload" holding JSON.' });
    }
    const action = Array.isArray(payload?.actions) ? payload.actions[0] : undefined;
    const actionId = action?.action_id;
    // Other interactions (the link button, shortcuts) need only an acknowledgement.
    if (payload?.type !== 'block_actions' || (actionId !== SLACK_APPROVE_ACTION && actionId !== SLACK_REJECT_ACTION))
      return void res.status(200).end();
    const responseUrl =
      typeof payload.response_url === 'string' && /^https?:\/\//.test(payload.response_url) ? payload.response_url : null;
    const slackUserId =
      typeof payload.user?.id === 'string' && /^[A-Z0-9]{1,32}$/i.test(payload.user.id) ? payload.user.id : null;
    const value = typeof action?.value === 'string' ? action.value.trim() : '';
    if (!responseUrl || !slackUserId || !value)
      return void res.status(400).json({ message: 'The interaction lacks its user, value or response_url.' });

    const em = orm.em.fork();
    const services = c.services(em);
    const email = await slackEmail(slackUserId);
    const actor = email ? await services.users.findByEmail(email) : null;
    if (!actor || actor.role !== 'ADMIN' || actor.status !== 'ACTIVE') {
      log.warn({ slackUserId }, 'a Slack member who is not an active Stagecoach admin clicked a sign-up button');
      await ephemeral(
        responseUrl,
        'Only Stagecoach administrators can decide on sign-ups, and your Slack email does not belong to one.',
      );
      return void res.status(403).json({ message: 'The Slack member is not a Stagecoach administrator.' });
    }
    // A decision costs the admin one change, like approveUser in GraphQL.
    const refused = limits ? chargeCompatMutation(limits, actor, res) : null;
    if (refused) {
      await ephemeral(responseUrl, refused.message);
      return void res.status(429).json({ message: refused.message, code: refused.code });
    }
    // Our messages carry the user's id; messages ServiceX posted carry their email.
    const target = isUuid(value) ? await em.findOne(User, { id: value }) : await services.users.findByEmail(value);
    if (!target) {
      await ephemeral(responseUrl, `No user registered with email: ${value}`);
      return void res.status(404).json({ message: `No user registered with email: ${value}` });
    }
    try {
      if (actionId === SLACK_APPROVE_ACTION) await services.userAdmin.approve(actor, target.id);
      else await services.userAdmin.reject(actor, target.id);
    } catch (e) {
      if (!isAppError(e)) throw e;
      await ephemeral(responseUrl, e.message);
      return void res.status(HTTP_STATUS[e.code]).json({ message: e.message, code: e.code });
    }
    const outcome = `${actionId === SLACK_APPROVE_ACTION ? 'Approved' : 'Rejected'} by <@${slackUserId}>`;
    const original = Array.isArray(payload.message?.blocks)
      ? payload.message.blocks.find((b) => (b as { type?: unknown })?.type === 'section')
      : undefined;
    await respond(responseUrl, {
      replace_original: true,
      text: outcome,
      blocks: [...(original ? [original] : []), { type: 'context', elements: [{ type: 'mrkdwn', text: outcome }] }],
    });
    res.status(200).end();
  };

  router.post(
    '/slack',
    express.raw({ type: () => true, limit: '256kb' }),
    (req: Request, res: Response, next: NextFunction) => void handle(req, res).catch(next),
  );
  router.all(
    '/slack',
    (_req, res) =>
      void res.setHeader('Allow', 'POST').status(405).json({ message: 'The method is not allowed for the requested URL.' }),
  );
  router.all('/slack/*rest', (_req, res) => void res.status(404).json({ message: 'Not found.' }));
  return router;
}
