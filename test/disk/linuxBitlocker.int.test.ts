/**
 * The Linux backend against real BitLocker volumes (made by Windows) on real loop devices:
 * enumerate, unlock, write through the NTFS, unmount, unlock again and read back (also through
 * libbde as an independent reader), and every refusal, with cleanup checked after each.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkEligible } from '../../src/disk/eligibility.ts';
import { listDisksWithEligibility } from '../../src/disk/listDisks.ts';
import { openDrive } from '../../src/disk/openDrive.ts';
import type { PreparedVolume } from '../../src/disk/types.ts';
import { DiskprepError } from '../../src/errors.ts';
import {
  canRun,
  ELEPHANT_KEY,
  LoopLab,
  missingForLoopTests,
  missingHere,
  mountsUnder,
  realDeps,
  XTS_KEY,
} from './loopImages.ts';

const yes = async () => true;
// openLinux makes its work folders under os.tmpdir(): a private TMPDIR for this file, so the
// "nothing left mounted" checks see only this file's mounts, not those of tests running beside it.
const PRIVATE_TMP = mkdtempSync(join(tmpdir(), 'diskprep-linuxbl-'));
process.env.TMPDIR = PRIVATE_TMP;
// Removed only when nothing is mounted under it: a volume left mounted must stay visible.
afterAll(() => {
  if (mountsUnder(PRIVATE_TMP).length === 0) rmSync(PRIVATE_TMP, { recursive: true, force: true });
});
const WORK_PREFIX = join(tmpdir(), 'diskprep-bitlocker-');

/** Asserts nothing of a volume is left: no mounts, no temp dir. */
function expectCleanedUp(mountPath?: string): void {
  expect(mountsUnder(WORK_PREFIX)).toEqual([]);
  if (mountPath) expect(existsSync(dirname(mountPath))).toBe(false);
}

async function rejection(p: Promise<unknown>): Promise<DiskprepError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiskprepError);
  return err as DiskprepError;
}

