import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import Provider, { type Adapter, type AdapterPayload, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { z } from 'zod';
import { FIXTURES_DIR } from '../../lib/paths';
import { ROLES, USER_STATUSES } from '../users/user.entity';

/**
 * The built-in development identity provider: oidc-provider mounted in-process under `/dev-idp`
 * on the server's own port. Same origin as the app, so it works wherever the app is reachable
 * (a remote VM, behind a dev proxy, in Playwright) with nothing else to open or configure.
 * It is refused in production by config (`OIDC_ISSUER` is required there).
 */
export const DEV_IDP_PATH = '/dev-idp';
export const DEV_IDP_CLIENT_ID = 'stagecoach-dev';
/**
 * Users of the development IdP are keyed by this issuer rather than its URL, which changes with
 * PORT/PUBLIC_URL: restarting on another port must not turn everyone into a new pending user.
 */
export const DEV_IDP_ISSUER_KEY = 'urn:stagecoach:dev-idp';
export const DEFAULT_DEV_USERS_FILE = path.join(FIXTURES_DIR, 'oidc', 'users.json');

const DevUserSchema = z.object({
  login: z.string().min(1),
  sub: z.string().min(1),
  email: z.email(),
  email_verified: z.boolean(),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  description: z.string().optional(),
  /** Applied once, when this account first signs in (development convenience; not an IdP claim). */
  stagecoach: z.object({ role: z.enum(ROLES).optional(), status: z.enum(USER_STATUSES).optional() }).optional(),
});
export type DevUser = z.infer<typeof DevUserSchema>;
const DevUsersFileSchema = z.object({ users: z.array(DevUserSchema) });

export interface DevClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  preferred_username: string;
}

/** The fixture accounts plus the rule for everyone else: any login works and becomes a verified example.org address. */
export class DevDirectory {
  constructor(readonly users: readonly DevUser[]) {}

  static async load(file = DEFAULT_DEV_USERS_FILE): Promise<DevDirectory> {
    const parsed = DevUsersFileSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return new DevDirectory(parsed.data.users);
  }

  /** The fixture account a login means: its login, its email, or its email's local part (any case). */
  find(login: string): DevUser | undefined {
    const l = login.trim().toLowerCase();
    return this.users.find((u) => u.login.toLowerCase() === l || u.email.toLowerCase() === l || u.email.toLowerCase().split('@')[0] === l || u.sub === login);
  }

  /** A stable account id (the OIDC `sub`) for whatever was typed into the login form. */
  accountIdFor(login: string): string {
    const fixture = this.find(login);
    if (fixture) return fixture.sub;
    const l = login.trim().toLowerCase();
    return `dev:${l.includes('@') ? l : `${l}@example.org`}`;
  }

