/**
 * A disk is claimed before anything touches it: a dislocker started by hand on a real loop
 * device (its FUSE mount's source is "dislocker", so the disk itself does not look mounted) is
 * found by its command line and refused with how to free it; a second claim by another process
 * is refused naming the holder; an opened volume holds its claim until released.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimDisk, diskLockName } from '../../src/disk/diskClaim.ts';
import { listDisks } from '../../src/disk/listDisks.ts';
import { openDrive } from '../../src/disk/openDrive.ts';
import { DiskprepError } from '../../src/errors.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { canRun, dislockersOf, LoopLab, realDeps, XTS_KEY } from './loopImages.ts';

let lab: LoopLab | undefined;
afterEach(() => {
  lab?.dispose();
  lab = undefined;
});

describe.skipIf(!canRun)(
  'disk claims and identity guards on a real loop device (root, dislocker)',
  () => {
    it('refuses a disk a hand-started dislocker has unlocked, naming its pid and mount, and leaves no lock behind', async () => {
      lab = new LoopLab();
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const locks = tempDir('locks', lab.dir);
      const mnt = tempDir('hand', lab.dir);
      execFileSync('dislocker', ['-q', '-V', dev, `-p${XTS_KEY}`, '--', mnt]);
      try {
        const { deps } = realDeps({ env: { DISKPREP_LOCK_DIR: locks } });
        const disk = (await listDisks(deps)).find((d) => d.path === dev)!;
        expect(disk.mountpoints).toEqual([]);
        const err = await claimDisk(deps, disk, { command: 'prepare' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DiskprepError);
        expect((err as DiskprepError).exitCode).toBe(2);
        expect((err as Error).message).toMatch(
          new RegExp(`^disk ${dev} is in use: dislocker \\(pid \\d+\\) has it unlocked at ${mnt}$`),
        );
        expect((err as DiskprepError).hint).toContain(`umount ${mnt}`);
        expect(fs.readdirSync(locks)).toEqual([]);
      } finally {
        execFileSync('umount', [mnt]);
      }
      // Free again: claimed, and a second process is refused until it is released.
      const { deps } = realDeps({ env: { DISKPREP_LOCK_DIR: locks } });
      const disk = (await listDisks(deps)).find((d) => d.path === dev)!;
      const claim = await claimDisk(deps, disk, { command: 'prepare' });
      expect(fs.readdirSync(locks)).toEqual([diskLockName(dev)]);
      const other = realDeps({
        env: { DISKPREP_LOCK_DIR: locks },
        processes: { pid: 1, hostname: os.hostname(), alive: () => true },
      }).deps;
      await expect(claimDisk(other, disk, { command: 'prepare' })).rejects.toThrow(
        `disk ${dev} is in use by diskprep prepare (pid ${process.pid} on ${os.hostname()}`,
      );
      await claim.release();
      expect(fs.readdirSync(locks)).toEqual([]);
    });

    it('an opened volume keeps the disk claimed, with its mount folder recorded, until released', async () => {
      lab = new LoopLab();
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const locks = tempDir('locks', lab.dir);
      const { deps } = realDeps({ env: { DISKPREP_LOCK_DIR: locks } });
      const vol = await openDrive(deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: XTS_KEY,
        driveId: 'WD-CLAIM',
        confirm: () => Promise.resolve(true),
      });
      try {
        const held = JSON.parse(fs.readFileSync(path.join(locks, diskLockName(dev)), 'utf8')) as {
          pid: number;
          command: string;
          extra: { workDir: string };
        };
        expect(held).toMatchObject({ pid: process.pid, command: 'prepare' });
        expect(vol.mountPath).toBe(path.join(held.extra.workDir, 'ntfs'));
        // The Windows-made NTFS inside the test image, and the image's BitLocker GUID.
        expect(vol.identity).toMatchObject({
          bitlockerGuid: '8f595209-f5b9-49a0-85d4-cb8f80258c27',
          sizeBytes: 104857600,
        });
        expect(vol.identity.ntfsSerial).toMatch(/^[0-9A-F]{16}$/);
      } finally {
        await vol.release();
      }
      expect(fs.readdirSync(locks)).toEqual([]);
      expect(dislockersOf(dev)).toEqual([]);
    });

    it('openDrive refuses to format or fill a drive a journal records, and a resume onto another volume, leaving the NTFS as it was', async () => {
      lab = new LoopLab();
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const { deps, recorded } = realDeps();
      const open = (o: Partial<Parameters<typeof openDrive>[1]>) =>
        openDrive(deps, {
          spec: dev,
          alreadyEncrypted: true,
          alreadyFormatted: true,
          bitlockerKey: XTS_KEY,
          driveId: 'WD-GUARD',
          confirm: () => Promise.resolve(true),
          ...o,
        });
      const first = await open({});
      const serial = first.identity.ntfsSerial!;
      await first.release();
      const theirs = {
        job: 'other01',
        driveId: 'WD-THEIRS',
        index: 0,
        complete: false,
        files: 5,
        identity: { ntfsSerial: serial },
      };

      // Another job's partly filled drive: not formatted, not filled.
      for (const alreadyFormatted of [false, true]) {
        const err = (await open({ alreadyFormatted, protectedDrives: [theirs] }).catch(
          (e: unknown) => e,
        )) as DiskprepError;
        expect(err.exitCode).toBe(2);
        expect(err.message).toBe(
          `refusing ${dev}: it is drive WD-THEIRS, drive 1 of job "other01", partly filled (5 files)`,
        );
      }
      // A resume onto another volume (the NTFS serial differs), and a resume asked to format.
      const wrong = (await open({ expect: { ntfsSerial: '0000000000000001' } }).catch(
        (e: unknown) => e,
      )) as DiskprepError;
      expect(wrong.message).toBe(
        `${dev} is not drive WD-GUARD, whose copy is being resumed (NTFS volume serial ${serial} here, 0000000000000001 recorded)`,
      );
      const before = recorded.commands.length;
      await expect(
        open({ alreadyFormatted: false, expect: { ntfsSerial: serial } }),
      ).rejects.toThrow(`refusing to format ${dev}: it is drive WD-GUARD, partly filled`);
      expect(recorded.commands.slice(before).map((c) => c.command)).not.toContainEqual(
        expect.stringMatching(/cryptsetup|dislocker|mkntfs/),
      );
      expect(recorded.commands.map((c) => c.command)).not.toContainEqual(
        expect.stringMatching(/^mkntfs/),
      );
      expect(dislockersOf(dev)).toEqual([]);

      // The recorded drive itself resumes: same volume, nothing formatted.
      const resumed = await open({ expect: { ntfsSerial: serial }, protectedDrives: [] });
      expect(resumed.identity.ntfsSerial).toBe(serial);
      await resumed.release();
    });
  },
);
