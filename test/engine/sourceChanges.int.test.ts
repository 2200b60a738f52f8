/**
 * Source files that change under the copy, on real files: an overwrite of bytes already copied
 * with the modification time put back (only the change time tells), a file deleted mid-copy,
 * and, on resume, files an earlier run put on the drive whose source changed since. The
 * engine's afterFileRead seam runs the other program's write at the one moment that matters
 * (after the copy read the file, before it checks the source again): no timing involved.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyJob, type CopyJobOptions } from '../../src/engine/copyJob.ts';
import { readCopyState } from '../../src/journal/copyState.ts';
import { sourcesPath } from '../../src/journal/sourceLedger.ts';
import { DiskprepError } from '../../src/errors.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import {
  checkManifestAgainstSource,
  engineDeps,
  KEY1,
  parseManifest,
  pseudoRandom,
  STORAGE_KEY,
  writeJob,
  writeTree,
} from './stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;

/** A staging location with `files`, its job, and an empty target folder. */
function setup(files: Record<string, Buffer | string>) {
  const staging = tempDir('stg');
  const target = tempDir('tgt');
  writeTree(staging, files);
  return { staging, target, job: writeJob(staging) };
}

/** One copy run onto `target` as drive S9 (the same drive on every run). */
function run(
  deps: ReturnType<typeof engineDeps>['deps'],
  s: { staging: string; target: string; job: JobDescriptor },
  extra: Partial<CopyJobOptions> = {},
) {
  return copyJob(deps, {
    staging: s.staging,
    job: s.job,
    secrets: { storageAccountKey: STORAGE_KEY },
    nextTarget: async () => ({ path: s.target, driveId: 'S9', bitLockerKey: KEY1 }),
    ...extra,
  });
}

/**
 * Waits until the kernel's clock for file times has moved past `file`'s change time, so that
 * the next write to it gets a later one even where times are stamped with a coarse tick.
 */
function pastChangeTime(file: string): void {
  const ctime = fs.statSync(file, { bigint: true }).ctimeNs;
  const probe = path.join(path.dirname(path.dirname(file)), `tick-${process.pid}`);
  for (;;) {
    fs.writeFileSync(probe, '');
    if (fs.statSync(probe, { bigint: true }).ctimeNs > ctime) break;
  }
  fs.rmSync(probe);
}

/**
 * Overwrites `bytes` at offset 0 (same length) and puts the modification time back to the
 * nanosecond with `touch -d`, as a tool that preserves times does.
 */
function overwriteKeepingMtime(file: string, bytes: Buffer): void {
  const st = fs.statSync(file, { bigint: true });
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  const ns = st.mtimeNs % 1_000_000_000n;
  const stamp = `@${st.mtimeNs / 1_000_000_000n}.${String(ns).padStart(9, '0')}`;
  execFileSync('touch', ['-m', '-d', stamp, file]);
  const after = fs.statSync(file, { bigint: true });
  expect([after.size, after.mtimeNs]).toEqual([st.size, st.mtimeNs]);
}

const sourceOf = (staging: string) => (fp: string) =>
  path.join(staging, ...fp.split('\\').filter(Boolean).slice(1));

