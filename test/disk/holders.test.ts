/**
 * Linux side of "never the disk diskprep keeps data on": the disk holding the staging location
 * (or the journal) is found through the mount that contains it, after resolving symlinks, and
 * refused naming why; bridge placeholder serials are flagged on Linux too.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEligible } from '../../src/disk/eligibility.ts';
import { diskHolding, markHolders } from '../../src/disk/holders.ts';
import { parseLsblk } from '../../src/disk/linux/lsblk.ts';
import { isPlaceholderSerial } from '../../src/disk/serial.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A root disk, a data disk mounted at `dataMount`, a blank disk in a bridge that says 0000... */
function machine(dataMount: string) {
  const json = JSON.stringify({
    blockdevices: [
      {
        name: 'sda',
        type: 'disk',
        size: 500107862016,
        tran: 'sata',
        serial: 'S62ANJ0R123456A',
        model: 'Samsung SSD 870',
        children: [{ name: 'sda1', type: 'part', size: 500106813440, mountpoints: ['/'] }],
      },
      {
        name: 'sdb',
        type: 'disk',
        size: 8001563222016,
        tran: 'sata',
        serial: 'WD-CA1STAGE',
        model: 'WDC WD80EFZZ',
        children: [{ name: 'sdb1', type: 'part', size: 8001561124864, mountpoints: [dataMount] }],
      },
      {
        name: 'sdc',
        type: 'disk',
        size: 4000787030016,
        tran: 'usb',
        serial: '000000000000',
        model: 'ASMT 2115',
      },
    ],
  });
  return parseLsblk(json, { swaps: [], mounts: new Map(), fsTypes: new Map(), models: new Map() });
}

describe('the disk holding the staging location (Linux)', () => {
  it('is found through the longest containing mount, after resolving a symlink, and refused', async () => {
    dir = await mkdtemp(join(tmpdir(), 'holders-'));
    const mount = join(dir, 'data');
    await mkdir(join(mount, 'staging'), { recursive: true });
    await symlink(join(mount, 'staging'), join(dir, 'link'));
    const disks = machine(mount);
    const { deps } = fakeDeps({ cwd: dir });
    // Named through a symlink that lives on the root disk: the data is on sdb.
    await markHolders(deps, disks, [{ what: 'the staging location', path: 'link' }]);
    const [sda, sdb, sdc] = disks;
    expect(sdb!.holds).toEqual([`the staging location ${join(dir, 'link')}`]);
    expect(checkEligible(sdb!).reasons).toEqual([
      `holds the staging location ${join(dir, 'link')}`,
      `mounted at ${mount}`,
    ]);
    expect(sda!.holds).toBeUndefined();
    expect(sdc!.holds).toBeUndefined();
    expect(diskHolding(disks, '/etc/hosts', false)?.path).toBe('/dev/sda');
    expect(diskHolding(disks, `${mount}x/y`, false)?.path).toBe('/dev/sda');
  });

  it('flags a bridge placeholder serial on Linux as on Windows', () => {
    const sdc = machine('/srv')[2]!;
    expect(checkEligible(sdc).warnings).toContain(
      "serial 000000000000 is a placeholder (a USB bridge's, not the drive's): pass --drive-id with the serial on the drive's label",
    );
    expect(
      [
        '00000000',
        'FFFFFFFFFFFF',
        '0123456789ABCDEF',
        '123456789012',
        'WD-WCC7K4PLX8TJ',
        'S6PNNS0T512345K',
      ].map(isPlaceholderSerial),
    ).toEqual([true, true, true, true, false, false]);
  });
});
