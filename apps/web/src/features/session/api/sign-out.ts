import { useMutation } from '@tanstack/react-query';
import { CSRF_HEADER, GraphQLRequestError } from '../../../lib/execute';

/**
 * Where the browser goes after signing out: the identity provider's end-session URL the server
 * returns (so the IdP forgets the person too, and "Sign in" asks who is there), or `/`. Only a
 * same-origin path or an http(s) URL is followed.
 */
export function signOutDestination(body: unknown): string {
  const redirectTo = (body as { redirectTo?: unknown } | null)?.redirectTo;
  if (typeof redirectTo !== 'string') return '/';
  if (/^\/(?![/\\])/.test(redirectTo)) return redirectTo;
  try {
    const url = new URL(redirectTo);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '/';
  } catch {
    return '/';
  }
}

/** Ends the session at the server; resolves to where the browser must go next. */
export async function signOut(): Promise<string> {
  const response = await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...CSRF_HEADER, accept: 'application/json' },
  }).catch((cause: unknown) => {
    throw new GraphQLRequestError({ code: 'NETWORK_ERROR', message: 'Network request failed', cause });
  });
  if (!response.ok) {
    throw new GraphQLRequestError({
      code: 'INTERNAL_SERVER_ERROR',
      message: `Logout failed (HTTP ${response.status})`,
      status: response.status,
    });
  }
  return signOutDestination(await response.json().catch(() => null));
}

/** Ends the session, then leaves the app (through the IdP's logout) so no signed-in state survives in memory. */
export function useSignOut() {
  return useMutation({
    mutationFn: signOut,
    onSuccess: (destination) => window.location.assign(destination),
  });
}
