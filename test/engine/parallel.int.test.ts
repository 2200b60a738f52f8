/**
 * Several drives filled at once (root: ext4 on loop devices): the plan splits the files between
 * them by the space each has, every drive gets its own manifest and journal record, and one
 * drive running out of space before its plan is that drive's problem only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExec } from '../../src/deps/exec.ts';
import {
  copyJob,
  type CopyJobOptions,
  type NextTarget,
  type TargetSpec,
} from '../../src/engine/copyJob.ts';
import { verifyDrive } from '../../src/engine/verifyDrive.ts';
import { readCopyState } from '../../src/journal/copyState.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import {
  checkManifestAgainstSource,
  KEY1,
  parseManifest,
  pseudoRandom,
  STORAGE_KEY,
  writeJob,
  writeTree,
} from './stagingFixture.ts';
import { Volumes } from '../helpers/volumes.ts';
import { tempDir } from '../helpers/tempDir.ts';

const KiB = 1024;
const isRoot = process.getuid?.() === 0;
const volumes = new Volumes();
afterEach(() => volumes.cleanup());

/** The loop device under the volume mounted at `dir`. */
function loopDeviceOf(dir: string): string {
  return execFileSync('findmnt', ['-n', '-o', 'SOURCE', dir], { encoding: 'utf8' }).trim();
}

/** A provider handing out `targets` in order (undefined after the last). */
function given(targets: string[]): { next: NextTarget; asked: string[] } {
  const asked: string[] = [];
  const specs: TargetSpec[] = targets.map((t, i) => ({
    path: t,
    driveId: `PAR${i + 1}`,
    bitLockerKey: KEY1,
  }));
  return {
    asked,
    next: async (req) => {
      asked.push(`${req.index}:${req.resumeDriveId ?? req.previous?.driveId ?? '-'}`);
      if (req.resumeDriveId) return specs.find((s) => s.driveId === req.resumeDriveId);
      return specs[req.index];
    },
  };
}

/** 60 files of 40-200 KiB in 3 folders (≈ 7 MiB). */
function stagingWithFiles(): { staging: string; files: Record<string, Buffer> } {
  const staging = tempDir('stg');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 60; i++)
    files[`d${i % 3}/f${String(i).padStart(2, '0')}.bin`] = pseudoRandom(
      (40 + ((i * 37) % 160)) * KiB,
      300 + i,
    );
  writeTree(staging, files);
  return { staging, files };
}

/** Each drive's manifest checks against the source and the drive; returns the paths listed. */
async function checkDrives(
  staging: string,
  drives: { root: string; manifestHash: string | undefined }[],
): Promise<string[]> {
  const listed: string[] = [];
  for (const d of drives) {
    const m = parseManifest(path.join(d.root, 'DriveManifest.xml'));
    expect(
      checkManifestAgainstSource(
        m.blobs,
        (fp) => path.join(staging, ...fp.split('\\').filter(Boolean).slice(1)),
        d.root,
      ),
    ).toEqual([]);
    expect((await verifyDrive(d.root, async () => d.manifestHash)).mismatches).toEqual([]);
    listed.push(...m.blobs.map((b) => b.FilePath));
  }
  return listed;
}

function realExecDeps() {
  const f = fakeDeps();
  f.deps.exec = createExec({ dryRun: false, terminal: f.deps.terminal });
  return f;
}

/** Copies job1 of `staging` onto `roots`, `n` drives at once, a commit every `every` files. */
function fill(
  staging: string,
  roots: string[],
  n: number,
  more: Pick<CopyJobOptions, 'commitEvery' | 'onProgress' | 'giveUp'> = {},
) {
  const f = realExecDeps();
  const t = given(roots);
  const run = copyJob(f.deps, {
    staging,
    job: writeJob(staging),
    secrets: { storageAccountKey: STORAGE_KEY },
    nextTarget: t.next,
    drivesAtOnce: n,
    ...more,
  });
  return { run, asked: t.asked, deps: f.deps };
}

/** Drive 2 of `r` holds `kept` files; every drive checks out; the 60 files are listed once. */
async function expectEveryFileOnce(
  staging: string,
  roots: string[],
  r: { drives: { files: number; manifestHash?: string | undefined }[] },
  kept: number,
): Promise<void> {
  expect(r.drives[1]!.files).toBe(kept);
  const listed = await checkDrives(
    staging,
    roots.map((root, i) => ({ root, manifestHash: r.drives[i]!.manifestHash })),
  );
  expect(listed).toHaveLength(60);
  expect(new Set(listed).size).toBe(60);
}

/**
 * Fills `roots` three at once, a commit every 2 files; `act` runs once, between two files of
 * drive 2, when it holds `atFiles` files. Also returns the run's error (undefined on success).
 */
