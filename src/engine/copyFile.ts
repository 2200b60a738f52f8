/**
 * Copies one file in one pass: every byte is read once, written, and hashed from the same
 * buffer, so each hash is of the bytes written. Its source is stat'ed before and after, and a
 * change (size, mtime, ctime, inode: sourceIdentity.ts) or its deletion fails the file instead
 * of recording a wrong hash.
 *
 * Where it is written: a large file under a temporary name in its final folder, renamed when
 * complete; a small file straight at its final name. The manifest lists only files the journal
 * committed, and a file past the journal's cursor is copied again on resume ('w' truncates), so
 * a small file cut short by a crash is never listed and is written over; the temporary name and
 * the rename (two directory operations per file, and an MD5 of each name) bought nothing for
 * them. A file that fails is removed from the target.
 *
 * Two paths, both measured on the 2-core dev VM (see README "Performance"):
 * - small files (≤ {@link SMALL_FILE}) use synchronous syscalls and hash inline: per-file cost
 *   is dominated by syscalls, and an async round trip through the threadpool per call made
 *   4 KiB files ~3× slower than `cp -r`; sync calls put us at `cp -r` speed. Their fsync is
 *   batched by the caller (per-file fdatasync made 20k × 4 KiB take 10.2 s vs 1.8 s). The
 *   caller may have read the source ahead (smallReadAhead.ts, one async read per file, so
 *   cold reads overlap); the write stays synchronous and in walk order.
 * - large files are copied in 4 MiB chunks by a pool of workers (chunkCopier.ts), several
 *   chunks in flight, and fdatasync'ed once at the end (never per chunk: per-4 MiB fsync cost
 *   ~20%). Where the file systems take it (Linux; not ramfs), both files are opened with
 *   O_DIRECT: the data bypasses the page cache, so a multi-terabyte copy neither evicts
 *   everything else nor leaves gigabytes of dirty pages for the final fdatasync to wait on.
 *   4 GiB on the dev VM: 12.2–15.5 s buffered, 6.2–6.4 s direct (details in chunkCopier.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClock } from '../deps/clock.ts';
import type { Clock } from '../deps/types.ts';
import { InterruptedError } from '../errors.ts';
import {
  isTransientRenameError,
  RENAME_BACKOFF_MS,
  renameRetrying,
} from '../fsutil/retryRename.ts';
import type { ChunkCopier } from './chunkCopier.ts';
import { CHUNK } from './copyChunk.ts';
import { hashChunk, type ChunkKind, type HashedRange } from './hashChunk.ts';
import { overlapsData } from './dataExtents.ts';
import { identityChange, isMissing, SourceChangedError, sourceIdentity } from './sourceIdentity.ts';
import type { SourceIdentity } from '../journal/sourceLedger.ts';
import type { ReadAhead } from './smallReadAhead.ts';

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
  /**
   * Test seam: runs after every byte was read and written, before the source is stat'ed again
   * (where another program's write would land unseen by the copy).
   */
  afterRead?: () => void;
  /** The source of a small file, read ahead (smallReadAhead.ts): written from these bytes. */
  readAhead?: ReadAhead;
}

/** What a copy produced. */
export interface CopiedFile {
  size: number;
  /** Blocks (block blob) or non-zero page ranges (page blob), in file order. */
  ranges: HashedRange[];
  /** True when the data is not fsync'ed yet (small path): the caller batches the barrier. */
  unsynced: boolean;
  /** Which side used direct (unbuffered) I/O. */
  direct: { read: boolean; write: boolean };
  /** The source as it was for the whole copy (the journal keeps it to tell later changes). */
  source: SourceIdentity;
}

