/**
 * verify reads the medium, not the page cache: after a verify of a freshly mounted ext4 volume
 * (root: a loop device), `fincore` finds none of the verified file in memory; the same verify
 * with DISKPREP_DIRECT_IO=0 (buffered) leaves all of it there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { Volumes } from '../helpers/volumes.ts';
import { offlinePrepareArgs, pseudoRandom, writeJob, writeTree } from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
const canRun = process.getuid?.() === 0;
const volumes = new Volumes();
let staging = '';
let target = '';

/** Bytes of `file` in the page cache. */
const resident = (file: string) =>
  Number(execFileSync('fincore', ['-bno', 'RES', file], { encoding: 'utf8' }).trim());

/** Unmounts and mounts the volume again: nothing of it stays cached. */
function remount(dir: string): void {
  execFileSync('umount', [dir]);
  execFileSync('mount', ['-o', 'loop', `${dir}.img`, dir]);
}

describe.skipIf(!canRun)('verify uses direct I/O (root, ext4 on a loop device)', () => {
  beforeAll(async () => {
    staging = tempDir('dio-stg');
    target = volumes.make('ext4', 32);
    writeTree(staging, { 'big.bin': pseudoRandom(8 * MiB, 5) });
    writeJob(staging);
    const r = await runCli(offlinePrepareArgs(staging, target, 'DIO1'));
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterAll(() => {
    volumes.cleanup();
    fs.rmSync(staging, { recursive: true, force: true });
  });

  it('a direct verify leaves the file out of the page cache, a buffered one does not', async () => {
    const big = path.join(target, 'job1', 'big.bin');
    remount(target);
    expect(resident(big)).toBe(0);
    const direct = await runCli(['verify', '--target', target, `s:${staging}`, '--json']);
    expect(direct.exitCode, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout).drives[0].directIo).toBe(true);
    expect(resident(big)).toBe(0);

    remount(target);
    const buffered = await runCli(['verify', '--target', target, `s:${staging}`, '--json'], {
      env: { DISKPREP_DIRECT_IO: '0' },
    });
    expect(buffered.exitCode, buffered.stderr).toBe(0);
    expect(JSON.parse(buffered.stdout).drives[0].directIo).toBe(false);
    expect(resident(big)).toBe(8 * MiB);
  });
});