function fillBreakingDrive2(staging: string, roots: string[], atFiles: number, act: () => void) {
  let acted = false;
  const f = fill(staging, roots, 3, {
    commitEvery: { files: 2 },
    onProgress: (p) => {
      const d2 = p.drives?.find((d) => d.index === 1);
      if (!acted && d2 && d2.files >= atFiles) {
        acted = true;
        act();
      }
    },
  });
  const failed = f.run.then(
    () => undefined,
    (e: unknown) => e as { exitCode: number; code: string; message: string; details: unknown },
  );
  return { ...f, failed, acted: () => acted };
}

/** The run ended with exit 5 naming drive 2 alone, failed for `reason` (a regex source), open. */
function expectDrive2Failed(
  err: { exitCode: number; code: string; message: string } | undefined,
  acted: boolean,
  reason: string,
): void {
  expect(acted).toBe(true);
  expect(err).toMatchObject({
    exitCode: 5,
    code: 'ERR_DISKPREP_DRIVE_FAILED',
    details: { drives: [{ drive: 2, driveId: 'PAR2', complete: false }] },
  });
  expect(err!.message).toMatch(
    new RegExp(
      `^drive 2 \\(PAR2\\) failed: ${reason} \\(open, \\d+ files committed\\); complete: PAR1, PAR3; \\d+ files .* still need a drive$`,
    ),
  );
}

/**
 * Fills `roots` three at once until drive 2's volume goes read-only between two of its files
 * (none open), as a failing disk's file system does; it fails alone. Returns the journal then.
 */
async function drive2TurnsReadOnly(staging: string, roots: string[]) {
  const first = fillBreakingDrive2(staging, roots, 4, () =>
    execFileSync('mount', ['-o', 'remount,ro', roots[1]!]),
  );
  expectDrive2Failed(
    await first.failed,
    first.acted(),
    'the volume turned read-only \\(EROFS\\).*',
  );
  return (await readCopyState(first.deps, staging, 'job1'))!;
}

