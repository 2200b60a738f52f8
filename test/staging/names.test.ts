import { describe, expect, it } from 'vitest';
import {
  containerProblem,
  jobNameProblem,
  prefixProblem,
  segmentProblem,
  storageAccountProblem,
} from '../../src/model/names.ts';
import { compareNames } from '../../src/staging/scan.ts';

describe('Azure names', () => {
  it('job names follow each service', () => {
    expect(jobNameProblem('classic', 'backup_2026-a')).toBeUndefined();
    expect(jobNameProblem('importexport', 'backup_2026')).toMatch(
      /lowercase letters, digits or hyphens/,
    );
    const importexport =
      'an importexport job name is 2-64 lowercase letters, digits or hyphens, starting with a letter';
    expect(jobNameProblem('importexport', 'b')).toBe(importexport);
    expect(jobNameProblem('importexport', 'a'.repeat(64))).toBeUndefined();
    expect(jobNameProblem('importexport', 'a'.repeat(65))).toBe(importexport);
    expect(jobNameProblem('classic', '1backup')).toMatch(/starting with a letter/);
    expect(jobNameProblem('databox', 'Seed-Job1')).toBeUndefined();
    expect(jobNameProblem('databox', 'seed-')).toMatch(/ending with a letter or digit/);
    expect(jobNameProblem('databox', 'a'.repeat(25))).toBe(
      'a databox job name is 3-24 letters, digits or hyphens, starting with a letter and ending with a letter or digit',
    );
    expect(jobNameProblem('offline', 'Seed')).toBe(
      'an offline job name is 3-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit (valid for every service)',
    );
    expect(jobNameProblem('offline', 'seed-1')).toBeUndefined();
    expect(jobNameProblem('classic', 'with space')).toBe(
      'a classic job name is 2-64 lowercase letters, digits, hyphens or underscores, starting with a letter',
    );
  });

  it('storage accounts and containers', () => {
    expect(storageAccountProblem('mystore01')).toBeUndefined();
    for (const bad of ['ab', 'MyStore', 'my-store', 'a'.repeat(25)])
      expect(storageAccountProblem(bad), bad).toBe(
        'a storage account name is 3-24 lowercase letters or digits',
      );
    for (const ok of ['seed', '1abc', 'a-b-c', '$root', 'a'.repeat(63)])
      expect(containerProblem(ok)).toBeUndefined();
    for (const bad of ['ab', 'Seed', '-abc', 'abc-', 'a--b', 'a_b', 'a'.repeat(64), '$logs'])
      expect(containerProblem(bad), bad).toBe(
        'a container name is 3-63 lowercase letters, digits or single hyphens, starting and ending with a letter or digit (or $root)',
      );
  });

  it('prefixes: valid blob path segments, no empty segments, not in $root', () => {
    expect(prefixProblem('/backups/2026/', 'seed')).toBeUndefined();
    expect(prefixProblem('a//b', 'seed')).toMatch(/empty segments/);
    expect(prefixProblem('a/CON', 'seed')).toMatch(/prefix segment "CON".*reserved device name/);
    expect(prefixProblem('x', '$root')).toMatch(/root container/);
  });
});

describe('file names on NTFS and as blobs', () => {
  it.each([
    ['CON', /reserved device name/],
    ['nul.txt', /reserved device name/],
    ['Com1.log', /reserved device name/],
    ['LPT9', /reserved device name/],
    ['aux .txt', /reserved device name/],
    ['trailing.', /ends with a dot or a space/],
    ['trailing ', /ends with a dot or a space/],
    ['a:b', /character :/],
    ['a<b', /character </],
    ['what?', /character \?/],
    ['back\\slash', /character \\/],
    ['pipe|', /character \|/],
    ['star*', /character \*/],
    ['quote"', /character "/],
    ['tab\there', /control character/],
    ['bad\uFFFDbytes', /not valid Unicode/],
    ['x'.repeat(256), /longer than 255/],
  ])('%j is refused', (name, re) => {
    expect(segmentProblem(name)).toMatch(re);
  });

  it.each([
    'COM10',
    'console',
    'CONFIG.SYS',
    'a.b.c',
    'x'.repeat(255),
    'über',
    'e\u0301',
    '😀.txt',
    '.hidden',
    'with space',
  ])('%j is fine', (name) => {
    expect(segmentProblem(name)).toBeUndefined();
  });
});

describe('compareNames', () => {
  it('orders by code point, not by UTF-16 unit', () => {
    // U+FF5E (fullwidth tilde) < U+1F600 (emoji) by code point; UTF-16 units say otherwise.
    const names = ['😀', '\uFF5E', 'b', 'B', 'a', 'ab', ''];
    expect([...names].sort(compareNames)).toEqual(['', 'B', 'a', 'ab', 'b', '\uFF5E', '😀']);
  });
});
