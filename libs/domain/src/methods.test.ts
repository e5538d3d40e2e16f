import { describe, expect, it } from 'vitest';
import { isStagingMethod, METHOD_INFO, methodFromName, STAGING_METHODS } from './methods';

describe('METHOD_INFO', () => {
  it('describes every method and nothing else', () => {
    expect(Object.keys(METHOD_INFO).sort()).toEqual([...STAGING_METHODS].sort());
  });

  it.each(STAGING_METHODS)('gives %s a label and a one-sentence description', (method) => {
    const { label, description } = METHOD_INFO[method];
    expect(label.trim()).not.toBe('');
    expect(description).toMatch(/^[A-Z].*\.$/);
    expect(description.slice(0, -1)).not.toMatch(/[.!?]\s/);
  });

  it('uses distinct labels so a menu is unambiguous', () => {
    const labels = STAGING_METHODS.map((m) => METHOD_INFO[m].label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('isStagingMethod', () => {
  it('accepts enum values and rejects anything else', () => {
    expect(isStagingMethod('LOCAL_COPY')).toBe(true);
    expect(isStagingMethod('local_copy')).toBe(false);
    expect(isStagingMethod('toString')).toBe(false);
    expect(isStagingMethod(undefined)).toBe(false);
  });
});

describe('methodFromName', () => {
  it('reads our names in any letter case and the other spellings clients send', () => {
    expect(methodFromName('LOCAL_COPY')).toBe('LOCAL_COPY');
    expect(methodFromName('local_copy')).toBe('LOCAL_COPY');
    expect(methodFromName(' jupyter_copy ')).toBe('JUPYTER_COPY');
    expect(methodFromName('symlink_copy')).toBe('LOCAL_SYMLINK');
    expect(methodFromName('direct_dowload')).toBe('DIRECT_DOWNLOAD');
  });

  it('knows no other name', () => {
    expect(methodFromName('teleport')).toBeUndefined();
    expect(methodFromName('')).toBeUndefined();
    expect(methodFromName('constructor')).toBeUndefined();
  });
});
