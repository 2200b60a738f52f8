import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import {
  createDrivePlanner,
  fixedDriveOverhead,
  manifestEntryBytes,
  MANIFEST_PER_BLOCK,
  parseDriveSize,
  planDrives,
} from '../../src/staging/plan.ts';

const MiB = 1024 * 1024;

describe('parseDriveSize', () => {
  it.each([
    ['500GB', 500e9],
    ['1TB', 1e12],
    ['8TB', 8e12],
    ['1.5TB', 1.5e12],
    ['8 tb', 8e12],
    ['4TiB', 4 * 1024 ** 4],
    ['2000398934016', 2000398934016],
    ['100MB', 100e6],
  ])('%s → %d', (text, bytes) => {
    expect(parseDriveSize(text)).toBe(bytes);
  });
  it.each(['', 'big', '8XB', '-1TB', '0', '1.5', 'TB'])('%j is refused', (text) => {
    expect(() => parseDriveSize(text)).toThrow(UsageError);
  });
});

describe('manifest size estimate', () => {
  it('grows with blocks and path length, and escapes XML', () => {
    const base = manifestEntryBytes({ relPath: 'a', size: 0 }, 'seed');
    expect(manifestEntryBytes({ relPath: 'a', size: 4 * MiB }, 'seed')).toBe(
      base + MANIFEST_PER_BLOCK,
    );
    expect(manifestEntryBytes({ relPath: 'a', size: 4 * MiB + 1 }, 'seed')).toBe(
      base + 2 * MANIFEST_PER_BLOCK,
    );
    // "&" is written "&amp;" twice (BlobPath and FilePath): 2 x (5 - 1) more bytes than "b".
    expect(manifestEntryBytes({ relPath: '&', size: 0 }, 'seed') - base).toBe(8);
    // "é" is two UTF-8 bytes.
    expect(manifestEntryBytes({ relPath: 'é', size: 0 }, 'seed') - base).toBe(2);
  });
});

describe('planDrives', () => {
  // A 1 GB drive: usable = 1e9 - 256 MiB - 1e9/32768 - 1 MiB.
  const driveSize = 1e9;
  const usable = driveSize - fixedDriveOverhead(driveSize);

  it('fills drives in walk order, never splitting a file, and says first/last of each', () => {
    const files = [
      { relPath: 'a/1.bin', size: 300e6 },
      { relPath: 'a/2.bin', size: 300e6 },
      { relPath: 'a/3.bin', size: 300e6 }, // does not fit beside the first two (~700 MB usable)
      { relPath: 'b/4.bin', size: 100e6 },
      { relPath: 'b/5.bin', size: 0 },
      { relPath: 'c.bin', size: 600e6 }, // 300 + 100 + 600 > usable: new drive
    ];
    const plan = planDrives(files, { driveSize, container: 'seed', keepPaths: true });
    expect(usable).toBeGreaterThan(700e6);
    expect(usable).toBeLessThan(900e6);
    expect(plan.files).toBe(6);
    expect(plan.bytes).toBe(1600e6);
    expect(plan.drives.map((d) => [d.index, d.files, d.bytes, d.first, d.last])).toEqual([
      [1, 2, 600e6, 'a/1.bin', 'a/2.bin'],
      [2, 3, 400e6, 'a/3.bin', 'b/5.bin'],
      [3, 1, 600e6, 'c.bin', 'c.bin'],
    ]);
    expect(plan.drives[1]!.paths).toEqual(['a/3.bin', 'b/4.bin', 'b/5.bin']);
    for (const d of plan.drives) expect(d.usedBytes).toBeLessThanOrEqual(driveSize);
  });

  it('counts cluster rounding and MFT records: many tiny files fill a drive too', () => {
    const n = 250_000; // 1-byte files: 4 KiB cluster + 1 KiB MFT record + manifest entry each
    const files = Array.from({ length: n }, (_, i) => ({
      relPath: `f${String(i).padStart(6, '0')}`,
      size: 1,
    }));
    const plan = planDrives(files, { driveSize, container: 'seed' });
    expect(plan.drives.length).toBe(2);
    const perFile = 4096 + 1024 + manifestEntryBytes({ relPath: 'f000000', size: 1 }, 'seed');
    expect(plan.drives[0]!.files).toBe(Math.floor((usable - 8192 * 1) / perFile));
  });

  it('a file bigger than a drive is an error naming it', () => {
    expect(() =>
      planDrives([{ relPath: 'huge.vhd', size: 2e9 }], { driveSize, container: 'seed' }),
    ).toThrow(/huge\.vhd \(2000000000 bytes\) does not fit on one drive/);
  });

  it("the incremental planner returns each file's drive", () => {
    const p = createDrivePlanner({ driveSize, container: 'seed' });
    expect([
      p.add({ relPath: 'x', size: 500e6 }),
      p.add({ relPath: 'y', size: 500e6 }),
      p.add({ relPath: 'z', size: 1 }),
    ]).toEqual([1, 2, 2]);
    expect(p.finish().drives).toHaveLength(2);
  });

  it('no files, no drives; a drive too small for anything is refused', () => {
    expect(planDrives([], { driveSize, container: 'seed' }).drives).toEqual([]);
    expect(() => planDrives([], { driveSize: 100e6, container: 'seed' })).toThrow(/too small/);
  });
});