/** Name of the temporary file a copy writes before renaming it to `dst`. */
export function tempNameFor(dst: string): string {
  const tag = createHash('md5').update(path.basename(dst), 'utf8').digest('hex').slice(0, 12);
  return path.join(path.dirname(dst), `~dp-${tag}.part`);
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

/** How {@link copyFile} copies a large file. */
export interface LargeFileOptions {
  /** Copies its chunks (read, MD5, write). */
  copier: ChunkCopier;
  /** Direct (unbuffered) I/O where the file systems take it (default true; see the module comment). */
  directIo?: boolean;
  /** Bytes of this file copied so far, after each chunk. */
  onBytes?: (bytesOfThisFile: number) => void;
  /** Waits between tries of the final rename (retryRename.ts); the real clock by default. */
  clock?: Pick<Clock, 'sleep'>;
}

/** Copies one file (see the module comment). Throws {@link NoSpaceError} or {@link SourceChangedError}. */
export async function copyFile(req: CopyRequest, large: LargeFileOptions): Promise<CopiedFile> {
  const before = req.readAhead?.before ?? sourceIdentity(req.relPath, req.src);
  const size = Number(before.size);
  // Small files are written at their final name (see the module comment); large ones under a
  // temporary name, renamed when complete.
  const small = size <= SMALL_FILE;
  const out = small ? req.dst : tempNameFor(req.dst);
  try {
    ensureDir(path.dirname(req.dst));
  } catch (err) {
    if (isNoSpace(err)) throw new NoSpaceError(req.relPath);
    throw err;
  }
  let result: Omit<CopiedFile, 'source'>;
  try {
    result = small
      ? writeSmall(
          req,
          out,
          size,
          req.readAhead ? await req.readAhead.data : readSmall(req.src, size),
        )
      : await copyLarge(req, out, size, large.copier, large.onBytes, large.directIo ?? true);
    req.afterRead?.();
    const what =
      identityChange(before, sourceIdentity(req.relPath, req.src)) ??
      (result.size !== size ? `read ${result.size} of ${size} bytes` : undefined);
    if (what) throw new SourceChangedError(req.relPath, what);
    if (!small) await renameIntoPlace(out, req.dst, large.clock);
  } catch (err) {
    fs.rmSync(out, { force: true });
    if (isNoSpace(err)) throw new NoSpaceError(req.relPath);
    // Gone between the first stat and an open or read of it.
    if (isMissing(err) && !fs.existsSync(req.src))
      throw new SourceChangedError(req.relPath, 'deleted');
    throw err;
  }
  return { ...result, source: before };
}

/**
 * The temp name renamed to the final one: synchronous on the fast path (one syscall per small
 * file matters), retried with backoff when antivirus or the indexer holds the new file.
 */
async function renameIntoPlace(
  tmp: string,
  dst: string,
  clock: Pick<Clock, 'sleep'> = createClock(),
): Promise<void> {
  try {
    fs.renameSync(tmp, dst);
  } catch (err) {
    if (!isTransientRenameError(err)) throw err;
    await clock.sleep(RENAME_BACKOFF_MS[0]!);
    await renameRetrying(() => fs.renameSync(tmp, dst), clock, 1);
  }
}

const smallBuf = Buffer.allocUnsafeSlow(SMALL_FILE + 1);

/**
 * Reads a small file whole into the shared buffer (one byte more than expected: growth shows);
 * a short read once `expected` bytes are in is its end (smallReadAhead.ts readAll says why).
 */
function readSmall(src: string, expected: number): { buf: Buffer; len: number } {
  const fd = fs.openSync(src, 'r');
  let len = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, smallBuf, len, smallBuf.length - len, len);
      if (n === 0) break;
      len += n;
      if (len >= expected || len >= smallBuf.length) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { buf: smallBuf, len };
}

function writeSmall(
  req: CopyRequest,
  dst: string,
  size: number,
  { buf, len }: { buf: Buffer; len: number },
): Omit<CopiedFile, 'source'> {
  if (len !== size) throw new SourceChangedError(req.relPath, `read ${len} of ${size} bytes`);
  // 'w' truncates: a partial copy left at this name by a run that died is written over.
  const out = fs.openSync(dst, 'w', 0o644);
  try {
    let off = 0;
    while (off < len) off += fs.writeSync(out, buf, off, len - off, off);
  } finally {
    fs.closeSync(out);
  }
  const ranges = len === 0 ? [] : hashChunk(buf, len, req.kind, 0);
  return { size: len, ranges, unsynced: true, direct: { read: false, write: false } };
}

/** O_DIRECT where the platform has it (Linux); elsewhere large files are copied buffered. */
const O_DIRECT: number | undefined = fs.constants.O_DIRECT;

/** Devices (st_dev) where direct I/O was accepted at open but failed on use: not tried again. */
export const noDirectDevices = new Set<number>();

/** A descriptor from {@link openForCopy}. */
export interface OpenedFile {
  fd: number;
  direct: boolean;
}

