/**
 * `verify --drive` on a real BitLocker volume (made by Windows) on a loop device: the built
 * binary prepares it offline, releases it, then verify unlocks it read-only itself (dislocker
 * --readonly + ntfs-3g ro), checks it against the journal and leaves it locked and unmounted,
 * the image byte for byte as it was. A byte flipped through a read-write mount is reported.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDrive } from '../../src/disk/openDrive.ts';
import { canRun, LoopLab, mountsUnder, realDeps, XTS_KEY } from '../disk/loopImages.ts';
import { execa } from 'execa';
import { BIN, runCli } from '../helpers/cli.ts';
import { pseudoRandom, writeJob, writeTree } from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
const DRIVE_ID = 'WD-VERIFY0001';
let lab: LoopLab;
let dev = '';
let image = '';
let staging = '';
let home = '';
// Mounts go under this file's own temp dir: other tests on the machine mount under /tmp too.
let tmp = '';
const env = () => ({ DISKPREP_HOME: home, TMPDIR: tmp });

const md5File = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');
const leftMounted = () => mountsUnder(path.join(tmp, 'diskprep-bitlocker-'));

describe.skipIf(!canRun)(
  'diskprep verify --drive on a loop-mounted BitLocker volume (root)',
  () => {
    beforeAll(async () => {
      lab = new LoopLab();
      image = lab.unpackNtfs('bitlk-aes-xts-128-ntfs');
      dev = lab.attach(image);
      staging = tempDir('vd-stg');
      home = tempDir('vd-home');
      tmp = tempDir('vd-tmp');
      // The test's own read-write mount (openDrive in this process) goes there too.
      process.env.TMPDIR = tmp;
      writeTree(staging, {
        'big.bin': pseudoRandom(5 * MiB, 7),
        // Long enough to read that a Ctrl-C lands in the middle of it.
        'huge.bin': pseudoRandom(20 * MiB, 8),
        'docs/a.txt': 'hello\n',
      });
      writeJob(staging);
      // A desktop's disk service or a udev probe keeps the device open: closing it after the
      // copy is then not the last close, which would have written the cache to the disk.
      const held = fs.openSync(dev, 'r');
      const r = await runCli(
        [
          `s:${staging}`,
          '--drive',
          dev,
          '--drive-id',
          DRIVE_ID,
          '--already-encrypted',
          '--already-formatted',
          '--bitlocker-key',
          XTS_KEY,
          '--offline',
          '--yes',
        ],
        { env: env() },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(leftMounted()).toEqual([]);
      // Ready means on the medium: nothing of the copy is left in the device's page cache (the
      // backing image reads the same before and after the device is fsynced), so a drive pulled
      // as soon as diskprep is done holds everything.
      const written = md5File(image);
      await execa('sync', [dev]);
      fs.closeSync(held);
      expect(md5File(image)).toBe(written);
    });
    afterAll(() => {
      lab?.dispose();
      for (const d of [staging, home, tmp]) if (d) fs.rmSync(d, { recursive: true, force: true });
    });

    it('unlocks read-only, matches the journal, and leaves the disk locked, unmounted and unmodified; the key may come from the journal', async () => {
      const before = md5File(image);
      const r = await runCli(
        ['verify', '--drive', dev, '--bitlocker-key', XTS_KEY, `s:${staging}`, '--json'],
        { env: env() },
      );
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        ok: true,
        drive: dev,
        counts: { drives: 1, entries: 3, files: 3, bytes: 25 * MiB + 6, mismatches: 0 },
        drives: [
          {
            drive: dev,
            driveId: DRIVE_ID,
            manifestHashChecked: true,
            journal: { job: 'job1', files: 3 },
            directIo: true,
          },
        ],
        mismatches: [],
      });
      expect(r.stdout + r.stderr).not.toContain(XTS_KEY);
      expect(leftMounted()).toEqual([]);
      expect(lab.attached()).toEqual([dev]);
      expect(md5File(image)).toBe(before);

      // No --bitlocker-key: the journal records the drive and its key.
      const fromJournal = await runCli(
        ['verify', '--drive', dev, '--drive-id', DRIVE_ID, `s:${staging}`],
        { env: env() },
      );
      expect(fromJournal.exitCode, fromJournal.stderr).toBe(0);
      expect(fromJournal.stderr).toContain(
        `the BitLocker key of drive ${DRIVE_ID} comes from the journal of job job1`,
      );
      expect(fromJournal.stdout).toMatch(/unlocked read-only.*3 files.*matches the journal/);
      expect(fromJournal.stdout + fromJournal.stderr).not.toContain(XTS_KEY);

      // Neither: a script is told which flag to pass (exit 3), nothing is mounted.
      const none = await runCli(['verify', '--drive', dev], { env: env() });
      expect(none.exitCode).toBe(3);
      expect(none.stderr).toContain('--bitlocker-key');
      expect(leftMounted()).toEqual([]);
      expect(md5File(image)).toBe(before);
    });

    it('Ctrl-C in the middle of the reads exits 130 and leaves the disk locked and unmounted', async () => {
      const before = md5File(image);
      const child = execa(
        process.execPath,
        [BIN, 'verify', '--drive', dev, '--bitlocker-key', XTS_KEY, `s:${staging}`],
        { reject: false, env: { NO_COLOR: '1', ...env() } },
      );
      let ended = false;
      void child.finally(() => (ended = true));
      // The NTFS mount appears once the volume is unlocked; the reads start right after it.
      while (!leftMounted().some((m) => m.endsWith('/ntfs'))) {
        expect(ended).toBe(false);
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGINT');
      const r = await child;
      expect(r.exitCode, String(r.stderr)).toBe(130);
      expect(leftMounted()).toEqual([]);
      expect(lab.attached()).toEqual([dev]);
      expect(md5File(image)).toBe(before);
    });

    it('reports a byte flipped on the drive with its file and offset', async () => {
      const { deps } = realDeps();
      const vol = await openDrive(deps, {
        spec: dev,
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: XTS_KEY,
        driveId: DRIVE_ID,
        confirm: () => Promise.resolve(true),
      });
      try {
        const fd = fs.openSync(path.join(vol.mountPath, 'job1', 'big.bin'), 'r+');
        const b = Buffer.alloc(1);
        fs.readSync(fd, b, 0, 1, 4 * MiB + 100);
        b[0] = b[0]! ^ 0x01;
        fs.writeSync(fd, b, 0, 1, 4 * MiB + 100);
        fs.closeSync(fd);
      } finally {
        await vol.release();
      }
      const r = await runCli(
        ['verify', '--drive', dev, '--bitlocker-key', XTS_KEY, `s:${staging}`, '--json'],
        { env: env() },
      );
      expect(r.exitCode, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).mismatches).toEqual([
        expect.objectContaining({
          target: dev,
          file: '\\job1\\big.bin',
          problem: 'hash',
          offset: 4 * MiB,
        }),
      ]);
      expect(leftMounted()).toEqual([]);
    });
  },
);
