/**
 * Copies one file in one pass: every byte is read once, written, and hashed from the same
 * buffer, so each hash is of the bytes written. The file is written under a temporary name in
 * its final folder and renamed when complete; its source is stat'ed before and after, and a
 * change (size, mtime, inode) fails the file instead of recording a wrong hash.
 *
 * Two paths, both measured on the 2-core dev VM (see README "Performance"):
 * - small files (≤ {@link SMALL_FILE}) use synchronous syscalls and hash inline: per-file cost
 *   is dominated by syscalls, and an async round trip through the threadpool per call made
 *   4 KiB files ~3× slower than `cp -r`; sync calls put us at `cp -r` speed. Their fsync is
 *   batched by the caller (per-file fdatasync made 20k × 4 KiB take 10.2 s vs 1.8 s).
 * - large files stream 4 MiB chunks through a few shared slots: the next read runs while the
 *   previous chunk is written (threadpool) and hashed (worker), and they are fdatasync'ed once
 *   at the end (never per chunk: per-4 MiB fsync cost ~20%).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DiskprepError, ExitCode, InterruptedError } from '../errors.ts';
import type { ChunkHasher } from './hasher.ts';
import { CHUNK } from './hasher.ts';
import { hashChunk, type ChunkKind, type HashedRange } from './hashChunk.ts';
import { overlapsData } from './dataExtents.ts';
import { isAllZero } from './pageRanges.ts';

/** Reads in flight on the large-file path. */
const READ_AHEAD = 2;

/** Files up to this size take the synchronous small-file path. */
export const SMALL_FILE = 1024 * 1024;

/** The target volume ran out of space while writing; nothing of the file is left behind. */
export class NoSpaceError extends Error {
  readonly file: string;
  constructor(file: string) {
    super(`no space left on the target while writing ${file}`);
    this.file = file;
    this.name = 'NoSpaceError';
  }
}

/** A source file changed while it was copied. */
export class SourceChangedError extends DiskprepError {
  constructor(relPath: string, what: string) {
    super(`${relPath} changed while it was being copied (${what})`, ExitCode.failure, {
      code: 'ERR_DISKPREP_SOURCE_CHANGED',
      hint: 'stop whatever writes to the staging location, then run the same command again: it resumes at this file',
    });
  }
}

/** One file to copy. */
export interface CopyRequest {
  /** For messages. */
  relPath: string;
  src: string;
  /** Final path on the target. */
  dst: string;
  kind: ChunkKind;
  /**
   * For a sparse page file: the byte ranges that may hold data (see dataExtents.ts). Chunks
   * outside them are holes: neither read, listed nor written.
   */
  dataExtents?: readonly [number, number][];
  /** Stops a large copy between chunks (Ctrl-C): the partial file is removed. */
  signal?: AbortSignal;
}

/** What a copy produced. */
export interface CopiedFile {
  size: number;
  /** Blocks (block blob) or non-zero page ranges (page blob), in file order. */
  ranges: HashedRange[];
  /** True when the data is not fsync'ed yet (small path): the caller batches the barrier. */
  unsynced: boolean;
}

/** Name of the temporary file a copy writes before renaming it to `dst`. */
export function tempNameFor(dst: string): string {
  const tag = createHash('md5').update(path.basename(dst), 'utf8').digest('hex').slice(0, 12);
  return path.join(path.dirname(dst), `~dp-${tag}.part`);
}

interface Identity {
  size: number;
  mtimeMs: number;
  ino: number;
}

function changed(before: Identity, after: Identity): string | undefined {
  if (after.size !== before.size) return `size ${before.size} → ${after.size} bytes`;
  if (after.mtimeMs !== before.mtimeMs) return 'modification time changed';
  if (after.ino !== before.ino) return 'replaced by another file';
  return undefined;
}

function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

let lastDir = '';

/** Creates `dir` and its parents (cached: consecutive files mostly share a folder). */
export function ensureDir(dir: string): void {
  if (dir === lastDir) return;
  fs.mkdirSync(dir, { recursive: true });
  lastDir = dir;
}

/** Copies one file (see the module comment). Throws {@link NoSpaceError} or {@link SourceChangedError}. */
export async function copyFile(
  req: CopyRequest,
  hasher: ChunkHasher,
  onBytes?: (bytesOfThisFile: number) => void,
): Promise<CopiedFile> {
  const before = fs.statSync(req.src);
  if (!before.isFile()) throw new SourceChangedError(req.relPath, 'no longer a regular file');
  const tmp = tempNameFor(req.dst);
  try {
    ensureDir(path.dirname(req.dst));
  } catch (err) {
    if (isNoSpace(err)) throw new NoSpaceError(req.relPath);
    throw err;
  }
  let result: CopiedFile;
  try {
    result =
      before.size <= SMALL_FILE
        ? copySmall(req, tmp, before.size)
        : await copyLarge(req, tmp, before.size, hasher, onBytes);
    const after = fs.statSync(req.src);
    const what =
      changed(before, after) ??
      (result.size !== before.size ? `read ${result.size} of ${before.size} bytes` : undefined);
    if (what) throw new SourceChangedError(req.relPath, what);
    fs.renameSync(tmp, req.dst);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (isNoSpace(err)) throw new NoSpaceError(req.relPath);
    throw err;
  }
  return result;
}

const smallBuf = Buffer.allocUnsafeSlow(SMALL_FILE + 1);

