/**
 * Parsers of the Linux backend against output recorded on the CI machine (lsblk with a
 * BitLocker loop device attached; bitlkDump of cryptsetup's Windows-made test images).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEligible } from '../../src/disk/eligibility.ts';
import {
  dislockerFvekFile,
  hasRecoveryPassword,
  parseBitlkDump,
  parseVolumeKeyDump,
} from '../../src/disk/linux/bitlk.ts';
import {
  parseLsblk,
  parseProcMounts,
  parseProcSwaps,
  type LinuxProbe,
} from '../../src/disk/linux/lsblk.ts';
import { ntfsSectorsFor } from '../../src/disk/linux/openLinux.ts';
import { isRecoveryPassword, parseRecoveryPassword } from '../../src/disk/recoveryPassword.ts';
import { confirmDisk } from '../../src/disk/selectDisk.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const fx = (name: string) => readFileSync(join(REPO_ROOT, 'test/fixtures/linux', name), 'utf8');
const probe = (over: Partial<LinuxProbe> = {}): LinuxProbe => ({
  swaps: [],
  mounts: new Map(),
  fsTypes: new Map(),
  models: new Map(),
  ...over,
});

describe('lsblk parsing', () => {
  it('reads the recorded machine: the root disk is the system disk, the loop device is BitLocker (via blkid)', () => {
    const loop = fx('lsblk-vda-loop.loopdev').trim();
    const disks = parseLsblk(
      fx('lsblk-vda-loop.json'),
      probe({ fsTypes: new Map([[loop, 'BitLocker']]) }),
    );
    const vda = disks.find((d) => d.path === '/dev/vda')!;
    expect(vda).toMatchObject({ system: true, mountpoints: ['/'], bus: 'virtual', kind: 'disk' });
    expect(disks.find((d) => d.path === loop)).toMatchObject({
      kind: 'loop',
      sizeBytes: 104857600,
      bitlocker: 'encrypted',
      serial: undefined,
    });
  });

  it('finds the system disk through partitions, holders and swap; reads SATA serials without spaces', () => {
    const json = JSON.stringify({
      blockdevices: [
        {
          name: 'sda',
          path: '/dev/sda',
          type: 'disk',
          size: 4000787030016,
          tran: 'sata',
          serial: 'WD-WCC7K4PLX8TJ',
          model: 'WDC WD40EFRX',
          rm: false,
          rota: true,
          mountpoints: [null],
          children: [
            {
              name: 'sda1',
              path: '/dev/sda1',
              type: 'part',
              size: 1000,
              mountpoints: [null],
              children: [
                {
                  name: 'dm-0',
                  path: '/dev/mapper/root',
                  type: 'crypt',
                  size: 1000,
                  mountpoints: ['/'],
                },
              ],
            },
          ],
        },
        {
          name: 'sdb',
          path: '/dev/sdb',
          type: 'disk',
          size: 2000398934016,
          tran: 'sata',
          serial: 'S6PN NS0T 5123',
          model: 'Samsung SSD 870',
          rm: false,
          rota: false,
          mountpoints: [null],
          children: [
            {
              name: 'sdb1',
              path: '/dev/sdb1',
              type: 'part',
              size: 1000,
              fstype: 'BitLocker',
              mountpoints: [null],
            },
          ],
        },
        {
          name: 'sdc',
          path: '/dev/sdc',
          type: 'disk',
          size: 8e12,
          tran: 'sata',
          serial: 'ZA1',
          model: 'ST8000',
          rm: false,
          rota: true,
          mountpoints: [null],
          children: [
            { name: 'sdc1', path: '/dev/sdc1', type: 'part', size: 1000, mountpoints: [null] },
          ],
        },
        {
          name: 'sdd',
          path: '/dev/sdd',
          type: 'disk',
          size: 16e9,
          tran: 'usb',
          serial: 'X',
          model: 'Cruzer',
          rm: true,
          rota: false,
          mountpoints: [null],
        },
        {
          name: 'sde',
          path: '/dev/sde',
          type: 'disk',
          size: 12e12,
          tran: 'sata',
          serial: 'BIG',
          model: 'HUH',
          rm: false,
          rota: true,
          mountpoints: [null],
        },
      ],
    });
    const disks = parseLsblk(
      json,
      probe({
        swaps: ['/dev/sdc1'],
        mounts: parseProcMounts('/dev/sdb1 /mnt/my\\040data ntfs rw 0 0\n'),
      }),
    );
    const [sda, sdb, sdc, sdd, sde] = disks.map((d) => ({ d, e: checkEligible(d) }));
    expect(sda!.e.reasons).toEqual(['system or boot disk', 'mounted at /']);
    expect(sdb!.d).toMatchObject({
      serial: 'S6PNNS0T5123',
      media: 'SSD',
      bitlocker: 'encrypted',
      mountpoints: ['/mnt/my data'],
    });
    expect(sdb!.e.reasons).toEqual(['mounted at /mnt/my data']);
    expect(sdc!.e.reasons).toEqual(['system or boot disk', 'mounted at [SWAP]']);
    expect(sdd!.e.reasons).toEqual(['removable stick (not a SATA drive)']);
    expect(sde!.e.reasons).toEqual([
      'larger than the service takes (at most 10 TB as drives are sold: 9.09 TiB)',
    ]);
  });

  it('reads /proc/swaps', () => {
    expect(
      parseProcSwaps(
        'Filename\tType\tSize\tUsed\tPriority\n/dev/sdc1 partition 100 0 -2\n/swapfile file 1 0 -3\n',
      ),
    ).toEqual(['/dev/sdc1', '/swapfile']);
  });
});

describe('bitlkDump parsing', () => {
  it('finds protectors and metadata offsets; the clearkey-only image has no recovery passphrase', () => {
    const clear = parseBitlkDump(fx('bitlkDump-clearkey-only.txt'));
    expect(clear.protectors.map((p) => p.protection)).toEqual(['clear key']);
    expect(hasRecoveryPassword(clear)).toBe(false);
    expect(clear.metadataOffsets).toEqual([35213312, 46256128, 57909248, 35278848]);
    expect(ntfsSectorsFor(clear)).toBe(35213312 / 512);
    const startup = parseBitlkDump(fx('bitlkDump-startup-key.txt'));
    expect(startup.protectors.map((p) => p.protection)).toContain('recovery passphrase');
    expect(hasRecoveryPassword(startup)).toBe(true);
  });

  it('builds dislocker FVEK files for XTS and CBC+Elephant keys', () => {
    const dump = parseBitlkDump(fx('bitlkDump-clearkey-only.txt'));
    const key = parseVolumeKeyDump(
      'MK bits: 256\nMK dump:\tcc 49 3a d4 03 76 cf 71 9d 37 25 07 3d 5c 1a 6c \n\t\ta5 75 9f c4 ad 17 9c 95 57 2f 16 c0 1a 26 0d 66 \n',
    );
    const file = dislockerFvekFile(dump, key);
    expect(file.length).toBe(66);
    expect(file.readUInt16LE(0)).toBe(0x8004);
    expect(file.subarray(2, 34).toString('hex')).toBe(
      'cc493ad40376cf719d3725073d5c1a6ca5759fc4ad179c95572f16c01a260d66',
    );
    const eleph = dislockerFvekFile({ ...dump, cipherMode: 'cbc-elephant' }, key);
    expect(eleph.readUInt16LE(0)).toBe(0x8000);
    expect(eleph.subarray(34, 50).toString('hex')).toBe('a5759fc4ad179c95572f16c01a260d66');
  });
});

describe('recovery passwords and confirmation', () => {
  it('checks the 8×6 digit shape and the per-group checksum', () => {
    expect(isRecoveryPassword('235818-357951-253979-013365-241120-245575-342914-591910')).toBe(
      true,
    );
    expect(isRecoveryPassword('235819-357951-253979-013365-241120-245575-342914-591910')).toBe(
      false,
    );
    expect(parseRecoveryPassword(' 235818 357951 253979 013365 241120 245575 342914 591910 ')).toBe(
      '235818-357951-253979-013365-241120-245575-342914-591910',
    );
    expect(() => parseRecoveryPassword('nope')).toThrow(/--bitlocker-key/);
  });

  it('--yes needs a named disk; without it the operator is asked and shown model, serial and size', async () => {
    const disk = parseLsblk(
      JSON.stringify({
        blockdevices: [
          {
            name: 'sdb',
            type: 'disk',
            size: 4e12,
            tran: 'sata',
            serial: 'WD-1',
            model: 'WDC WD40',
            rota: true,
          },
        ],
      }),
      probe(),
    )[0]!;
    const scripted = fakeDeps({ answers: { '--yes': true } });
    expect(await confirmDisk(scripted.deps, { yes: false, named: false, erase: true })(disk)).toBe(
      true,
    );
    expect(scripted.asked).toEqual(['--yes']);
    await expect(
      confirmDisk(fakeDeps().deps, { yes: true, named: false, erase: true })(disk),
    ).rejects.toThrow(/--drive/);
    await expect(
      confirmDisk(fakeDeps().deps, { yes: false, named: true, erase: true })(disk),
    ).rejects.toMatchObject({ exitCode: 3 });
    const named = fakeDeps();
    expect(await confirmDisk(named.deps, { yes: true, named: true, erase: true })(disk)).toBe(true);
    expect(named.recorded.stderr.join()).toContain(
      'WDC WD40 (serial WD-1, 3.64 TiB, sold as 4.0 TB, SATA) at /dev/sdb',
    );
  });
});
