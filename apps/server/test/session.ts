/**
 * Browser-free sign-in for tests: walks the OIDC code flow against the in-process development IdP
 * with plain fetch (manual redirects, a tiny cookie jar, the IdP's login form posted by hand).
 */
import type { GqlResult } from './app';

/** A minimal cookie jar: one host, names only (paths and expiry are irrelevant within a test). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Keeps the cookies a response sets (an empty or expired value deletes one). */
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()) || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface SignInResult {
  jar: CookieJar;
  /** Where the app sent the browser after the callback (path + query). */
  landedOn: string;
  /** Every Set-Cookie header of the callback response (to check cookie attributes). */
  callbackSetCookie: string[];
  /** URLs visited, in order (for assertions and debugging). */
  trail: string[];
}

/** Signs in at the development IdP as `login` starting from `/auth/login` (optionally with a query). */
export async function signInWithDevIdp(baseUrl: string, login: string, query = ''): Promise<SignInResult> {
  const jar = new CookieJar();
  const trail: string[] = [];
  let callbackSetCookie: string[] = [];
  let url = `${baseUrl}/auth/login${query}`;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 15; hop++) {
    trail.push(`${method} ${url}`);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.store(res);
    if (url.startsWith(`${baseUrl}/auth/callback`)) callbackSetCookie = res.headers.getSetCookie();
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url);
      // Left the sign-in machinery: we are back in the app.
      if (next.origin === new URL(baseUrl).origin && !next.pathname.startsWith('/dev-idp') && !next.pathname.startsWith('/auth/')) {
        return { jar, landedOn: next.pathname + next.search, callbackSetCookie, trail };
      }
      url = next.href;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`sign-in stopped at ${url} with HTTP ${res.status}: ${html.slice(0, 500)}`);
    const action = /<form[^>]*action="([^"]+\/login)"/.exec(html)?.[1];
    if (!action) throw new Error(`no login form at ${url}: ${html.slice(0, 500)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    method = 'POST';
    body = new URLSearchParams({ login, password: 'anything' }).toString();
  }
  throw new Error(`sign-in did not finish: ${trail.join(' → ')}`);
}

/** POST /graphql with the session cookie (and, unless told otherwise, the CSRF header the web app sends). */
export async function sessionGql<T = Record<string, unknown>>(
  baseUrl: string,
  jar: CookieJar,
  query: string,
  variables?: Record<string, unknown>,
  opts: { csrf?: boolean } = {},
): Promise<GqlResult<T> & { status: number }> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: jar.header(), ...(opts.csrf === false ? {} : { 'x-stagecoach-csrf': '1' }) },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await res.json()) as GqlResult<T>), status: res.status };
}
