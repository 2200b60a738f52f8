import { describe, expect, it } from 'vitest';
import { count, formatBytes, formatCapacity, formatDriveSize, plural } from '../src/format.ts';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [MiB - 1, '1.0 MiB'],
    [MiB, '1.0 MiB'],
    [9 * MiB + 7, '9.0 MiB'],
    [99.94 * MiB, '99.9 MiB'],
    [99.96 * MiB, '100 MiB'],
    [100 * MiB, '100 MiB'],
    [1023.6 * MiB, '1.0 GiB'],
    [1.5 * GiB, '1.5 GiB'],
    [2 * TiB, '2.0 TiB'],
    [8e12, '7.3 TiB'],
    [1024 * TiB, '1.0 PiB'],
  ])('%d bytes is %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('formatDriveSize: binary units, the decimal size it is sold by labelled', () => {
  it.each([
    [8e12, '7.28 TiB, sold as 8.0 TB'],
    [8_001_563_222_016, '7.28 TiB, sold as 8.0 TB'],
    [4_000_787_030_016, '3.64 TiB, sold as 4.0 TB'],
    [500_107_862_016, '466 GiB, sold as 500 GB'],
    [15_376_318_464, '14.3 GiB, sold as 15.4 GB'],
    [100 * MiB, '100 MiB, sold as 105 MB'],
    [1e9, '954 MiB, sold as 1.0 GB'],
    [999_999_999, '954 MiB, sold as 1.0 GB'],
    [9.999 * GiB, '10.0 GiB, sold as 10.7 GB'],
    [1023.999 * KiB, '1.00 MiB, sold as 1.0 MB'],
    [512, '512 B'],
  ])('%d bytes is %s', (n, text) => {
    expect(formatDriveSize(n)).toBe(text);
  });
});

describe('formatCapacity (table cells)', () => {
  it.each([
    [8e12, '7.28 TiB'],
    [100 * MiB, '100 MiB'],
    [256 * GiB, '256 GiB'],
  ])('%d bytes is %s', (n, text) => {
    expect(formatCapacity(n)).toBe(text);
  });
});

describe('count and plural', () => {
  it.each([
    [0, 'file', undefined, '0 files'],
    [1, 'file', undefined, '1 file'],
    [2, 'file', undefined, '2 files'],
    [1, 'day', undefined, '1 day'],
    [30, 'day', undefined, '30 days'],
    [1, 'drive', undefined, '1 drive'],
    [1, 'entry', 'entries', '1 entry'],
    [3, 'entry', 'entries', '3 entries'],
  ])('%d %s', (n, singular, pluralForm, text) => {
    expect(count(n, singular, pluralForm)).toBe(text);
  });

  it('gives the noun alone for "3/5 files"-style lines', () => {
    expect(plural(1, 'blob')).toBe('blob');
    expect(plural(5, 'blob')).toBe('blobs');
  });
});
