import { useMutation } from '@tanstack/react-query';
import { CSRF_HEADER, GraphQLRequestError } from '../../../lib/execute';

async function signOut(): Promise<void> {
  const response = await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { ...CSRF_HEADER },
  }).catch((cause: unknown) => {
    throw new GraphQLRequestError({ code: 'NETWORK_ERROR', message: 'Network request failed', cause });
  });
  if (!response.ok && !response.redirected) {
    throw new GraphQLRequestError({ code: 'INTERNAL_SERVER_ERROR', message: `Logout failed (HTTP ${response.status})`, status: response.status });
  }
}

/** Ends the session, then reloads the app so no signed-in state survives in memory. */
export function useSignOut() {
  return useMutation({
    mutationFn: signOut,
    onSuccess: () => window.location.assign('/'),
  });
}