  claims(accountId: string): DevClaims {
    const fixture = this.users.find((u) => u.sub === accountId);
    if (fixture) {
      const local = fixture.email.split('@')[0]!;
      return { sub: fixture.sub, email: fixture.email, email_verified: fixture.email_verified, name: fixture.name ?? local, preferred_username: fixture.preferred_username ?? local };
    }
    const email = accountId.replace(/^dev:/, '');
    const local = email.split('@')[0]!;
    const name = local
      .split(/[._-]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(' ');
    return { sub: accountId, email, email_verified: true, name: name || local, preferred_username: local };
  }

  /** Role/status a fixture account gets on its first sign-in (none for everyone else: they wait for approval). */
  provisioning(sub: string): DevUser['stagecoach'] {
    return this.users.find((u) => u.sub === sub)?.stagecoach;
  }
}

/** The RSA signing key of the development IdP, kept in DATA_DIR so sessions (and logout hints) survive restarts. */
async function signingKey(dataDir: string): Promise<Record<string, unknown>> {
  const file = path.join(dataDir, 'dev-idp-signing-key.json');
  const existing = await fs.readFile(file, 'utf8').catch(() => null);
  if (existing) return JSON.parse(existing) as Record<string, unknown>;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

/**
 * The IdP's state (interactions, codes, tokens, its own sessions) in process memory: enough for
 * development — a restart only means signing in at the IdP again. One store per provider, with expiry.
 */
function memoryAdapter(): (name: string) => Adapter {
  const store = new Map<string, { payload: AdapterPayload; expires: number }>();
  const grants = new Map<string, Set<string>>();
  const live = (key: string) => {
    const e = store.get(key);
    if (e && e.expires < Date.now()) store.delete(key);
    return store.get(key)?.payload;
  };
  return (name) => {
    const k = (id: string) => `${name}:${id}`;
    const findBy = (field: 'userCode' | 'uid', value: string) => {
      for (const key of store.keys()) if (key.startsWith(`${name}:`) && live(key)?.[field] === value) return live(key);
      return undefined;
    };
    return {
      async upsert(id, payload, expiresIn) {
        if (store.size > 5000) for (const key of store.keys()) live(key); // drops expired entries
        store.set(k(id), { payload, expires: Date.now() + (expiresIn ?? 3600) * 1000 });
        if (payload.grantId) grants.set(payload.grantId, (grants.get(payload.grantId) ?? new Set()).add(k(id)));
      },
      find: async (id) => live(k(id)),
      findByUserCode: async (userCode) => findBy('userCode', userCode),
      findByUid: async (uid) => findBy('uid', uid),
      async consume(id) {
        const p = live(k(id));
        if (p) p.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(k(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of grants.get(grantId) ?? []) store.delete(key);
        grants.delete(grantId);
      },
    };
  };
}

const derive = (secret: string, purpose: string) => createHmac('sha256', secret).update(`stagecoach-dev-idp:${purpose}`).digest('base64url');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Stagecoach development IdP</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}
.warn{background:#fff4e5;border:1px solid #f0a040;padding:.6rem .8rem;border-radius:6px}label{display:block;margin-top:.8rem;font-weight:600}
input{display:block;width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1rem;padding:.55rem 1.2rem;font-size:1rem}
code{background:#f1f1f1;padding:0 .25rem;border-radius:3px}</style></head><body>${body}</body></html>`;
}

function loginPage(uid: string, directory: DevDirectory, loginHint: string | undefined): string {
  const list = directory.users
    .map((u) => `<li><code>${escapeHtml(u.login)}</code> — ${escapeHtml(u.description ?? u.name ?? u.email)}</li>`)
    .join('');
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="warn" role="note"><strong>Development identity provider.</strong> Not for production: any login is accepted and the password is ignored.</p>
<form method="post" action="${DEV_IDP_PATH}/interaction/${encodeURIComponent(uid)}/login" autocomplete="off">
<label for="login">Login</label><input id="login" name="login" type="text" required autofocus value="${escapeHtml(loginHint ?? '')}">
<label for="password">Password (ignored)</label><input id="password" name="password" type="password">
<button type="submit">Sign in</button>
</form>
<form method="post" action="${DEV_IDP_PATH}/interaction/${encodeURIComponent(uid)}/abort"><button type="submit">Cancel</button></form>
<h2>Accounts</h2><ul>${list}<li>any other login — a new person whose account waits for an administrator's approval</li></ul>`,
  );
}

export interface DevIdpOptions {
  /** e.g. http://127.0.0.1:4000/dev-idp */
  issuer: string;
  /** Stagecoach's callback and post-logout URLs. */
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Derives the client secret and cookie keys (stable across restarts when the session secret is). */
  secret: string;
  dataDir: string;
  directory: DevDirectory;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-Proto. */
  behindTls: boolean;
  /** Tests that run it as a separate ("external") issuer choose the client secret. */
  clientSecret?: string;
}

export interface DevIdp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Mount at DEV_IDP_PATH. */
  readonly router: express.Router;
}

/** Builds the development IdP (oidc-provider + a small login page) for one Stagecoach client. */
export async function createDevIdp(o: DevIdpOptions): Promise<DevIdp> {
  const clientSecret = o.clientSecret ?? derive(o.secret, 'client-secret');
  const configuration: Configuration = {
    clients: [
      {
        client_id: DEV_IDP_CLIENT_ID,
        client_secret: clientSecret,
        client_name: 'Stagecoach',
        redirect_uris: [o.redirectUri],
        post_logout_redirect_uris: [o.postLogoutRedirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: (_ctx, sub) => {
      const claims = { ...o.directory.claims(sub) };
      return { accountId: sub, claims: () => claims };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    scopes: ['openid', 'email', 'profile'],
    cookies: { keys: [derive(o.secret, 'cookies')] },
    jwks: { keys: [(await signingKey(o.dataDir)) as never] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page('Sign out', `<h1>Sign out of the development IdP?</h1>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button> <button type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Signed out', '<h1>Signed out</h1><p>You are signed out of the development IdP.</p>');
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${DEV_IDP_PATH}/interaction/${interaction.uid}` },
    // Stagecoach is this IdP's only (first-party) client: skip the consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await provider.Grant.find(grantId) : undefined;
      if (existing) return existing;
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid email profile'));
      await grant.save();
      return grant;
    },
    adapter: memoryAdapter(),
    clientBasedCORS: () => false,
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 14 * 86_400, Grant: 14 * 86_400 },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', `<h1>Sign-in error</h1><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p><p><a href="/">Back to Stagecoach</a></p>`);
    },
  };
  const provider = new Provider(o.issuer, configuration);
  provider.proxy = o.behindTls;

  const router = express.Router();
  router.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        res.type('html').set('cache-control', 'no-store').send(loginPage(details.uid, o.directory, details.params.login_hint as string | undefined));
        return;
      }
      // Any other prompt (consent): grant what was asked; this IdP only serves Stagecoach.
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
      const missing = details.prompt.details.missingOIDCScope as string[] | undefined;
      if (missing) grant!.addOIDCScope(missing.join(' '));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant!.save() } }, { mergeWithLastSubmission: true });
    } catch (e) {
      next(e);
    }
  });
  router.post('/interaction/:uid/login', express.urlencoded({ extended: false, limit: '8kb' }), async (req, res, next) => {
    try {
      const login = typeof req.body?.login === 'string' ? req.body.login.trim() : '';
      if (!login || login.length > 200) {
        res.status(400).type('html').send(page('Sign in', '<h1>Sign in</h1><p>Enter a login (any name or email address).</p><p><a href="/auth/login">Try again</a></p>'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: o.directory.accountIdFor(login) } }, { mergeWithLastSubmission: false });
    } catch (e) {
      next(e);
    }
  });
  router.post('/interaction/:uid/abort', async (req, res, next) => {
    try {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The sign-in was cancelled.' }, { mergeWithLastSubmission: false });
    } catch (e) {
      next(e);
    }
  });
  router.use(provider.callback());
  return { clientId: DEV_IDP_CLIENT_ID, clientSecret, router };
}
