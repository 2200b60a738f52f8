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
    // At 80 columns (no terminal) each disk is its row and the indented lines under it.
    const lines = recorded.stdout;
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    const entry = (n: number) => {
      const i = lines.findIndex((l) => l.startsWith(`\\\\.\\PHYSICALDRIVE${n} `));
      const under = lines.slice(i + 1).findIndex((l) => !l.startsWith(' '));
      const block = lines.slice(i, under < 0 ? undefined : i + 1 + under);
      return {
        row: block[0]!,
        details: block
          .slice(1)
          .map((l) => l.trim())
          .join(' '),
      };
    };
    expect(entry(0).row).toMatch(/ unlocked XtsAes128 /);
    expect(entry(0).details).toContain(
      'no: system or boot disk; holds a page file (C:\\pagefile.sys)',
    );
    expect(entry(5).row).toMatch(/ locked /);
    expect(entry(5).details).toMatch(/^ok /);
    expect(entry(4).details).toContain('--drive \\\\.\\PHYSICALDRIVE4');
    // Warnings only for disks that can be prepared (a refused disk's reasons say all), each
    // wrapped with its continuation under the text.
    const warned = recorded.stderr.filter((l) => l.startsWith('⚠ '));
    expect(warned.length).toBeGreaterThan(0);
    for (const l of warned) expect(l).toMatch(/^⚠ \\\\\.\\PHYSICALDRIVE6: /);
    for (const l of recorded.stderr) expect([...l].length, l).toBeLessThanOrEqual(80);
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
