import { describe, expect, it } from 'vitest';
import { checkItem, mergeItems, parsePastedPaths, parseTargetFolder, problemsBySource, sourceKindOf, targetFor } from './stage-items';

describe('stage items', () => {
  it('parses one source per line, skipping blanks, comments and duplicates', () => {
    const items = parsePastedPaths('docs/README.txt\n\n# a comment\n docs/README.txt \ncatalogs/stars.csv\r\n');
    expect(items.map((i) => i.source)).toEqual(['docs/README.txt', 'catalogs/stars.csv']);
  });

  it('marks paths that leave the site as PATH_OUTSIDE_ROOT before sending anything', () => {
    expect(checkItem({ source: '../etc/passwd' }).localError?.code).toBe('PATH_OUTSIDE_ROOT');
    expect(checkItem({ source: '/etc/passwd' }).localError?.code).toBe('PATH_OUTSIDE_ROOT');
    expect(checkItem({ source: 'a\\b' }).localError?.code).toBe('BAD_USER_INPUT');
    expect(checkItem({ source: ' ./a/./b ' })).toEqual({ source: ' ./a/./b ', sent: 'a/b' });
  });

  it('sends archive URLs and Rucio DIDs as given for URL-sourced methods', () => {
    expect(sourceKindOf('DCACHE_STAGE')).toBe('url');
    expect(sourceKindOf('RUCIO_COPY')).toBe('url');
    expect(sourceKindOf('LOCAL_COPY')).toBe('path');
    const url = 'https://dcache.example.org:2880/pnfs/lofar/L123/a.tar';
    expect(checkItem({ source: ` ${url} ` }, 'url')).toEqual({ source: ` ${url} `, sent: url });
    expect(checkItem({ source: 'lofar:L123_SAP000' }, 'url').localError).toBeUndefined();
  });

  it('computes where each source lands', () => {
    expect(targetFor('observations/2024-03/obs-0001.fits', '', true)).toBeUndefined();
    expect(targetFor('observations/2024-03/obs-0001.fits', '', false)).toBe('obs-0001.fits');
    expect(targetFor('observations/2024-03/obs-0001.fits', 'run1', true)).toBe('run1/observations/2024-03/obs-0001.fits');
    expect(targetFor('observations/2024-03', 'run1', false)).toBe('run1/2024-03');
    expect(parseTargetFolder('/abs')).toMatchObject({ ok: false, outside: true });
    expect(parseTargetFolder(' run1/ ')).toEqual({ ok: true, path: 'run1' });
  });

  it('keeps existing order when merging', () => {
    const merged = mergeItems([{ source: 'b' }], [{ source: 'a' }, { source: 'b' }]);
    expect(merged.map((i) => i.source)).toEqual(['b', 'a']);
  });

  it('attaches problems by index, or by folder prefix when a folder expanded', () => {
    const map = problemsBySource(
      ['docs', 'missing.txt', 'observations'],
      [
        { index: 1, source: 'missing.txt', code: 'SOURCE_NOT_FOUND' },
        { index: 7, source: 'observations/2024-03/obs-0001.fits', code: 'PATH_OUTSIDE_ROOT' },
      ],
    );
    expect(map.get('missing.txt')).toBe('SOURCE_NOT_FOUND');
    expect(map.get('observations')).toBe('PATH_OUTSIDE_ROOT');
    expect(map.has('docs')).toBe(false);
  });
});