describe.skipIf(!isRoot)('several drives filled at once (ext4 on loop devices)', () => {
  it('3 drives with room to spare: the plan gives each a share, all three fill at the same time, each manifest lists its own files', async () => {
    const { staging, files } = stagingWithFiles();
    const roots = [volumes.make('ext4', 6), volumes.make('ext4', 6), volumes.make('ext4', 16)];
    let most = 0;
    const t = fill(staging, roots, 3, {
      commitEvery: { files: 4 },
      onProgress: (p) => {
        most = Math.max(most, p.drives?.filter((d) => d.files > 0).length ?? 0);
      },
    });
    const r = await t.run;
    expect(t.asked).toEqual(['0:-', '1:-', '2:-']);
    // All three were copying at once (each had files on it while the others still ran).
    expect(most).toBe(3);
    expect(r.files).toBe(60);
    expect(r.drives.map((d) => [d.driveId, d.complete])).toEqual([
      ['PAR1', true],
      ['PAR2', true],
      ['PAR3', true],
    ]);
    // Room for more than the job: each drive got a share (the last took the rest).
    for (const d of r.drives) expect(d.files).toBeGreaterThan(8);
    const listed = await checkDrives(
      staging,
      roots.map((root, i) => ({ root, manifestHash: r.drives[i]!.manifestHash })),
    );
    expect(listed).toHaveLength(60);
    expect(new Set(listed).size).toBe(60);
    expect(listed.map((p) => p.split('\\').slice(2).join('/')).sort()).toEqual(
      Object.keys(files).sort(),
    );
    const state = await readCopyState(t.deps, staging, 'job1');
    expect(state!.pending).toEqual([]);
    expect(state!.drives.map((d) => d.files)).toEqual(r.drives.map((d) => d.files));
  });

  it('one drive filled behind its back runs out of space: it is closed with what it holds, the others complete, exit 5 names it; another drive then takes its files', async () => {
    const { staging } = stagingWithFiles();
    const roots = [volumes.make('ext4', 16), volumes.make('ext4', 6), volumes.make('ext4', 16)];
    // Once drive 2 has a commit, another program takes its free space but room for a manifest.
    const first = fillBreakingDrive2(staging, roots, 3, () => {
      const s = fs.statfsSync(roots[1]!);
      const fd = fs.openSync(path.join(roots[1]!, 'filler'), 'w');
      try {
        fs.writeSync(fd, Buffer.alloc(Number(s.bavail * s.bsize) - 48 * KiB));
      } catch {
        // ENOSPC: full, as wanted
      }
      fs.closeSync(fd);
    });
    const err = await first.failed;
    expect(first.acted()).toBe(true);
    expect(err).toMatchObject({ exitCode: 5, code: 'ERR_DISKPREP_DRIVE_FAILED' });
    expect(err!.message).toMatch(/^drive 2 \(PAR2\) failed: ran out of space at d\d\/f\d\d\.bin/);
    expect(err!.message).toContain('complete: PAR1, PAR3');
    expect(err!.message).toMatch(/still need a drive/);
    const state = (await readCopyState(first.deps, staging, 'job1'))!;
    expect(state.drives.map((d) => d.complete)).toEqual([true, true, true]);
    const short = state.drives[1]!.files;
    const listedBefore = await checkDrives(
      staging,
      state.drives.map((d, i) => ({ root: roots[i]!, manifestHash: d.manifestHash })),
    );
    expect(listedBefore.length).toBeLessThan(60);
    expect(short).toBeGreaterThanOrEqual(3);

    // The same command with one more drive: the files drive 2 gave back go onto it.
    const fourth = volumes.make('ext4', 16);
    const t2 = fill(staging, [...roots, fourth], 4);
    const r = await t2.run;
    // Up to 4 at once: the provider has one more drive, then none.
    expect(t2.asked).toEqual(['3:-', '4:-']);
    expect(r.files).toBe(60);
    expect(r.drives.map((d) => d.driveId)).toEqual(['PAR1', 'PAR2', 'PAR3', 'PAR4']);
    const listed = await checkDrives(
      staging,
      [...roots, fourth].map((root, i) => ({ root, manifestHash: r.drives[i]!.manifestHash })),
    );
    expect(listed).toHaveLength(60);
    expect(new Set(listed).size).toBe(60);
  });

  it('one drive turns read-only mid-copy: it fails alone, stays open with its committed files; the same command with it back and one more drive finishes every drive', async () => {
    const { staging } = stagingWithFiles();
    const roots = [volumes.make('ext4', 8), volumes.make('ext4', 8), volumes.make('ext4', 8)];
    const state = await drive2TurnsReadOnly(staging, roots);
    expect(state.drives.map((d) => d.complete)).toEqual([true, false, true]);
    expect(state.drives[1]!.failed).toMatch(/EROFS/);
    const kept = state.drives[1]!.files;
    expect(kept).toBeGreaterThanOrEqual(2);

    // The drive back (read-write), the same command with one more drive.
    execFileSync('mount', ['-o', 'remount,rw', roots[1]!]);
    const fourth = volumes.make('ext4', 16);
    const t2 = fill(staging, [...roots, fourth], 4);
    const r = await t2.run;
    // Drive 2 is resumed first, then the new drive for the files it gave back.
    expect(t2.asked.slice(0, 2)).toEqual(['1:PAR2', '3:-']);
    expect(r.files).toBe(60);
    expect(r.drives.map((d) => [d.driveId, d.complete])).toEqual([
      ['PAR1', true],
      ['PAR2', true],
      ['PAR3', true],
      ['PAR4', true],
    ]);
    // Drive 2 holds exactly what it had committed before it failed.
    await expectEveryFileOnce(staging, [...roots, fourth], r, kept);
  });

  it('a failed drive given up (--give-up-drive): its files, committed ones too, go to a new drive; it is in no result; the journal marks it', async () => {
    const { staging, files } = stagingWithFiles();
    const roots = [volumes.make('ext4', 8), volumes.make('ext4', 8), volumes.make('ext4', 8)];
    const before = await drive2TurnsReadOnly(staging, roots);
    const lost = before.drives[1]!.files;
    expect(lost).toBeGreaterThanOrEqual(2);

    // Drive 2 is dead: given up, never asked for; a new drive takes what it held and was planned.
    const fourth = volumes.make('ext4', 16);
    const t2 = fill(staging, [...roots, fourth], 4, { giveUp: ['PAR2'] });
    const r = await t2.run;
    expect(t2.asked[0]).toBe('3:-');
    expect(t2.asked.filter((a) => a.includes('PAR2'))).toEqual([]);
    expect(r.files).toBe(60);
    expect(r.drives.map((d) => [d.driveId, d.complete])).toEqual([
      ['PAR1', true],
      ['PAR3', true],
      ['PAR4', true],
    ]);
    const listed = await checkDrives(
      staging,
      [roots[0]!, roots[2]!, fourth].map((root, i) => ({
        root,
        manifestHash: r.drives[i]!.manifestHash,
      })),
    );
    expect(listed.map((p) => p.split('\\').slice(2).join('/')).sort()).toEqual(
      Object.keys(files).sort(),
    );
    const after = (await readCopyState(t2.deps, staging, 'job1'))!;
    expect(after.drives[1]).toMatchObject({
      driveId: 'PAR2',
      complete: false,
      files: lost,
      ranges: [],
    });
    expect(after.drives[1]!.givenUp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(after.cursor.files).toBe(60);

    // The same command again: nothing to do, drive 2 stays given up (no error for the flag).
    const t3 = fill(staging, [...roots, fourth], 4, { giveUp: ['PAR2'] });
    expect((await t3.run).drives.map((d) => d.driveId)).toEqual(['PAR1', 'PAR3', 'PAR4']);
  });

  it("one drive's block device dies mid-copy (loop capacity 0, the kernel's EIO): it fails alone with what it committed, the others complete and verify", async () => {
    const { staging } = stagingWithFiles();
    const roots = [volumes.make('ext4', 8), volumes.make('ext4', 8), volumes.make('ext4', 8)];
    const loop = loopDeviceOf(roots[1]!);
    // A disk dying under its file system: every read and write of it fails (EIO); ext4 then
    // aborts and turns read-only.
    const first = fillBreakingDrive2(staging, roots, 4, () => {
      fs.truncateSync(`${roots[1]!}.img`, 0);
      execFileSync('losetup', ['-c', loop]);
    });
    expectDrive2Failed(
      await first.failed,
      first.acted(),
      '(I/O error \\(EIO( on sync)?\\)|the volume turned read-only \\(EROFS\\)): .*',
    );
    const state = (await readCopyState(first.deps, staging, 'job1'))!;
    expect(state.drives.map((d) => d.complete)).toEqual([true, false, true]);
    expect(state.drives[1]!.files).toBeGreaterThanOrEqual(2);
    const listed = await checkDrives(staging, [
      { root: roots[0]!, manifestHash: state.drives[0]!.manifestHash },
      { root: roots[2]!, manifestHash: state.drives[2]!.manifestHash },
    ]);
    expect(listed.length + state.drives[1]!.files).toBeLessThan(60);
  });

  it("one drive's mount vanishes mid-copy (umount -l): it fails alone, nothing written after is recorded; mounted again, the same command finishes it", async () => {
    const { staging } = stagingWithFiles();
    const roots = [volumes.make('ext4', 8), volumes.make('ext4', 8), volumes.make('ext4', 8)];
    // A cable pulled, or someone's umount -l: the folder is still there, on another disk.
    const first = fillBreakingDrive2(staging, roots, 4, () =>
      execFileSync('umount', ['-l', roots[1]!]),
    );
    const err = await first.failed;
    expect(first.acted()).toBe(true);
    expect(err).toMatchObject({ exitCode: 5, code: 'ERR_DISKPREP_DRIVE_FAILED' });
    expect(err!.message).toMatch(
      /^drive 2 \(PAR2\) failed: the drive went away \(its mount is gone\)/,
    );
    const state = (await readCopyState(first.deps, staging, 'job1'))!;
    expect(state.drives.map((d) => d.complete)).toEqual([true, false, true]);
    const kept = state.drives[1]!.files;

    // The drive plugged back in and mounted where it was; the same command, one more drive.
    execFileSync('mount', ['-o', 'loop', `${roots[1]!}.img`, roots[1]!]);
    const fourth = volumes.make('ext4', 16);
    const r = await fill(staging, [...roots, fourth], 4).run;
    expect(r.drives.map((d) => d.complete)).toEqual([true, true, true, true]);
    // The volume holds what was recorded before its mount went away, and nothing else is listed.
    await expectEveryFileOnce(staging, [...roots, fourth], r, kept);
  });
});

describe('the plan of drives filled at once', () => {
  // Two targets on one file system: the same free space, so each should take half the job.
  // The share was once computed with 2 clusters a file over its bytes, while the plan counts
  // one cluster and the manifest line: 600 files of 4 KiB went 423/177.
  it('splits small files evenly over drives with the same room', async () => {
    const staging = tempDir('stg');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 600; i++)
      files[`s${i % 6}/f${String(i).padStart(3, '0')}.txt`] = pseudoRandom(4 * KiB, 5000 + i);
    writeTree(staging, files);
    const roots = [tempDir('par-a'), tempDir('par-b')];
    const r = await fill(staging, roots, 2, { commitEvery: { files: 100 } }).run;
    expect(r.files).toBe(600);
    const [a, b] = r.drives.map((d) => d.files);
    expect(a! + b!).toBe(600);
    expect(Math.abs(a! - b!), `${a}/${b}`).toBeLessThanOrEqual(12);
    const listed = await checkDrives(
      staging,
      roots.map((root, i) => ({ root, manifestHash: r.drives[i]!.manifestHash })),
    );
    expect(new Set(listed).size).toBe(600);
  });
});
