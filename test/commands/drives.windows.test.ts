/**
 * `diskprep drives` on Windows through the PowerShell seam (inventory-in-use.json): the BitLocker
 * column carries the cipher Get-BitLockerVolume reported, and every refusal says why.
 */
import { describe, expect, it } from 'vitest';
import { drives } from '../../src/commands/drives/index.ts';
import { inUseListStub } from '../disk/windowsSeam.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

describe('diskprep drives (Windows)', () => {
  it('shows the cipher beside the BitLocker state and the reasons beside each refused disk', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [inUseListStub()] });
    await drives({ all: false }, deps);
    const row = (n: number) =>
      recorded.stdout.find((l) => l.startsWith(`\\\\.\\PHYSICALDRIVE${n} `))!;
    expect(row(0)).toMatch(/ unlocked XtsAes128 /);
    expect(row(0)).toContain('no: system or boot disk; holds a page file (C:\\pagefile.sys)');
    expect(row(5)).toMatch(/ locked .* ok$/);
    expect(row(4)).toContain('--drive \\\\.\\PHYSICALDRIVE4');
  });

  it('--json carries the encryptionMethod of each partition', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', json: true, exec: [inUseListStub()] });
    await drives({ all: false }, deps);
    const [doc] = recorded.json as {
      drives: { number: number; partitions: { encryptionMethod?: string }[] }[];
    }[];
    const list = doc!.drives;
    expect(list.find((d) => d.number === 0)!.partitions[2]!.encryptionMethod).toBe('XtsAes128');
  });
});
