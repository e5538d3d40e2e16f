import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES, normalizeRelativePath, utf8ByteLength } from './paths';

const ok = (input: string, allowEmpty = false) => {
  const r = normalizeRelativePath(input, { allowEmpty });
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to be accepted: ${r.reason}`);
  return r.path;
};
const rule = (input: string) => {
  const r = normalizeRelativePath(input);
  return r.ok ? 'ACCEPTED' : r.rule;
};

describe('normalizeRelativePath', () => {
  it.each([
    ['a/b.txt', 'a/b.txt'],
    ['a/./b', 'a/b'],
    ['./a', 'a'],
    ['a//b///c', 'a/b/c'],
    ['a/b/', 'a/b'],
    ['a/b/../c', 'a/c'],
    ['a/..//b', 'b'],
    ['...', '...'],
    ['..a/b..', '..a/b..'],
    [' spaced name /x', ' spaced name /x'],
    ['ünï/çødé/日本語/🚀.fits', 'ünï/çødé/日本語/🚀.fits'],
    ['-rf', '-rf'],
    ['~/x', '~/x'],
  ])('normalizes %j to %j', (input, expected) => {
    expect(ok(input)).toBe(expected);
  });

  it.each([
    ['../x', 'ESCAPES_ROOT'],
    ['..', 'ESCAPES_ROOT'],
    ['a/../../x', 'ESCAPES_ROOT'],
    ['a/b/../../..', 'ESCAPES_ROOT'],
    ['./../a', 'ESCAPES_ROOT'],
    ['/etc/passwd', 'ABSOLUTE'],
    ['//etc/passwd', 'ABSOLUTE'],
    ['/', 'ABSOLUTE'],
    ['a\0b', 'NUL_BYTE'],
    ['a/\0/../b', 'NUL_BYTE'],
    ['a\nb', 'CONTROL_CHARACTER'],
    ['a\x1b[31mred', 'CONTROL_CHARACTER'],
    ['a\x7f', 'CONTROL_CHARACTER'],
    ['a\u0085', 'CONTROL_CHARACTER'],
    ['..\\..\\etc', 'BACKSLASH'],
    ['a\\b', 'BACKSLASH'],
    ['a\ud800b', 'MALFORMED_UNICODE'],
    ['a\udc00', 'MALFORMED_UNICODE'],
    ['a\ud800', 'MALFORMED_UNICODE'],
    ['', 'EMPTY'],
    ['.', 'EMPTY'],
    ['./', 'EMPTY'],
    ['a/..', 'EMPTY'],
  ])('rejects %j (%s)', (input, expected) => {
    expect(rule(input)).toBe(expected);
  });

  it('gives a human reason with every rejection', () => {
    const r = normalizeRelativePath('../x');
    expect(r).toEqual({ ok: false, rule: 'ESCAPES_ROOT', reason: expect.stringMatching(/\.\./) });
  });

  it('accepts the root itself only when allowed', () => {
    expect(ok('', true)).toBe('');
    expect(ok('./a/..', true)).toBe('');
    expect(rule('./a/..')).toBe('EMPTY');
    expect(normalizeRelativePath('..', { allowEmpty: true }).ok).toBe(false);
  });

  it('limits a name to 255 UTF-8 bytes, counting multi-byte characters', () => {
    expect(ok('x'.repeat(MAX_SEGMENT_BYTES))).toHaveLength(255);
    expect(rule('x'.repeat(MAX_SEGMENT_BYTES + 1))).toBe('SEGMENT_TOO_LONG');
    expect(ok('é'.repeat(127) + 'x')).toBeTruthy(); // 255 bytes
    expect(rule('é'.repeat(128))).toBe('SEGMENT_TOO_LONG'); // 256 bytes, 128 characters
    expect(rule('🚀'.repeat(64))).toBe('SEGMENT_TOO_LONG'); // 256 bytes
    // A long name is refused even when '..' would remove it, since the kernel would refuse it too.
    expect(rule(`${'x'.repeat(256)}/../a`)).toBe('SEGMENT_TOO_LONG');
  });

  it('limits the whole path to 4096 bytes', () => {
    const name = 'x'.repeat(200);
    const fits = Array.from({ length: 20 }, () => name).join('/'); // 4019 bytes
    expect(ok(fits)).toBe(fits);
    const tooLong = `${fits}/${'y'.repeat(MAX_PATH_BYTES - fits.length)}`;
    expect(rule(tooLong)).toBe('PATH_TOO_LONG');
  });

  it('agrees with path.posix.normalize on every path it accepts', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '', 'a', 'b', 'é', '日本', '🚀'),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    );
    const input = fc.oneof(
      fc.array(segment, { maxLength: 10 }).map((s) => s.join('/')),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    fc.assert(
      fc.property(input, (raw) => {
        const r = normalizeRelativePath(raw, { allowEmpty: true });
        if (!r.ok) return;
        const expected = posix.normalize(raw).replace(/\/+$/, '');
        expect(r.path).toBe(expected === '.' ? '' : expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('only returns canonical paths, and is idempotent on them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        const r = normalizeRelativePath(raw, { allowEmpty: true });
        if (!r.ok) return;
        if (r.path !== '') {
          const segments = r.path.split('/');
          expect(segments.every((s) => s !== '' && s !== '.' && s !== '..')).toBe(true);
        }
        // eslint-disable-next-line no-control-regex -- control characters are what this asserts on
        expect(r.path).not.toMatch(/[\0-\x1f\x7f-\x9f\\]/);
        expect(normalizeRelativePath(r.path, { allowEmpty: true })).toEqual(r);
      }),
      { numRuns: 5000 },
    );
  });

  it('never accepts a path with a character-level hazard anywhere in it', () => {
    const hazard = fc.constantFrom('\0', '\n', '\r', '\x1b', '\x7f', '\x9b', '\\', '\ud800', '\udfff');
    fc.assert(
      fc.property(fc.string(), hazard, fc.string(), (before, bad, after) => {
        // The slashes around the hazard keep a lone surrogate from pairing with a neighbour.
        const raw = `${before}/${bad}/${after}`;
        expect(normalizeRelativePath(raw, { allowEmpty: true }).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('utf8ByteLength', () => {
  it('matches Buffer.byteLength for well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
    );
  });
});
