/**
 * Drive identity rules: a resume needs every identifier both sides know to agree (model aside);
 * a disk is a recorded drive when any strong identifier (NTFS serial, BitLocker GUID, hardware
 * serial) is shared; the NTFS serial is read from the boot sector, little-endian.
 */
import { describe, expect, it } from 'vitest';
import {
  describeIdentity,
  identityMismatch,
  ntfsSerialOf,
  sharesIdentity,
} from '../../src/disk/identity.ts';

describe('drive identity', () => {
  const rec = {
    serial: 'WD-1',
    model: 'WDC',
    sizeBytes: 4e12,
    bitlockerGuid: 'abc',
    ntfsSerial: '01',
  };

  it('a resume: the first known identifier that differs, case-insensitively; unknowns and model do not count', () => {
    expect(identityMismatch(rec, { ...rec, model: 'other name' })).toBeUndefined();
    expect(identityMismatch(rec, { bitlockerGuid: 'ABC' })).toBeUndefined();
    expect(identityMismatch(rec, { serial: 'WD-1', ntfsSerial: '02' })).toBe(
      'NTFS volume serial 02 here, 01 recorded',
    );
    expect(identityMismatch(rec, { sizeBytes: 1 })).toBe('size 1 here, 4000000000000 recorded');
    expect(identityMismatch(undefined, rec)).toBeUndefined();
  });

  it('a recorded drive: any strong identifier in common; size and model alone are not', () => {
    expect(sharesIdentity(rec, { serial: 'wd-1' })).toBe(true);
    expect(sharesIdentity(rec, { bitlockerGuid: 'abc', ntfsSerial: '99' })).toBe(true);
    expect(sharesIdentity(rec, { model: 'WDC', sizeBytes: 4e12 })).toBe(false);
    expect(sharesIdentity(undefined, rec)).toBe(false);
    expect(describeIdentity(rec)).toBe(
      'serial WD-1, BitLocker volume abc, NTFS volume serial 01, size 4000000000000',
    );
  });

  it('reads the NTFS serial from a boot sector, and nothing from another file system', () => {
    const b = Buffer.alloc(512);
    b.write('NTFS    ', 3, 'latin1');
    b.writeBigUInt64LE(0x1de69a4632a0b208n, 0x48);
    expect(ntfsSerialOf(b)).toBe('1DE69A4632A0B208');
    b.write('EXFAT   ', 3, 'latin1');
    expect(ntfsSerialOf(b)).toBeUndefined();
    expect(ntfsSerialOf(b.subarray(0, 40))).toBeUndefined();
  });
});
