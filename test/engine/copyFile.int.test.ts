/**
 * The large-file path on real file systems: every way of copying (worker pool or main thread,
 * direct or buffered I/O, ramfs refusing O_DIRECT) gives the same bytes and the same hashes,
 * and direct I/O really bypasses the page cache.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInlineCopier,
  createWorkerCopier,
  type ChunkCopier,
} from '../../src/engine/chunkCopier.ts';
import { copyFile, tempNameFor } from '../../src/engine/copyFile.ts';
import { md5, pseudoRandom } from './stagingFixture.ts';
import { Volumes, type VolumeKind } from '../helpers/volumes.ts';

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const isRoot = process.getuid?.() === 0;

/** What the manifest must list for a block blob: one MD5 per 4 MiB slice. */
function expectedBlocks(data: Buffer) {
  const out = [];
  for (let off = 0; off < data.length; off += CHUNK) {
    const len = Math.min(CHUNK, data.length - off);
    out.push({ offset: off, length: len, md5: md5(data.subarray(off, off + len)) });
  }
  return out;
}

/** For a page blob: runs of non-zero 512-byte pages, never crossing a 4 MiB boundary. */
function expectedPages(data: Buffer) {
  const out: { offset: number; length: number; md5: string }[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start >= 0)
      out.push({ offset: start, length: end - start, md5: md5(data.subarray(start, end)) });
    start = -1;
  };
  for (let p = 0; p < data.length; p += 512) {
    if (p % CHUNK === 0) close(p);
    const zero = data.subarray(p, p + 512).every((b) => b === 0);
    if (zero) close(p);
    else if (start < 0) start = p;
  }
  close(data.length);
  return out;
}

/** A page file: 12 MiB, its middle chunk all zero, scattered zero pages elsewhere. */
function pageFile(): Buffer {
  const data = pseudoRandom(12 * MiB, 77);
  data.fill(0, CHUNK, 2 * CHUNK);
  for (let p = 0; p < CHUNK; p += 512 * 7) data.fill(0, p, p + 512);
  data.fill(0, 3 * CHUNK - 1024 * 1024, 3 * CHUNK);
  return data;
}

/** Bytes of `file` in the page cache (fincore, util-linux). */
function cachedBytes(file: string): number {
  return Number(
    execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], {
      encoding: 'utf8',
    }).trim(),
  );
}

const files: { name: string; kind: 'block' | 'page'; data: () => Buffer }[] = [
  { name: '1 MiB + 1', kind: 'block', data: () => pseudoRandom(MiB + 1, 1) },
  { name: '4 MiB − 1', kind: 'block', data: () => pseudoRandom(CHUNK - 1, 2) },
  { name: '4 MiB', kind: 'block', data: () => pseudoRandom(CHUNK, 3) },
  { name: '4 MiB + 1', kind: 'block', data: () => pseudoRandom(CHUNK + 1, 4) },
  { name: '9 MiB + 123', kind: 'block', data: () => pseudoRandom(9 * MiB + 123, 5) },
  { name: '12 MiB page file with zero chunk and pages', kind: 'page', data: pageFile },
];

const volumes = new Volumes();
afterAll(() => volumes.cleanup());

