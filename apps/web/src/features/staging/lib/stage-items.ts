import { normalizeRelativePath } from '@stagecoach/domain';
import type { ItemProblem } from '../../../lib/errors';

/** A source the user picked (as typed or as listed by the browser), with what the browser knows about it. */
export interface SelectedItem {
  source: string;
  isDirectory?: boolean;
  sizeBytes?: number | null;
}

/** A selected item checked for the chosen method: what is sent, or why it cannot be. */
export interface CheckedItem extends SelectedItem {
  /** The source as sent: a normalised relative path, or the URL/identifier as given. */
  sent: string;
  /** Set when the source breaks the rules before it is ever sent (shown inline). */
  localError?: { code: 'PATH_OUTSIDE_ROOT' | 'BAD_USER_INPUT'; reason: string };
}

/**
 * How a method names its sources: paths relative to the source site (browsable), or archive
 * URLs / Rucio DIDs that the server routes to a site by pattern.
 */
export type SourceKind = 'path' | 'url';

const URL_SOURCED_METHODS: ReadonlySet<string> = new Set(['DCACHE_STAGE', 'RUCIO_COPY']);

export function sourceKindOf(method: string | null): SourceKind {
  return method !== null && URL_SOURCED_METHODS.has(method) ? 'url' : 'path';
}

/** Methods that put files somewhere the user chooses a folder in (user area, workspace, bucket). */
const METHODS_WITH_TARGET: ReadonlySet<string> = new Set([
  'LOCAL_COPY',
  'LOCAL_SYMLINK',
  'LOCAL_HARDLINK',
  'JUPYTER_COPY',
  'S3_COPY',
]);

export function methodHasTarget(method: string | null): boolean {
  return method !== null && METHODS_WITH_TARGET.has(method);
}

/** Where a method's target folder lives, in words, and whether the user area's name prefixes it. */
export function destinationOf(method: string | null): { label: string; inUserArea: boolean } {
  if (method === 'JUPYTER_COPY') return { label: 'Folder in your Jupyter workspace', inUserArea: false };
  if (method === 'S3_COPY') return { label: 'Folder in your part of the bucket', inUserArea: false };
  return { label: 'Folder in your user area', inUserArea: true };
}

/** Checks one source with the shared path rules (`..` and absolute paths are outside the root). */
export function checkItem(item: SelectedItem, kind: SourceKind = 'path'): CheckedItem {
  const trimmed = item.source.trim();
  if (kind === 'url') {
    return trimmed === ''
      ? { ...item, sent: trimmed, localError: { code: 'BAD_USER_INPUT', reason: 'the source is empty' } }
      : { ...item, sent: trimmed };
  }
  const result = normalizeRelativePath(trimmed);
  if (result.ok) return { ...item, sent: result.path };
  const outside = result.rule === 'ABSOLUTE' || result.rule === 'ESCAPES_ROOT';
  return { ...item, sent: trimmed, localError: { code: outside ? 'PATH_OUTSIDE_ROOT' : 'BAD_USER_INPUT', reason: result.reason } };
}

/** One source per line; blank lines and `#` comments are ignored, duplicates kept once. */
export function parsePastedPaths(text: string): SelectedItem[] {
  const seen = new Set<string>();
  const items: SelectedItem[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || seen.has(trimmed)) continue;
    seen.add(trimmed);
    items.push({ source: trimmed });
  }
  return items;
}

/** Adds items not yet selected, keeping the existing order. */
export function mergeItems(current: readonly SelectedItem[], added: readonly SelectedItem[]): SelectedItem[] {
  const seen = new Set(current.map((item) => item.source));
  const merged = [...current];
  for (const item of added) {
    if (seen.has(item.source)) continue;
    seen.add(item.source);
    merged.push(item);
  }
  return merged;
}

export type TargetFolder = { ok: true; path: string } | { ok: false; outside: boolean; reason: string };

/** Validates the target folder ("" = the root of the user's area). */
export function parseTargetFolder(folder: string): TargetFolder {
  const result = normalizeRelativePath(folder.trim(), { allowEmpty: true });
  if (result.ok) return { ok: true, path: result.path };
  return { ok: false, outside: result.rule === 'ABSOLUTE' || result.rule === 'ESCAPES_ROOT', reason: result.reason };
}

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? path : path.slice(i + 1);
}

/**
 * Where a source lands inside the user's area: under `folder`, keeping the archive's folders or
 * only the file (or folder) name. `undefined` means the server's default (the source's own path).
 */
export function targetFor(source: string, folder: string, keepFolders: boolean): string | undefined {
  const base = keepFolders ? source : basename(source);
  if (folder === '') return keepFolders ? undefined : base;
  return `${folder}/${base}`;
}

/**
 * Attaches the server's per-item problems to the submitted items. `index` is the position in the
 * submitted list; when a folder expanded, the problem may name a file inside it instead, so the
 * source is matched by prefix as a fallback.
 */
export function problemsBySource(submitted: readonly string[], problems: readonly ItemProblem[]): Map<string, string> {
  const bySource = new Map<string, string>();
  for (const problem of problems) {
    const atIndex = submitted[problem.index];
    const owner =
      atIndex !== undefined && (atIndex === problem.source || problem.source.startsWith(`${atIndex}/`))
        ? atIndex
        : submitted.find((s) => s === problem.source || problem.source.startsWith(`${s}/`) || s === problem.source.trim());
    if (owner !== undefined && !bySource.has(owner)) bySource.set(owner, problem.code);
  }
  return bySource;
}
