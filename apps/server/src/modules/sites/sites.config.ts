import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';

/** Site kinds; only POSIX is served by this build's methods, the others are declared for the schema. */
export const SITE_KINDS = ['POSIX', 'S3', 'WEBDAV', 'JUPYTERHUB', 'RUCIO'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'ids are lower-case letters, digits, "-" and "_"');

export const PosixSiteSchema = z.object({
  id,
  name: z.string().min(1).optional(),
  kind: z.literal('POSIX'),
  /** Absolute directory (local disk, NFS or CephFS mount). */
  root: z.string().min(1),
  /** `source`: files are staged from it; `target`: user areas live in it. */
  roles: z.array(z.enum(['source', 'target'])).min(1).default(['source']),
  /** Folder (relative to root) the file-creation tool writes into; sources only. */
  sandbox: z.string().min(1).optional(),
  /** The source used when a request names none. */
  default: z.boolean().default(false),
});

export const SiteSchema = z.discriminatedUnion('kind', [PosixSiteSchema]);
export const SitesFileSchema = z.object({ sites: z.array(SiteSchema).min(1) }).superRefine((v, ctx) => {
  const seen = new Set<string>();
  for (const [i, s] of v.sites.entries()) {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'id'], message: `duplicate site id "${s.id}"` });
    seen.add(s.id);
  }
  if (!v.sites.some((s) => s.roles.includes('source'))) ctx.addIssue({ code: 'custom', path: ['sites'], message: 'at least one site needs the role "source"' });
});

export type PosixSiteConfig = z.infer<typeof PosixSiteSchema>;
export type SiteConfig = z.infer<typeof SiteSchema>;

export class SitesConfigError extends Error {}

/** The two default sites of API.md: `archive` (source, with sandbox/) and `users` (user areas). */
export function defaultSites(dataDir: string): SiteConfig[] {
  return [
    { id: 'archive', name: 'Archive', kind: 'POSIX', root: path.join(dataDir, 'sites', 'archive'), roles: ['source'], sandbox: 'sandbox', default: true },
    { id: 'users', name: 'User areas', kind: 'POSIX', root: path.join(dataDir, 'sites', 'users'), roles: ['target'], default: false },
  ];
}

/** Reads and validates SITES_FILE (YAML or JSON); every problem is listed with its location. */
export async function loadSitesFile(file: string): Promise<SiteConfig[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new SitesConfigError(`SITES_FILE ${file} cannot be read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new SitesConfigError(`SITES_FILE ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const parsed = SitesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new SitesConfigError(`SITES_FILE ${file} is invalid:\n${lines.join('\n')}`);
  }
  const base = path.dirname(file);
  return parsed.data.sites.map((s) => ({ ...s, root: path.resolve(base, s.root) }));
}