describe('a source changed while it is copied', () => {
  it.each([
    ['a small file', 'b.txt', Buffer.from('original small content')],
    ['a large file (chunked, several chunks)', 'b.bin', pseudoRandom(9 * MiB, 21)],
  ])(
    '%s overwritten in place with its mtime put back: caught by the change time, not recorded; resume copies the new bytes',
    async (_name, file, data) => {
      const s = setup({ 'a.txt': 'first', [file]: data, 'c.txt': 'last' });
      const src = path.join(s.staging, file);
      pastChangeTime(src);
      const { deps } = engineDeps();
      const err = (await run(deps, s, {
        afterFileRead: (f) => {
          if (f.relPath === file) overwriteKeepingMtime(src, Buffer.from('REWRITTEN'));
        },
      }).catch((e: unknown) => e)) as DiskprepError;
      expect(err).toBeInstanceOf(DiskprepError);
      expect(err.exitCode).toBe(1);
      expect(err.code).toBe('ERR_DISKPREP_SOURCE_CHANGED');
      expect(err.message).toBe(
        `${file} changed while it was being copied (rewritten or its attributes changed: its change time moved)`,
      );
      expect(err.hint).toMatch(/run the same command again: it resumes at this file/);
      expect((await readCopyState(deps, s.staging, 'job1'))!.cursor).toMatchObject({
        relPath: 'a.txt',
        files: 1,
      });
      expect(fs.readdirSync(path.join(s.target, 'job1'))).toEqual(['a.txt']);

      const r = await run(engineDeps().deps, s);
      expect(r).toMatchObject({ files: 3, resumedFiles: 1, changedSinceCopied: { count: 0 } });
      const m = parseManifest(path.join(s.target, 'DriveManifest.xml'));
      expect(checkManifestAgainstSource(m.blobs, sourceOf(s.staging), s.target)).toEqual([]);
      expect(
        fs
          .readFileSync(path.join(s.target, 'job1', file))
          .subarray(0, 9)
          .toString(),
      ).toBe('REWRITTEN');
    },
  );

  it('a file deleted mid-copy: the "changed while copied" error naming it and the fix, nothing of it left', async () => {
    const s = setup({ 'a.txt': 'first', 'b.bin': pseudoRandom(5 * MiB, 22), 'c.txt': 'last' });
    const { deps } = engineDeps();
    const err = (await run(deps, s, {
      afterFileRead: (f) => {
        if (f.relPath === 'b.bin') fs.rmSync(f.absPath);
      },
    }).catch((e: unknown) => e)) as DiskprepError;
    expect(err).toBeInstanceOf(DiskprepError);
    expect([err.exitCode, err.code]).toEqual([1, 'ERR_DISKPREP_SOURCE_CHANGED']);
    expect(err.message).toBe('b.bin changed while it was being copied (deleted)');
    expect(err.message).not.toMatch(/ENOENT/);
    expect(err.hint).toMatch(/stop whatever writes to the staging location/);
    expect(fs.readdirSync(path.join(s.target, 'job1'))).toEqual(['a.txt']);
    // The same command again: the file is no longer part of the job.
    const r = await run(engineDeps().deps, s);
    expect(r).toMatchObject({ files: 2, resumedFiles: 1 });
  });

  // Small files are read ahead of their turn (smallReadAhead.ts): b.txt is read while a.txt is
  // copied, so the other program's change lands between b's read and b's write.
  it.each([
    [
      'rewritten with its mtime put back',
      (f: string) => overwriteKeepingMtime(f, Buffer.from('REWRITTEN')),
      // (or, when the threadpool read came after the rewrite, the short read shows it)
      /^(rewritten or its attributes changed: its change time moved|read 9 of 22 bytes)$/,
    ],
    ['deleted', (f: string) => fs.rmSync(f), 'deleted'],
    // Its read stops at the length the walk stat'ed (one read per file): growth after that read
    // is what the stat after the copy sees; growth before it (the threadpool read came late)
    // shows as the one byte more the read asks for.
    [
      'appended to',
      (f: string) => fs.appendFileSync(f, ' and more'),
      /^(size 22 → 31 bytes|read 23 of 22 bytes)$/,
    ],
  ])(
    'a small file %s after it was read ahead: its bytes read before are never listed; resume takes it as it is now',
    async (_name, change, what) => {
      const s = setup({ 'a.txt': 'first', 'b.txt': 'original small content', 'c.txt': 'last' });
      const b = path.join(s.staging, 'b.txt');
      pastChangeTime(b);
      const { deps } = engineDeps();
      const err = (await run(deps, s, {
        afterFileRead: (f) => {
          if (f.relPath === 'a.txt') change(b);
        },
      }).catch((e: unknown) => e)) as DiskprepError;
      expect(err.code).toBe('ERR_DISKPREP_SOURCE_CHANGED');
      const said = /^b\.txt changed while it was being copied \((.*)\)$/.exec(err.message)?.[1];
      if (typeof what === 'string') expect(said).toBe(what);
      else expect(said).toMatch(what);
      expect((await readCopyState(deps, s.staging, 'job1'))!.cursor).toMatchObject({
        relPath: 'a.txt',
        files: 1,
      });
      expect(fs.readdirSync(path.join(s.target, 'job1'))).toEqual(['a.txt']);
      await run(engineDeps().deps, s);
      const m = parseManifest(path.join(s.target, 'DriveManifest.xml'));
      expect(checkManifestAgainstSource(m.blobs, sourceOf(s.staging), s.target)).toEqual([]);
      expect(m.blobs.length).toBe(fs.existsSync(b) ? 3 : 2);
    },
  );
});

