/**
 * A batch is committed while the next one is copied (driveLane.ts commitBehind): the barrier of
 * batch 1 (syncfs through `sync -f`) is held open by the test, and the copy is seen going on
 * meanwhile with the journal still before batch 1. Then Ctrl-C: the run waits for that commit,
 * commits what it copied after it, and the same command resumes to a manifest that matches the
 * source. Real files, the real `sync`; the hold is a gate in front of the exec seam.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyJob, type CopyJobOptions } from '../../src/engine/copyJob.ts';
import { readCopyState } from '../../src/journal/copyState.ts';
import type { Deps } from '../../src/deps/types.ts';
import {
  checkManifestAgainstSource,
  engineDeps,
  KEY1,
  parseManifest,
  STORAGE_KEY,
  writeJob,
  writeTree,
} from './stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((c) => `${c}.txt`);

function setup() {
  const staging = tempDir('stg');
  const target = tempDir('tgt');
  writeTree(staging, Object.fromEntries(NAMES.map((n) => [n, `content of ${n}`])));
  return { staging, target, job: writeJob(staging) };
}

function run(deps: Deps, s: ReturnType<typeof setup>, extra: Partial<CopyJobOptions> = {}) {
  return copyJob(deps, {
    staging: s.staging,
    job: s.job,
    secrets: { storageAccountKey: STORAGE_KEY },
    nextTarget: async () => ({ path: s.target, driveId: 'S9', bitLockerKey: KEY1 }),
    commitEvery: { files: 3 },
    ...extra,
  });
}

/** Holds every `sync` the engine runs until `release()`; counts them. */
function holdSyncs(deps: Deps) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const calls: string[][] = [];
  const real = deps.exec.run.bind(deps.exec);
  deps.exec.run = async (cmd: string, args: string[], o?: object) => {
    if (cmd === 'sync') {
      calls.push(args);
      await gate;
    }
    return real(cmd, args, o);
  };
  return { release, calls };
}

describe('a commit made while the next batch is copied', () => {
  it('the copy goes on during the barrier; Ctrl-C waits for it, commits the rest, and the same command resumes', async () => {
    const s = setup();
    const ac = new AbortController();
    const { deps } = engineDeps(ac.signal);
    const held = holdSyncs(deps);
    const seen: { file: string; cursor: string | null | undefined; syncs: number }[] = [];
    const err = await run(deps, s, {
      afterFileRead: (f) => {
        const syncs = held.calls.length;
        void readCopyState(deps, s.staging, 'job1').then((st) => {
          seen.push({ file: f.relPath, cursor: st?.drives[0]?.cursor, syncs });
        });
        // Batch 1 (a-c) is sealed and its barrier held; e is batch 2's second file.
        if (f.relPath === 'e.txt') {
          ac.abort();
          setTimeout(held.release, 50);
        }
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 130 });
    // d and e were copied while batch 1's barrier was held: nothing of them was journalled then.
    const during = seen
      .filter((x) => x.file === 'd.txt' || x.file === 'e.txt')
      .sort((x, y) => x.file.localeCompare(y.file));
    expect(during.map((x) => [x.file, x.syncs])).toEqual([
      ['d.txt', 1],
      ['e.txt', 1],
    ]);
    expect(during.every((x) => x.cursor === null || x.cursor === undefined)).toBe(true);
    // Ctrl-C: batch 1 committed, then what came after it (d, e) in a commit of its own.
    const after = (await readCopyState(deps, s.staging, 'job1'))!;
    expect(after.drives[0]).toMatchObject({ cursor: 'e.txt', files: 5 });
    expect(held.calls).toEqual([
      ['-f', s.target],
      ['-f', s.target],
    ]);

    const again = await run(engineDeps().deps, s);
    expect(again).toMatchObject({ files: 9, resumedFiles: 5 });
    const m = parseManifest(path.join(s.target, 'DriveManifest.xml'));
    expect(m.blobs.map((b) => b.FilePath.split('\\').pop())).toEqual(NAMES);
    const sourceOf = (fp: string) =>
      path.join(s.staging, ...fp.split('\\').filter(Boolean).slice(1));
    expect(checkManifestAgainstSource(m.blobs, sourceOf, s.target)).toEqual([]);
  });
});

describe('a sync that reports a lost write', () => {
  // syncfs reports the file system's error once, to the first sync after it: with commits behind
  // the copy that can be the commit before the batch whose pages were lost (seen in a loaded run:
  // 14 files listed whose bytes the thin drive had dropped). An fsync of each file of the batch
  // being committed would pass over them, so the drive fails instead.
  it('fails the drive (exit 5, nothing of that batch recorded), not an fsync of each file instead', async () => {
    const s = setup();
    const { deps } = engineDeps();
    const real = deps.exec.run.bind(deps.exec);
    let syncs = 0;
    deps.exec.run = (async (cmd: string, args: string[], o?: object) => {
      if (cmd === 'sync' && ++syncs === 2)
        return {
          command: 'sync -f',
          exitCode: 1,
          stdout: '',
          stderr: `sync: error syncing '${s.target}': Input/output error\n`,
        };
      return real(cmd, args, o);
    }) as Deps['exec']['run'];
    const err = (await run(deps, s, {
      // One drive only: no other is given for the files it gives back.
      nextTarget: async (req) =>
        req.index === 0 ? { path: s.target, driveId: 'S9', bitLockerKey: KEY1 } : undefined,
    }).catch((e: unknown) => e)) as {
      exitCode: number;
      code: string;
      message: string;
    };
    expect([err.exitCode, err.code], err.message).toEqual([5, 'ERR_DISKPREP_DRIVE_FAILED']);
    expect(err.message).toMatch(
      /^drive 1 \(S9\) failed: I\/O error \(EIO on sync\): sync -f: error syncing '.*': Input\/output error \(open, 3 files committed\)/,
    );
    const state = (await readCopyState(deps, s.staging, 'job1'))!;
    expect(state.drives[0]).toMatchObject({ files: 3, cursor: 'c.txt', complete: false });
  });

  it('reads the error `sync -f` prints, and nothing else', async () => {
    const { syncfsError } = await import('../../src/engine/driveLane.ts');
    expect(syncfsError("sync: error syncing '/mnt/d2': No space left on device\n")).toEqual({
      code: 'ENOSPC',
      text: "error syncing '/mnt/d2': No space left on device",
    });
    expect(syncfsError("sync: invalid option -- 'f'\n")).toBeUndefined();
    expect(syncfsError('')).toBeUndefined();
  });
});
