import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../lib/errors';
import { FIXTURES_DIR } from '../../lib/paths';

/** Every email Stagecoach sends: its key, what it is for, and the variables it may use (with samples for previews). */
export const TEMPLATE_CATALOG = {
  'signup-pending': {
    description: 'To every active admin when a new person signs in and waits for approval.',
    variables: { name: 'Grace Hopper', email: 'grace@example.org', username: 'grace', emailVerified: 'verified', adminUrl: 'https://stagecoach.example.org/admin/users', appUrl: 'https://stagecoach.example.org' },
  },
  'account-approved': {
    description: 'To the user when an admin approves the account.',
    variables: { name: 'Grace Hopper', email: 'grace@example.org', appUrl: 'https://stagecoach.example.org' },
  },
  'account-rejected': {
    description: 'To the user when an admin rejects the account.',
    variables: { name: 'Grace Hopper', email: 'grace@example.org', reason: 'This service is for members of the collaboration.', appUrl: 'https://stagecoach.example.org' },
  },
  'request-finished': {
    description: 'To the owner when a staging request with notify: true finishes.',
    variables: {
      name: 'Grace Hopper',
      requestId: '2f1c0d0e-8a51-4c55-9f43-7c9f2d8f1b6a',
      method: 'LOCAL_COPY',
      status: 'succeeded',
      filesTotal: '12',
      filesDone: '10',
      filesSkipped: '2',
      filesFailed: '0',
      filesCancelled: '0',
      bytesDone: '1048576',
      requestUrl: 'https://stagecoach.example.org/requests/2f1c0d0e-8a51-4c55-9f43-7c9f2d8f1b6a',
      appUrl: 'https://stagecoach.example.org',
      details: 'Online (1):\n  https://webdav.example.org:2880/lc0_012/L123_SB000.tar\n\nFailed (1):\n  srm://srm.example.org/pnfs/example.org/data/lofar/x.tar — The tape system could not bring the file online.',
    },
  },
  'request-expiring': {
    description: 'To the owner a while (EXPIRY_WARNING) before the results of a request are removed at the end of their retention.',
    variables: {
      name: 'Grace Hopper',
      requestId: '2f1c0d0e-8a51-4c55-9f43-7c9f2d8f1b6a',
      method: 'LOCAL_COPY',
      expiresAt: '2026-12-08T10:00:00.000Z',
      filesDone: '12',
      requestUrl: 'https://stagecoach.example.org/requests/2f1c0d0e-8a51-4c55-9f43-7c9f2d8f1b6a',
      appUrl: 'https://stagecoach.example.org',
    },
  },
} as const satisfies Record<string, { description: string; variables: Record<string, string> }>;

export type TemplateKey = keyof typeof TEMPLATE_CATALOG;
export const TEMPLATE_KEYS = Object.keys(TEMPLATE_CATALOG) as TemplateKey[];
export type TemplateVariables<K extends TemplateKey> = Record<keyof (typeof TEMPLATE_CATALOG)[K]['variables'], string>;

export interface TemplateContent {
  subject: string;
  text: string;
  html: string;
}

export const isTemplateKey = (k: string): k is TemplateKey => Object.hasOwn(TEMPLATE_CATALOG, k);

export const TEMPLATES_DIR = path.join(FIXTURES_DIR, 'email-templates');

/** The shipped default of one template, read from fixtures/email-templates. */
export function defaultTemplate(key: TemplateKey, dir = TEMPLATES_DIR): TemplateContent {
  const read = (suffix: string) => readFileSync(path.join(dir, `${key}${suffix}`), 'utf8');
  return { subject: read('.subject.txt').trim(), text: read('.txt'), html: read('.html') };
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

function substitute(template: string, vars: Record<string, string>, escape: (s: string) => string): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => (Object.hasOwn(vars, name) ? escape(vars[name]!) : ''));
}

/**
 * Fills `{{variable}}`s: HTML-escaped in the HTML part (values come from users: names, reasons),
 * and without line breaks in the subject so a value can never add a mail header.
 */
export function renderTemplate(t: TemplateContent, vars: Record<string, string>): TemplateContent {
  const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ');
  return {
    subject: oneLine(substitute(t.subject, vars, oneLine)).trim(),
    text: substitute(t.text, vars, (s) => s),
    html: substitute(t.html, vars, escapeHtml),
  };
}

/** Refuses a template that uses a variable its event does not provide (it would silently render empty). */
export function checkTemplate(key: TemplateKey, t: TemplateContent): void {
  const allowed = new Set(Object.keys(TEMPLATE_CATALOG[key].variables));
  const unknown = new Set<string>();
  for (const part of [t.subject, t.text, t.html]) for (const m of part.matchAll(PLACEHOLDER)) if (!allowed.has(m[1]!)) unknown.add(m[1]!);
  if (unknown.size) {
    throw new AppError('BAD_USER_INPUT', `Unknown variable(s) ${[...unknown].map((v) => `{{${v}}}`).join(', ')}; ${key} may use ${[...allowed].map((v) => `{{${v}}}`).join(', ')}.`, {
      unknownVariables: [...unknown],
    });
  }
  if (!t.subject.trim()) throw new AppError('BAD_USER_INPUT', 'The subject must not be empty.');
  if (t.subject.length > 300) throw new AppError('BAD_USER_INPUT', 'The subject must be at most 300 characters.');
  if (!t.text.trim() || !t.html.trim()) throw new AppError('BAD_USER_INPUT', 'Both the text and the HTML part are required.');
  if (t.text.length > 100_000 || t.html.length > 100_000) throw new AppError('BAD_USER_INPUT', 'A template part must be at most 100,000 characters.');
}
