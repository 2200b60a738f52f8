/** The `drives` table at the terminal's width: one row per disk when it fits, else two-line rows. */
import { describe, expect, it } from 'vitest';
import { drivesTable } from '../../src/commands/drives/table.ts';
import type { ListedDisk } from '../../src/disk/types.ts';
import { textWidth } from '../../src/format.ts';

const GiB = 1024 ** 3;

function disk(over: Partial<ListedDisk>): ListedDisk {
  return {
    path: '/dev/sdb',
    serial: 'WD-WMATV123456',
    model: 'WDC WD40EFRX-68N32N0',
    sizeBytes: 4_000_787_030_016,
    bus: 'SATA',
    media: 'HDD',
    removable: false,
    kind: 'disk',
    system: false,
    boot: false,
    mountpoints: [],
    bitlocker: 'encrypted',
    partitions: [
      {
        path: '/dev/sdb1',
        label: undefined,
        bitlocker: 'encrypted',
        sizeBytes: 4_000_000_000_000,
        fsType: 'BitLocker',
        mountpoints: [],
      },
    ],
    reasons: [],
    warnings: [],
    eligible: true,
    ...over,
  };
}

const system = disk({
  path: '/dev/sda',
  serial: 'S4EVNX0N123456',
  model: 'Samsung SSD 870 EVO 500GB with a long model name',
  sizeBytes: 500_107_862_016,
  media: 'SSD',
  bitlocker: 'none',
  system: true,
  boot: true,
  mountpoints: ['/', '/boot/efi'],
  partitions: [
    {
      path: '/dev/sda1',
      label: undefined,
      bitlocker: 'none',
      sizeBytes: GiB / 2,
      fsType: 'vfat',
      mountpoints: ['/boot/efi'],
    },
    {
      path: '/dev/sda2',
      label: undefined,
      bitlocker: 'none',
      sizeBytes: 465 * GiB,
      fsType: 'ext4',
      mountpoints: ['/'],
    },
  ],
  reasons: ['system or boot disk', 'mounted at /, /boot/efi'],
  eligible: false,
});

describe('drivesTable', () => {
  it('one row per disk with every column when the terminal is wide enough', () => {
    const lines = drivesTable([disk({})], 200);
    expect(lines[0]).toMatch(
      /^DISK\s+SERIAL\s+MODEL\s+SIZE\s+BUS\s+MEDIA\s+BITLOCKER\s+PARTITIONS\s+STATUS$/,
    );
    expect(lines[1]).toMatch(
      /^\/dev\/sdb\s+WD-WMATV123456\s+WDC WD40EFRX-68N32N0\s+3\.64 TiB\s+SATA\s+HDD\s+encrypted\s+sdb1 BitLocker 3\.6 TiB\s+ok$/,
    );
    expect(lines).toHaveLength(2);
  });

  it('at 80 columns: a short row and the status and partitions under it, no line over 80', () => {
    const lines = drivesTable([disk({}), system], 80);
    for (const l of lines) expect(textWidth(l), l).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^DISK\s+SIZE\s+BUS\s+BITLOCKER\s+SERIAL\s+MODEL$/);
    expect(lines[1]).toMatch(
      /^\/dev\/sdb\s+3\.64 TiB\s+SATA\s+encrypted\s+WD-WMATV123456\s+WDC WD40EFRX-68N32N0$/,
    );
    expect(lines[2]).toBe('  ok');
    expect(lines[3]).toBe('  media HDD; partitions: sdb1 BitLocker 3.6 TiB');
    expect(lines[4]).toMatch(/^\/dev\/sda\s+466 GiB\s+SATA\s+none\s+S4EVNX0N123456\s+Samsung/);
    expect(lines[5]).toBe('  no: system or boot disk; mounted at /, /boot/efi');
    expect(lines.join('\n')).toContain('sda2 ext4 465 GiB');
  });

  it('cuts a model too long for the row with an ellipsis, and wraps long reasons', () => {
    const long = disk({
      model: 'loop: /tmp/diskprep-looplab-a-very-long-folder-name/bitlk-aes-xts-128-ntfs.img',
      reasons: [
        'not SATA (loop): the service takes SATA drives only',
        'in use: E:\\, F:\\ (to let diskprep erase it, save what is on it, then remove its drive letters)',
      ],
      eligible: false,
    });
    const lines = drivesTable([long], 80);
    for (const l of lines) expect(textWidth(l), l).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/…$/);
    expect(lines.filter((l) => l.startsWith('    ')).length).toBeGreaterThan(0);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('remove its drive letters)');
  });

  it('sizes in one unit system (binary), never a decimal size beside them', () => {
    const text = drivesTable([disk({}), system], 80).join('\n');
    expect(text).not.toMatch(/\d (kB|MB|GB|TB)\b/);
  });

  it('moves the model under the row when too little of it would show (Windows paths, ciphers)', () => {
    const win = disk({
      path: '\\\\.\\PHYSICALDRIVE0',
      serial: 'S62ANJ0R123456A',
      model: 'Samsung SSD 870 EVO 500GB',
      bitlocker: 'unlocked',
      partitions: [
        {
          path: '1',
          label: undefined,
          bitlocker: 'unlocked',
          driveLetter: 'C',
          encryptionMethod: 'XtsAes128',
          sizeBytes: 465 * GiB,
          fsType: 'NTFS',
          mountpoints: ['C:\\'],
        },
        ...Array.from({ length: 3 }, (_, i) => ({
          path: String(i + 2),
          label: undefined,
          bitlocker: 'none' as const,
          sizeBytes: 16 * 1024 * 1024,
          fsType: 'NTFS',
          mountpoints: [],
        })),
      ],
    });
    const lines = drivesTable([win], 80);
    fitsAll(lines);
    expect(lines[0]).toMatch(/^DISK\s+SIZE\s+BUS\s+BITLOCKER\s+SERIAL$/);
    expect(lines[1]).toMatch(/unlocked XtsAes128\s+S62ANJ0R123456A$/);
    const details = lines.slice(3).join('\n');
    expect(details).toMatch(/^ {2}model Samsung SSD 870 EVO 500GB; media HDD; partitions: /);
    // A partition is never split across lines (its size stays with its unit).
    for (const l of lines) expect(l).not.toMatch(/(NTFS|\d)$/);
    expect(details).toContain('C: NTFS 465 GiB');
  });
});

function fitsAll(lines: string[]): void {
  for (const l of lines) expect(textWidth(l), l).toBeLessThanOrEqual(80);
}
