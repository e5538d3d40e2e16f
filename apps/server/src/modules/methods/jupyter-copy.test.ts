import { describe, expect, it } from 'vitest';
import { JupyterHubSiteSchema } from '../sites/sites.config';
import type { DeliveryOwner } from './remote-target';
import { hubUserName, jupyterPath } from './jupyter-copy.method';

const site = (hubUser: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  JupyterHubSiteSchema.parse({
    id: 'hub',
    kind: 'JUPYTERHUB',
    url: 'https://hub.example.org/',
    token: { env: 'HUB_TOKEN' },
    hubUser,
    ...extra,
  });
const owner: DeliveryOwner = {
  id: 'u1',
  username: 'asmith',
  email: 'Anna.Smith@Example.org',
  emailVerified: true,
  usernameOrigin: 'IDP',
  oidcSubject: 'F00-BA4',
};

describe('hubUserName', () => {
  it('uses the Stagecoach username by default', () => {
    expect(hubUserName(site(), owner)).toEqual({ name: 'asmith' });
  });

  it.each([
    ['email', 'anna.smith@example.org'],
    ['email-local-part', 'anna.smith'],
    ['oidc-subject', 'f00-ba4'],
  ])('maps from %s, lower-cased', (from, expected) => {
    expect(hubUserName(site({ from }), owner)).toEqual({ name: expected });
  });

  it('keeps the case when asked to', () => {
    expect(hubUserName(site({ from: 'email-local-part', lowercase: false }), owner)).toEqual({ name: 'Anna.Smith' });
  });

  it('prefers the explicit map, by email or username, taken as written', () => {
    expect(hubUserName(site({ map: { 'Anna.Smith@Example.org': 'Anna' } }), owner)).toEqual({ name: 'Anna' });
    expect(hubUserName(site({ map: { asmith: 'anna-s' }, from: 'email' }), owner)).toEqual({ name: 'anna-s' });
  });

  it('refuses when the attribute is missing', () => {
    expect(hubUserName(site({ from: 'oidc-subject' }), { ...owner, oidcSubject: null })).toEqual({
      refused: expect.stringContaining('it has no oidc-subject'),
    });
  });

  it('refuses a username that sanitising or de-duplication changed, whatever it was made from', () => {
    // `ana.`, `Ana!` and `ａｎａ` all became `ana`; a second `ana` became `ana-2`.
    for (const username of ['ana', 'ana-2']) {
      expect(hubUserName(site(), { ...owner, username, usernameOrigin: 'ALTERED' })).toEqual({
        refused: expect.stringContaining(`username "${username}" is not the name your identity provider gave you`),
      });
    }
    expect(hubUserName(site(), { ...owner, usernameOrigin: null })).toEqual({
      refused: expect.stringContaining('sign in to Stagecoach again'),
    });
  });

  it('refuses an email the identity provider did not verify, as the attribute, the map key or the source of the username', () => {
    const unverified = { ...owner, emailVerified: false };
    const refused = { refused: expect.stringContaining('email address is not verified') };
    expect(hubUserName(site({ from: 'email' }), unverified)).toEqual(refused);
    expect(hubUserName(site({ from: 'email-local-part' }), unverified)).toEqual(refused);
    expect(hubUserName(site({ map: { 'anna.smith@example.org': 'anna' } }), unverified)).toEqual(refused);
    expect(hubUserName(site(), { ...unverified, usernameOrigin: 'EMAIL' })).toEqual(refused);
    // Neither the subject nor an explicit map entry of the username depend on the email.
    expect(hubUserName(site({ from: 'oidc-subject' }), unverified)).toEqual({ name: 'f00-ba4' });
    expect(hubUserName(site({ map: { asmith: 'anna-s' } }), { ...unverified, usernameOrigin: 'ALTERED' })).toEqual({
      name: 'anna-s',
    });
    expect(hubUserName(site(), unverified)).toEqual({ name: 'asmith' });
  });
});

describe('jupyterPath', () => {
  it('puts targets below the upload folder, or the home itself', () => {
    expect(jupyterPath(site(), 'a/b.txt')).toBe('staged/a/b.txt');
    expect(jupyterPath(site({}, { uploadDir: '' }), 'a/b.txt')).toBe('a/b.txt');
  });
});