describe.skipIf(!isRoot)('copyFile, large-file path, on real file systems', () => {
  const setups: {
    name: string;
    volume: VolumeKind;
    directIo: boolean;
    copier: () => ChunkCopier;
    expectDirect: boolean;
  }[] = [
    {
      name: 'worker pool, direct I/O on ext4',
      volume: 'ext4',
      directIo: true,
      copier: () => createWorkerCopier(2, 4),
      expectDirect: true,
    },
    {
      name: 'main thread, direct I/O on ext4',
      volume: 'ext4',
      directIo: true,
      copier: () => createInlineCopier(2),
      expectDirect: true,
    },
    {
      name: 'worker pool, buffered I/O on ext4',
      volume: 'ext4',
      directIo: false,
      copier: () => createWorkerCopier(2, 4),
      expectDirect: false,
    },
    {
      name: 'worker pool on ramfs (refuses O_DIRECT at open: buffered)',
      volume: 'ramfs',
      directIo: true,
      copier: () => createWorkerCopier(2, 4),
      expectDirect: false,
    },
  ];
  describe.each(setups)('$name', (setup) => {
    let vol: string;
    let copier: ChunkCopier;
    beforeAll(() => {
      vol = volumes.make(setup.volume, 200);
      copier = setup.copier();
    });
    afterAll(() => copier.close());

    it.each(files)('$name: same bytes, every hash right, nothing left behind', async (f) => {
      const data = f.data();
      const src = path.join(vol, 'src', `${f.name}.bin`);
      const dst = path.join(vol, 'dst', 'sub dir', `${f.name}.bin`);
      fs.mkdirSync(path.dirname(src), { recursive: true });
      fs.writeFileSync(src, data);
      const progress: number[] = [];
      const r = await copyFile(
        { relPath: f.name, src, dst, kind: f.kind },
        { copier, directIo: setup.directIo, onBytes: (n) => progress.push(n) },
      );
      expect(r.size).toBe(data.length);
      expect(r.direct).toEqual({ read: setup.expectDirect, write: setup.expectDirect });
      if (setup.volume === 'ext4') {
        // Direct writes leave nothing in the page cache; buffered ones leave the whole file
        // (less the all-zero page chunk, never written). Checked before anything reads it back.
        const cached = cachedBytes(dst);
        if (setup.expectDirect) expect(cached).toBe(0);
        else expect(cached).toBeGreaterThanOrEqual(Math.floor(data.length / 4096) * 4096 - CHUNK);
      }
      expect(r.ranges).toEqual(f.kind === 'block' ? expectedBlocks(data) : expectedPages(data));
      expect(fs.readFileSync(dst).equals(data)).toBe(true);
      expect(fs.existsSync(tempNameFor(dst))).toBe(false);
      expect(progress.at(-1)).toBe(data.length);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    });
  });

  it('a file system that takes O_DIRECT at open but refuses the I/O: the file is copied again, buffered, and that device stays buffered', async () => {
    const vol = volumes.make('ext4', 64);
    const inline = createInlineCopier(2);
    const jobs: { srcDirect: boolean; dstDirect: boolean }[] = [];
    // The copier seam: the first direct chunk fails as such a file system would (EINVAL).
    const refusing: ChunkCopier = {
      concurrency: 2,
      copy: (job) => {
        jobs.push({ srcDirect: job.srcDirect, dstDirect: job.dstDirect });
        if (job.dstDirect)
          return Promise.reject(
            Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' }),
          );
        return inline.copy(job);
      },
      close: async () => {},
    };
    const data = pseudoRandom(9 * MiB, 9);
    const src = path.join(vol, 'a.bin');
    fs.writeFileSync(src, data);
    const first = await copyFile(
      { relPath: 'a.bin', src, dst: path.join(vol, 'out', 'a.bin'), kind: 'block' },
      { copier: refusing },
    );
    expect(first.direct).toEqual({ read: false, write: false });
    expect(first.ranges).toEqual(expectedBlocks(data));
    expect(fs.readFileSync(path.join(vol, 'out', 'a.bin')).equals(data)).toBe(true);
    expect(jobs.some((j) => j.dstDirect)).toBe(true);
    // The next file on that device is not tried direct at all.
    jobs.length = 0;
    const second = await copyFile(
      { relPath: 'b.bin', src, dst: path.join(vol, 'out', 'b.bin'), kind: 'block' },
      { copier: refusing },
    );
    expect(second.direct).toEqual({ read: false, write: false });
    expect(jobs.every((j) => !j.srcDirect && !j.dstDirect)).toBe(true);
    expect(fs.readFileSync(path.join(vol, 'out', 'b.bin')).equals(data)).toBe(true);
  });
});