/**
 * Opens `file` for the large-file path (and for verify's reads), with O_DIRECT when `direct` and the file system takes
 * it (ramfs, for one, and tmpfs before Linux 6.6 refuse it at open with EINVAL: then the copy
 * is buffered).
 */
export function openForCopy(file: string, write: boolean, direct: boolean): OpenedFile {
  const base = write
    ? fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC
    : fs.constants.O_RDONLY;
  if (direct && O_DIRECT !== undefined) {
    try {
      const fd = fs.openSync(file, base | O_DIRECT, 0o644);
      if (!noDirectDevices.has(fs.fstatSync(fd).dev)) return { fd, direct: true };
      fs.closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    }
  }
  return { fd: fs.openSync(file, base, 0o644), direct: false };
}

async function copyLarge(
  req: CopyRequest,
  tmp: string,
  size: number,
  copier: ChunkCopier,
  onBytes: ((n: number) => void) | undefined,
  direct: boolean,
): Promise<Omit<CopiedFile, 'source'>> {
  try {
    return await copyLargeOnce(req, tmp, size, copier, onBytes, direct);
  } catch (err) {
    // A file system that accepts O_DIRECT at open but not our aligned requests: copy the file
    // again, buffered, and stop trying direct I/O on both devices.
    if (!direct || (err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    for (const f of [req.src, tmp]) {
      try {
        noDirectDevices.add(fs.statSync(f).dev);
      } catch {
        // gone: nothing to remember
      }
    }
    return copyLargeOnce(req, tmp, size, copier, onBytes, false);
  }
}

async function copyLargeOnce(
  req: CopyRequest,
  tmp: string,
  size: number,
  copier: ChunkCopier,
  onBytes: ((n: number) => void) | undefined,
  direct: boolean,
): Promise<Omit<CopiedFile, 'source'>> {
  const src = openForCopy(req.src, false, direct);
  let dst: OpenedFile | undefined;
  const inflight = new Set<Promise<void>>();
  try {
    dst = openForCopy(tmp, true, direct);
    const out = dst;
    const chunks = Math.ceil(size / CHUNK);
    const results: HashedRange[][] = new Array<HashedRange[]>(chunks);
    let doneBytes = 0;
    // Rejections here come from fs calls and the copier: always Error objects.
    let failure: Error | undefined;
    const isHole = (i: number): boolean =>
      req.dataExtents !== undefined && !overlapsData(req.dataExtents, i * CHUNK, (i + 1) * CHUNK);
    for (let i = 0; i < chunks && failure === undefined; i++) {
      if (req.signal?.aborted) {
        failure = new InterruptedError('interrupted: the copy stopped in the middle of a file', {
          hint: 'run the same command again to resume; that file is copied again from its start',
        });
        break;
      }
      const offset = i * CHUNK;
      const len = Math.min(CHUNK, size - offset);
      if (isHole(i)) {
        results[i] = [];
        doneBytes += len;
        continue;
      }
      // Keep the copier full: as many chunks in flight as it copies at once.
      while (inflight.size >= copier.concurrency) await Promise.race(inflight);
      if (failure !== undefined) break;
      const job = {
        src: src.fd,
        dst: out.fd,
        offset,
        len,
        kind: req.kind,
        srcDirect: src.direct,
        dstDirect: out.direct,
        // A file of one chunk has nothing to overlap with but the chunk's own steps.
        pipelined: chunks === 1,
      };
      const p: Promise<void> = copier
        .copy(job)
        .then(
          (done) => {
            if (done.got !== len) {
              failure ??= new SourceChangedError(
                req.relPath,
                `read ${offset + done.got} of ${size} bytes`,
              );
              return;
            }
            results[i] = done.ranges;
            doneBytes += len;
            onBytes?.(doneBytes);
          },
          (err: unknown) => {
            failure ??= err as Error;
          },
        )
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    if (failure !== undefined) throw failure;
    // Holes at the end of a page blob still count towards the length; direct writes padded the tail.
    fs.ftruncateSync(out.fd, size);
    await fdatasync(out.fd);
    return {
      size,
      ranges: results.flat(),
      unsynced: false,
      direct: { read: src.direct, write: out.direct },
    };
  } finally {
    // Chunks still in flight use the descriptors: let them finish before closing.
    await Promise.allSettled(inflight);
    fs.closeSync(src.fd);
    if (dst) fs.closeSync(dst.fd);
  }
}

const fdatasync = promisify(fs.fdatasync);
