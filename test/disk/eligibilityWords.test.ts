/** Eligibility warnings say how the disk came to be accepted: named by path, or picked from the list. */
import { describe, expect, it } from 'vitest';
import { checkEligible } from '../../src/disk/eligibility.ts';
import type { DiskInfo } from '../../src/disk/types.ts';

const loop: DiskInfo = {
  path: '/dev/loop3',
  serial: undefined,
  model: 'loop: /images/bitlk.img',
  sizeBytes: 100 * 1024 * 1024,
  bus: 'loop',
  media: 'unknown',
  removable: false,
  kind: 'loop',
  system: false,
  boot: false,
  mountpoints: [],
  bitlocker: 'encrypted',
  partitions: [],
} as unknown as DiskInfo;

describe('checkEligible: the words of a non-SATA device accepted', () => {
  it('named by path: says so', () => {
    const e = checkEligible(loop, { explicitPath: true });
    expect(e.reasons).toEqual([]);
    expect(e.warnings).toContain('not SATA (loop): accepted because it was named by path');
  });

  it('picked from the list (--all): says that, never "named by path"', () => {
    const e = checkEligible(loop, { explicitPath: true, pickedFromList: true });
    expect(e.reasons).toEqual([]);
    expect(e.warnings).toContain(
      'not SATA (loop): accepted because it was picked from the list --all widens; the service takes SATA drives only',
    );
    expect(e.warnings.join()).not.toContain('named by path');
  });

  it('neither: refused', () => {
    expect(checkEligible(loop).reasons).toEqual([
      'not SATA (loop): the service takes SATA drives only',
    ]);
  });
});
