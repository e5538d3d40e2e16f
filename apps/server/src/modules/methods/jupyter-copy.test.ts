import { describe, expect, it } from 'vitest';
import { JupyterHubSiteSchema } from '../sites/sites.config';
import { hubUserName, jupyterPath } from './jupyter-copy.method';

const site = (hubUser: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  JupyterHubSiteSchema.parse({ id: 'hub', kind: 'JUPYTERHUB', url: 'https://hub.example.org/', token: { env: 'HUB_TOKEN' }, hubUser, ...extra });
const owner = { id: 'u1', username: 'asmith', email: 'Anna.Smith@Example.org', oidcSubject: 'F00-BA4' };

describe('hubUserName', () => {
  it('uses the Stagecoach username by default', () => {
    expect(hubUserName(site(), owner)).toBe('asmith');
  });

  it.each([
    ['email', 'anna.smith@example.org'],
    ['email-local-part', 'anna.smith'],
    ['oidc-subject', 'f00-ba4'],
  ])('maps from %s, lower-cased', (from, expected) => {
    expect(hubUserName(site({ from }), owner)).toBe(expected);
  });

  it('keeps the case when asked to', () => {
    expect(hubUserName(site({ from: 'email-local-part', lowercase: false }), owner)).toBe('Anna.Smith');
  });

  it('prefers the explicit map, by email or username, taken as written', () => {
    expect(hubUserName(site({ map: { 'Anna.Smith@Example.org': 'Anna' } }), owner)).toBe('Anna');
    expect(hubUserName(site({ map: { asmith: 'anna-s' }, from: 'email' }), owner)).toBe('anna-s');
  });

  it('gives null when the attribute is missing', () => {
    expect(hubUserName(site({ from: 'oidc-subject' }), { ...owner, oidcSubject: null })).toBeNull();
  });
});

describe('jupyterPath', () => {
  it('puts targets below the upload folder, or the home itself', () => {
    expect(jupyterPath(site(), 'a/b.txt')).toBe('staged/a/b.txt');
    expect(jupyterPath(site({}, { uploadDir: '' }), 'a/b.txt')).toBe('a/b.txt');
  });
});