describe('resume: files an earlier run committed whose source changed since', () => {
  /** Runs until c.txt is copied, then stops as Ctrl-C does: a, b, c committed. */
  async function interruptedAfterC(s: ReturnType<typeof setup>) {
    const ac = new AbortController();
    const { deps } = engineDeps(ac.signal);
    await expect(
      run(deps, s, {
        afterFileRead: (f) => {
          if (f.relPath === 'c.txt') ac.abort();
        },
      }),
    ).rejects.toMatchObject({ exitCode: 130 });
    expect((await readCopyState(deps, s.staging, 'job1'))!.cursor).toMatchObject({
      relPath: 'c.txt',
      files: 3,
    });
  }

  it('are named in one warning and in the result; the copy goes on; the drive keeps what its manifest lists', async () => {
    const s = setup({
      'a.txt': 'alpha content',
      'b.txt': 'bravo',
      'c.txt': 'charlie',
      'd.txt': 'delta',
    });
    await interruptedAfterC(s);
    const a = path.join(s.staging, 'a.txt');
    pastChangeTime(a);
    overwriteKeepingMtime(a, Buffer.from('ALPHA'));
    fs.appendFileSync(path.join(s.staging, 'b.txt'), ' and more');

    const { deps, recorded } = engineDeps();
    const r = await run(deps, s);
    expect(r).toMatchObject({
      files: 4,
      resumedFiles: 3,
      changedSinceCopied: {
        count: 2,
        files: [
          'a.txt (rewritten or its attributes changed: its change time moved)',
          'b.txt (size 5 → 14 bytes)',
        ],
      },
    });
    const warning = recorded.stderr.filter((l) => l.includes('changed in the staging location'));
    expect(warning).toEqual([
      expect.stringContaining(
        '2 files copied in an earlier run changed in the staging location since: a.txt (rewritten or its attributes changed: its change time moved), b.txt (size 5 → 14 bytes); the drive holds them as they were',
      ),
    ]);
    expect(recorded.stderr.join('\n')).toMatch(/fix: if the new content must reach Azure/);
    // The drive and its manifest agree: the earlier content, every hash right for it.
    const m = parseManifest(path.join(s.target, 'DriveManifest.xml'));
    expect(m.blobs.map((b) => b.FilePath)).toEqual([
      '\\job1\\a.txt',
      '\\job1\\b.txt',
      '\\job1\\c.txt',
      '\\job1\\d.txt',
    ]);
    expect(fs.readFileSync(path.join(s.target, 'job1', 'a.txt'), 'utf8')).toBe('alpha content');
    expect(m.blobs.find((b) => b.FilePath.endsWith('b.txt'))!.Length).toBe('5');
  });

  it('unchanged files give no warning; lines a crash left past the committed ones are cut off', async () => {
    const s = setup({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie', 'd.txt': 'delta' });
    await interruptedAfterC(s);
    const ledger = sourcesPath(s.staging, 'job1', 0);
    expect(fs.readFileSync(ledger, 'utf8').trim().split('\n')).toHaveLength(4); // header + 3
    // As if a crash hit after a batch's lines were written but before the state moved.
    fs.appendFileSync(ledger, '["d.txt","5","1","1","1","1"]\n["e.txt","5","1"');
    const { deps, recorded } = engineDeps();
    const r = await run(deps, s);
    expect(r).toMatchObject({ files: 4, resumedFiles: 3, changedSinceCopied: { count: 0 } });
    expect(recorded.stderr.join('\n')).not.toMatch(/changed in the staging location/);
    const lines = fs.readFileSync(ledger, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as unknown[])[0] ?? 'header')).toEqual([
      'header',
      'a.txt',
      'b.txt',
      'c.txt',
      'd.txt',
    ]);
  });

  it('a damaged line among the committed ones: exit 2 naming the file and the line', async () => {
    const s = setup({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie', 'd.txt': 'delta' });
    await interruptedAfterC(s);
    const ledger = sourcesPath(s.staging, 'job1', 0);
    const lines = fs.readFileSync(ledger, 'utf8').split('\n');
    lines[2] = '["b.txt","five"]';
    fs.writeFileSync(ledger, lines.join('\n'));
    const err = (await run(engineDeps().deps, s).catch((e: unknown) => e)) as DiskprepError;
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`the journal file ${ledger} is damaged (line 3)`);
  });
});
