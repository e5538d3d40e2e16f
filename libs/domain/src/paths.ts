/**
 * Lexical rules for the paths users type (sources, targets, the file tool, `browse`).
 *
 * Pure string work, shared by server and web so the form can reject what the server would.
 * It cannot see symbolic links: the server must still resolve the result against the real root
 * (`@stagecoach/storage` `resolveInside`). `..` is resolved lexically here, like in a URL, so
 * `a/../b` means `b` even when `a` is a symlink.
 */

/** Longest file name most POSIX file systems accept (NAME_MAX), in UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** Longest path Linux accepts (PATH_MAX), in UTF-8 bytes. */
export const MAX_PATH_BYTES = 4096;

export type PathRule =
  | 'EMPTY'
  | 'ABSOLUTE'
  | 'ESCAPES_ROOT'
  | 'NUL_BYTE'
  | 'CONTROL_CHARACTER'
  | 'BACKSLASH'
  | 'MALFORMED_UNICODE'
  | 'SEGMENT_TOO_LONG'
  | 'PATH_TOO_LONG';

export type NormalizedPath = { ok: true; path: string } | { ok: false; rule: PathRule; reason: string };

export interface NormalizeOptions {
  /** Accept a path that means the root itself (`""`, `"."`, `"a/.."`), e.g. to list the root. */
  allowEmpty?: boolean;
}

const REASONS: Record<PathRule, string> = {
  EMPTY: 'the path is empty',
  ABSOLUTE: "the path must be relative to its root and not start with '/'",
  ESCAPES_ROOT: "the path climbs above its root with '..'",
  NUL_BYTE: 'the path contains a NUL byte',
  CONTROL_CHARACTER: 'the path contains a control character',
  BACKSLASH: "the path contains a backslash; use '/' to separate folders",
  MALFORMED_UNICODE: 'the path contains invalid Unicode (an unpaired surrogate)',
  SEGMENT_TOO_LONG: `a file or folder name is longer than ${MAX_SEGMENT_BYTES} bytes`,
  PATH_TOO_LONG: `the path is longer than ${MAX_PATH_BYTES} bytes`,
};

function reject(rule: PathRule): NormalizedPath {
  return { ok: false, rule, reason: REASONS[rule] };
}

/**
 * Validates a user-given relative path and returns it in canonical form: `/`-separated, no `.`
 * or empty segments, no leading or trailing `/`, `..` applied (`""` stands for the root).
 *
 * Decisions worth knowing:
 * - Backslashes are rejected, not taken literally. On POSIX `\` is an ordinary name byte, but the
 *   same name becomes a traversal for whoever treats it as a separator later (a tar bundle opened
 *   on Windows, S3 keys shown as folders, WebDAV clients); archive names do not need it.
 * - C0/C1 control characters and DEL are rejected: they forge log lines and terminal output.
 * - Unpaired UTF-16 surrogates are rejected because UTF-8 encoding would silently turn them into
 *   U+FFFD, so two different inputs would name the same file.
 * - Unicode is not normalised (NFC/NFD): file systems compare bytes, so those are different names.
 * - Length limits apply to the path as given (before `.` and `..` collapse), which also bounds
 *   the work done on hostile input.
 */
export function normalizeRelativePath(input: string, options: NormalizeOptions = {}): NormalizedPath {
  const scan = scanCharacters(input);
  if (scan !== null) return reject(scan);
  if (input.startsWith('/')) return reject('ABSOLUTE');
  if (utf8ByteLength(input) > MAX_PATH_BYTES) return reject('PATH_TOO_LONG');

  const out: string[] = [];
  for (const segment of input.split('/')) {
    if (utf8ByteLength(segment) > MAX_SEGMENT_BYTES) return reject('SEGMENT_TOO_LONG');
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return reject('ESCAPES_ROOT');
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const path = out.join('/');
  if (path === '' && options.allowEmpty !== true) return reject('EMPTY');
  return { ok: true, path };
}

/** First character-level rule the input breaks, or null. */
function scanCharacters(input: string): PathRule | null {
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0) return 'NUL_BYTE';
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 'CONTROL_CHARACTER';
    if (c === 0x5c) return 'BACKSLASH';
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = input.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'MALFORMED_UNICODE';
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return 'MALFORMED_UNICODE';
    }
  }
  return null;
}

/** UTF-8 length of a well-formed string, without TextEncoder so it runs anywhere. */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}
