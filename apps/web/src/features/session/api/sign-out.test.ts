import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse } from '../../../test/render';
import { signOut, signOutDestination } from './sign-out';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('signOut', () => {
  it("goes on to the identity provider's end-session URL the server returns", async () => {
    const endSession =
      'https://idp.example.org/logout?id_token_hint=abc&post_logout_redirect_uri=https%3A%2F%2Fstagecoach.example.org%2F';
    const fetchMock = vi.fn<typeof fetch>(async () => jsonResponse({ redirectTo: endSession }));
    vi.stubGlobal('fetch', fetchMock);

    await expect(signOut()).resolves.toBe(endSession);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/auth/logout');
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    expect(new Headers(init!.headers).get('x-stagecoach-csrf')).toBeTruthy();
  });

  it('goes home when the server names no IdP logout', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn<typeof fetch>(async () => jsonResponse({ redirectTo: '/' })),
    );
    await expect(signOut()).resolves.toBe('/');
  });

  it('fails when the server refuses the sign-out', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn<typeof fetch>(async () => jsonResponse({ error: { code: 'FORBIDDEN' } }, { status: 403 })),
    );
    await expect(signOut()).rejects.toMatchObject({ status: 403 });
  });
});

describe('signOutDestination', () => {
  it.each([
    [{ redirectTo: 'javascript:alert(1)' }, '/'],
    [{ redirectTo: '//evil.example/' }, '/'],
    [{ redirectTo: 42 }, '/'],
    [null, '/'],
    [{ redirectTo: '/signed-out' }, '/signed-out'],
    [{ redirectTo: 'http://127.0.0.1:4000/dev-idp/session/end?x=1' }, 'http://127.0.0.1:4000/dev-idp/session/end?x=1'],
  ])('follows only a same-origin path or an http(s) URL (%j → %s)', (body, expected) => {
    expect(signOutDestination(body)).toBe(expected);
  });
});