function copySmall(req: CopyRequest, tmp: string, size: number): CopiedFile {
  const fd = fs.openSync(req.src, 'r');
  let len = 0;
  try {
    // Read one byte more than expected: a file that grew shows up as a longer read.
    for (;;) {
      const n = fs.readSync(fd, smallBuf, len, smallBuf.length - len, len);
      if (n === 0) break;
      len += n;
      if (len >= smallBuf.length) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (len !== size) throw new SourceChangedError(req.relPath, `read ${len} of ${size} bytes`);
  const out = fs.openSync(tmp, 'w', 0o644);
  try {
    let off = 0;
    while (off < len) off += fs.writeSync(out, smallBuf, off, len - off, off);
  } finally {
    fs.closeSync(out);
  }
  const ranges = len === 0 ? [] : hashChunk(smallBuf, len, req.kind, 0);
  return { size: len, ranges, unsynced: true };
}

async function copyLarge(
  req: CopyRequest,
  tmp: string,
  size: number,
  hasher: ChunkHasher,
  onBytes: ((n: number) => void) | undefined,
): Promise<CopiedFile> {
  const src = await fsp.open(req.src, 'r');
  let doneBytes = 0;
  let dst: fsp.FileHandle | undefined;
  try {
    dst = await fsp.open(tmp, 'w', 0o644);
    const out = dst;
    const chunks = Math.ceil(size / CHUNK);
    const results: HashedRange[][] = new Array<HashedRange[]>(chunks);
    const free = hasher.slots.map((_, i) => i);
    const waiters: (() => void)[] = [];
    // Rejections here come from fs writes and the hasher: always Error objects.
    let failure: Error | undefined;
    const inflight = new Set<Promise<void>>();
    const acquire = async (): Promise<number> => {
      while (free.length === 0) await new Promise<void>((r) => waiters.push(r));
      return free.pop()!;
    };
    const release = (slot: number): void => {
      free.push(slot);
      waiters.shift()?.();
    };
    const isHole = (i: number): boolean =>
      req.dataExtents !== undefined && !overlapsData(req.dataExtents, i * CHUNK, (i + 1) * CHUNK);
    // Two reads in flight: the disk gets the next request while the previous chunk is being
    // handed to the writer and the hasher (one outstanding 4 MiB read left it idle between
    // requests on cold data).
    const reads = new Map<number, { slot: number; done: Promise<number> }>();
    let nextRead = 0;
    const readChunk = async (buf: Buffer, offset: number, len: number): Promise<number> => {
      let got = 0;
      while (got < len) {
        const { bytesRead } = await src.read(buf, got, len - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got;
    };
    const issueReads = async (): Promise<void> => {
      while (nextRead < chunks && reads.size < READ_AHEAD && failure === undefined) {
        const i = nextRead++;
        if (isHole(i)) continue;
        const slot = await acquire();
        const offset = i * CHUNK;
        const done = readChunk(hasher.slots[slot]!, offset, Math.min(CHUNK, size - offset));
        done.catch(() => {}); // handled where awaited; never an unhandled rejection
        reads.set(i, { slot, done });
      }
    };
    try {
      for (let i = 0; i < chunks && failure === undefined; i++) {
        if (req.signal?.aborted) {
          failure = new InterruptedError('interrupted: the copy stopped in the middle of a file', {
            hint: 'run the same command again to resume; that file is copied again from its start',
          });
          break;
        }
        if (isHole(i)) {
          results[i] = [];
          doneBytes += Math.min(CHUNK, size - i * CHUNK);
          continue;
        }
        await issueReads();
        const pending = reads.get(i);
        if (!pending) break; // a failure stopped the reads
        reads.delete(i);
        const { slot } = pending;
        const got = await pending.done;
        await issueReads();
        const buf = hasher.slots[slot]!;
        const offset = i * CHUNK;
        const len = Math.min(CHUNK, size - offset);
        if (got !== len) {
          release(slot);
          failure = new SourceChangedError(req.relPath, `read ${offset + got} of ${size} bytes`);
          break;
        }
        // A page blob's all-zero chunk is neither listed nor written: the target stays sparse.
        const zero = req.kind === 'page' && isAllZero(buf, 0, len);
        const work = zero
          ? Promise.resolve((results[i] = []))
          : Promise.all([
              writeAll(out, buf, len, offset),
              hasher.hash(slot, len, req.kind, offset).then((r) => (results[i] = r)),
            ]);
        const p: Promise<void> = work.then(
          () => {
            inflight.delete(p);
            release(slot);
            doneBytes += len;
            onBytes?.(doneBytes);
          },
          (err: unknown) => {
            inflight.delete(p);
            failure ??= err as Error;
            release(slot);
          },
        );
        inflight.add(p);
      }
    } catch (err) {
      failure ??= err as Error;
    } finally {
      // Let outstanding reads finish before the source is closed.
      for (const r of reads.values()) {
        await r.done.catch(() => 0);
        release(r.slot);
      }
      reads.clear();
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    // Holes at the end of a page blob still count towards its length.
    await dst.truncate(size);
    await dst.datasync();
    return { size, ranges: results.flat(), unsynced: false };
  } finally {
    await src.close();
    await dst?.close();
  }
}

async function writeAll(
  fh: fsp.FileHandle,
  buf: Buffer,
  len: number,
  position: number,
): Promise<void> {
  let off = 0;
  while (off < len) {
    const { bytesWritten } = await fh.write(buf, off, len - off, position + off);
    off += bytesWritten;
  }
}