describe.skipIf(!canRun)(
  `Linux BitLocker drives on loop devices (needs root, dislocker, ntfs-3g, FUSE${canRun ? '' : `; missing here: ${missingHere.join(', ')}`})`,
  () => {
    let lab: LoopLab;
    beforeEach(() => {
      lab = new LoopLab();
    });
    afterEach(() => {
      lab.dispose();
      expect(lab.attached()).toEqual([]);
    });

    it('lists a loop device with its size and BitLocker state, refused unless named by path', async () => {
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const { deps } = realDeps();
      const disks = await listDisksWithEligibility(deps, { all: true });
      const loop = disks.find((d) => d.path === dev);
      expect(loop).toMatchObject({
        sizeBytes: 104857600,
        bitlocker: 'encrypted',
        bus: 'loop',
        kind: 'loop',
        eligible: false,
      });
      expect(loop!.reasons.join()).toContain('not SATA');
      expect(loop!.model).toContain('bitlk-aes-xts-128-ntfs.img');
      expect(checkEligible(loop!, { explicitPath: true })).toMatchObject({ reasons: [] });
      // Without --all, loop devices are not listed.
      expect(
        (await listDisksWithEligibility(deps, { all: false })).some((d) => d.path === dev),
      ).toBe(false);
    });

    it('unlocks with the recovery password, writes through the NTFS, and reads back after a new unlock and through libbde', async () => {
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const { deps, recorded } = realDeps();
      const vol = await openDrive(deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: XTS_KEY,
        driveId: 'WD-TEST123',
        confirm: yes,
      });
      expect(vol).toMatchObject({
        driveId: 'WD-TEST123',
        bitlockerKey: XTS_KEY,
        sizeBytes: 104857600,
        dryRun: false,
      });
      expect(await readFile(join(vol.mountPath, 'hello.txt'), 'utf8')).toBe(
        'Hello from a BitLocker-encrypted NTFS volume.\n',
      );
      const payload = Buffer.alloc(3 * 1024 * 1024, 7);
      await writeFile(join(vol.mountPath, 'written.bin'), payload);
      await vol.release();
      await vol.release(); // idempotent
      expectCleanedUp(vol.mountPath);
      expect(recorded.stderr.join('\n')).toContain('accepted because it was named by path');
      // The key never reached a command line.
      expect(recorded.stderr.join('\n')).not.toContain(XTS_KEY);

      const again = await openDrive(realDeps().deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: XTS_KEY,
        driveId: 'WD-TEST123',
        confirm: yes,
      });
      expect((await readFile(join(again.mountPath, 'written.bin'))).equals(payload)).toBe(true);
      await again.release();
      expectCleanedUp(again.mountPath);

      // Independent reader: libbde's bdemount (read-only), then ntfs-3g read-only.
      const bde = mkdtempSync(join(tmpdir(), 'diskprep-bde-'));
      const ntfs = mkdtempSync(join(tmpdir(), 'diskprep-bde-ntfs-'));
      try {
        execFileSync('bdemount', ['-r', XTS_KEY, dev, bde]);
        execFileSync('ntfs-3g', ['-o', 'ro', join(bde, 'bde1'), ntfs]);
        expect(readFileSync(join(ntfs, 'written.bin')).equals(payload)).toBe(true);
      } finally {
        execFileSync('sh', [
          '-c',
          `umount ${ntfs} 2>/dev/null; sleep 0.3; umount ${bde} 2>/dev/null; true`,
        ]);
        rmSync(ntfs, { recursive: true, force: true });
        rmSync(bde, { recursive: true, force: true });
      }
    });

    it('makes a fresh NTFS that ends before the first FVE metadata region, with a random volume serial, writable and readable again', async () => {
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-cbc-elephant-128-ntfs'));
      const { deps, recorded } = realDeps();
      const ran: string[][] = [];
      const run = deps.exec.run.bind(deps.exec);
      deps.exec.run = (file, args, o) => (ran.push([file, ...args]), run(file, args, o));
      const vol = await openDrive(deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: false,
        bitlockerKey: ELEPHANT_KEY,
        driveId: 'SER1',
        confirm: yes,
        label: 'FRESH',
      });
      // First metadata region at 34603008 (README): the NTFS stops there.
      expect(vol.fileSystemBytes).toBe(34603008);
      // mkntfs alone seeds the serial with the time in seconds (two drives formatted in the
      // same second were one drive to the identity checks): a random one is set, and read back.
      const serial = ran.find((c) => c[0] === 'ntfslabel')?.[1]?.split('=')[1];
      expect(serial).toMatch(/^[0-9a-f]{16}$/);
      expect(vol.identity.ntfsSerial).toBe(serial!.toUpperCase());
      expect(recorded.stderr.join('\n')).toContain(
        "must end before BitLocker's first metadata region",
      );
      expect(existsSync(join(vol.mountPath, 'hello.txt'))).toBe(false);
      // Bigger than the first 1/3 of the volume would fail if the NTFS overlapped the metadata.
      const data = Buffer.alloc(20 * 1024 * 1024, 0x5a);
      await writeFile(join(vol.mountPath, 'big.bin'), data);
      await vol.release();
      expectCleanedUp(vol.mountPath);
      const again = await openDrive(realDeps().deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: ELEPHANT_KEY,
        driveId: 'SER1',
        confirm: yes,
      });
      expect((await readFile(join(again.mountPath, 'big.bin'))).equals(data)).toBe(true);
      await again.release();
      expectCleanedUp();
      // BitLocker metadata intact: the key still tests good.
      expect(() =>
        execFileSync(
          'cryptsetup',
          ['bitlkOpen', '-r', dev, '--test-passphrase', '--key-file', '-'],
          { input: ELEPHANT_KEY },
        ),
      ).not.toThrow();
    });

    it('two drives formatted at the same moment get NTFS volume serials of their own (mkntfs alone gives both the same within a second)', async () => {
      const devs = [
        { dev: lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs')), key: XTS_KEY },
        { dev: lab.attach(lab.unpackNtfs('bitlk-aes-cbc-elephant-128-ntfs')), key: ELEPHANT_KEY },
      ];
      const vols = await Promise.all(
        devs.map((d, i) =>
          openDrive(realDeps().deps, {
            spec: d.dev,
            alreadyEncrypted: true,
            alreadyFormatted: false,
            bitlockerKey: d.key,
            driveId: `TWIN${i + 1}`,
            confirm: yes,
          }),
        ),
      );
      const serials = vols.map((v) => v.identity.ntfsSerial);
      for (const v of vols) await v.release();
      expectCleanedUp();
      expect(serials[0]).toMatch(/^[0-9A-F]{16}$/);
      expect(serials[1]).toMatch(/^[0-9A-F]{16}$/);
      expect(serials[0]).not.toBe(serials[1]);
    });

    it('refuses a wrong key before mounting anything, without printing the key', async () => {
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const wrong = '000000-357951-253979-013365-241120-245575-342914-591910';
      const err = await rejection(
        openDrive(realDeps().deps, {
          spec: dev,
          alreadyEncrypted: true,
          alreadyFormatted: true,
          bitlockerKey: wrong,
          driveId: 'X1',
          confirm: yes,
        }),
      );
      expect(err).toMatchObject({ code: 'ERR_DISKPREP_WRONG_KEY', exitCode: 2 });
      expect(`${err.message} ${err.hint}`).not.toContain(wrong);
      expectCleanedUp();
    });

    it('refuses a volume without a recovery-password protector (clearkey-only image)', async () => {
      const dev = lab.attach(lab.unpackOriginal('bitlk-aes-xts-128-clearkey-only'));
      const err = await rejection(
        openDrive(realDeps().deps, {
          spec: dev,
          alreadyEncrypted: true,
          alreadyFormatted: true,
          bitlockerKey: XTS_KEY,
          driveId: 'X1',
          confirm: yes,
        }),
      );
      expect(err).toMatchObject({ code: 'ERR_DISKPREP_NO_RECOVERY_PASSWORD', exitCode: 5 });
      expect(err.message).toContain('protectors: clear key');
      expectCleanedUp();
    });

    it('refuses the system disk', async () => {
      const { deps } = realDeps();
      const root = (await listDisksWithEligibility(deps, { all: true })).find((d) => d.system);
      expect(root?.path, 'this machine has a disk holding /').toMatch(/^\/dev\/\S+$/);
      const err = await rejection(
        openDrive(deps, {
          spec: root!.path,
          alreadyEncrypted: true,
          alreadyFormatted: true,
          bitlockerKey: XTS_KEY,
          driveId: 'X1',
          confirm: yes,
        }),
      );
      expect(err).toMatchObject({ code: 'ERR_DISKPREP_DISK_REFUSED', exitCode: 2 });
      expect(err.message).toContain('system or boot disk');
    });

    it('says a blank drive cannot be encrypted on Linux, with the fix', async () => {
      const dev = lab.attach(lab.blank(64 * 1024 * 1024));
      const err = await rejection(
        openDrive(realDeps().deps, {
          spec: dev,
          alreadyEncrypted: false,
          alreadyFormatted: false,
          driveId: 'X1',
          confirm: yes,
        }),
      );
      expect(err).toMatchObject({ code: 'ERR_DISKPREP_CANNOT_ENCRYPT', exitCode: 5 });
      expect(err.hint).toContain('--already-encrypted');
    });

    it('cleans up after a failure half-way (dislocker mounted, NTFS unreadable)', async () => {
      // The trimmed original image: blkid sees an NTFS boot sector, ntfs-3g fails on the missing MFT.
      const dev = lab.attach(lab.unpackOriginal('bitlk-aes-xts-128'));
      const { deps, recorded } = realDeps();
      const err = await rejection(
        openDrive(deps, {
          spec: dev,
          alreadyEncrypted: true,
          alreadyFormatted: true,
          bitlockerKey: XTS_KEY,
          driveId: 'X1',
          confirm: yes,
        }),
      );
      expect(err.exitCode).toBe(5);
      expect(recorded.stderr.join('\n')).not.toContain(XTS_KEY);
      expectCleanedUp();
    });

    it('cleans up when the abort signal fires while mounted and in the middle of opening', async () => {
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const controller = new AbortController();
      const { deps } = realDeps({ signal: controller.signal });
      const vol: PreparedVolume = await openDrive(deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: XTS_KEY,
        driveId: 'X1',
        confirm: yes,
      });
      expect(mountsUnder(dirname(vol.mountPath))).toHaveLength(2);
      controller.abort();
      await vol.release(); // waits for the cleanup the abort started
      expectCleanedUp(vol.mountPath);

      // Abort just before ntfs-3g runs (dislocker already mounted).
      const c2 = new AbortController();
      const made = realDeps({ signal: c2.signal });
      const real = made.deps.exec;
      made.deps.exec = {
        dryRun: false,
        run: (file, args, opts) => {
          if (file === 'ntfs-3g') c2.abort();
          return real.run(file, args, opts);
        },
      };
      const err = await rejection(
        openDrive(made.deps, {
          spec: dev,
          alreadyEncrypted: true,
          alreadyFormatted: true,
          bitlockerKey: XTS_KEY,
          driveId: 'X1',
          confirm: yes,
        }),
      );
      expect(err.exitCode).toBe(130);
      expectCleanedUp();
    });

    it('--dry-run prints the disk-changing commands and runs none of them', async () => {
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const before = execFileSync('sha256sum', [dev], { encoding: 'utf8' });
      const { deps, recorded } = realDeps({ dryRun: true });
      const vol = await openDrive(deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: false,
        bitlockerKey: XTS_KEY,
        driveId: 'X1',
        confirm: yes,
      });
      expect(vol.dryRun).toBe(true);
      const printed = recorded.stderr.filter((l) => l.startsWith('! '));
      expect(printed.map((l) => l.split(' ')[1])).toEqual([
        'dislocker',
        'mkntfs',
        'ntfslabel',
        'ntfs-3g',
      ]);
      expect(mountsUnder(WORK_PREFIX)).toEqual([]);
      await vol.release();
      expectCleanedUp(vol.mountPath);
      expect(execFileSync('sha256sum', [dev], { encoding: 'utf8' })).toBe(before);
    });
  },
);

describe('the gate of the Linux BitLocker tests', () => {
  const all = { uid: 0, has: () => true, fuse: true };
  it('names each missing prerequisite, root first, and nothing when all are there', () => {
    expect(missingForLoopTests(all)).toEqual([]);
    expect(missingForLoopTests({ ...all, uid: 1000 })).toEqual(['root']);
    expect(missingForLoopTests({ ...all, uid: undefined })).toEqual(['root']);
    expect(missingForLoopTests({ ...all, has: (t) => t !== 'ntfs-3g' })).toEqual(['ntfs-3g']);
    expect(missingForLoopTests({ uid: 1000, has: () => false, fuse: false })).toEqual([
      'root',
      'dislocker',
      'ntfs-3g',
      'cryptsetup',
      '/dev/fuse',
    ]);
  });

  // A machine that must run them (DISKPREP_REQUIRE_LOOP_TESTS=1) fails here instead of skipping.
  it.runIf(process.env.DISKPREP_REQUIRE_LOOP_TESTS === '1')(
    'this machine has everything the loop-device tests need',
    () => {
      expect(missingHere).toEqual([]);
    },
  );
});
void writeFileSync;
