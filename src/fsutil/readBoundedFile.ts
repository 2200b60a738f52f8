/**
 * The one way diskprep opens a file it did not just write itself (publish settings, job
 * descriptors, journal JSON, manifests, CA files): only a regular file, never more than a
 * stated size.
 *
 * The open uses O_NONBLOCK, so a FIFO given by mistake (or planted in the staging location)
 * cannot block the open waiting for a writer; the descriptor is then fstat()ed, so what is
 * checked is what was opened (no race between a stat and the open). FIFOs, sockets, devices
 * (`/dev/zero` never ends) and folders are refused before a byte is read, and the size limit
 * is enforced on the bytes actually read, so a file that grows while read cannot exhaust memory.
 */
import { constants, type Stats } from 'node:fs';
import fs from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import { UsageError } from '../errors.ts';

/** Limits for files diskprep reads back. */
export const READ_LIMITS = {
  /** Publish settings, job descriptors, journal records, the local job list: a few KiB each in practice. */
  smallFile: 16 * 1024 * 1024,
  /**
   * A drive manifest, read as a stream: about 400 bytes per file plus 140 per 4 MiB block, so
   * a drive of a million files is ~0.5 GiB. 4 GiB leaves room for ten million.
   */
  manifest: 4 * 1024 * 1024 * 1024,
} as const;

/** `--ca-file`: a PEM bundle (the system's whole store is about 200 KiB). */
export const CA_FILE = {
  what: '--ca-file',
  maxBytes: READ_LIMITS.smallFile,
  hint: 'give the path of a PEM file',
} as const;

/** How a file is described in errors, and how big it may be. */
export interface BoundedReadOptions {
  /** What the file is, for messages: `publish settings file`, `job descriptor`, ... */
  what: string;
  maxBytes: number;
  /** The fix to suggest when the file is not what it should be. */
  hint?: string;
  signal?: AbortSignal;
}

// O_NONBLOCK does not exist on Windows (no FIFOs there in this sense): 0 leaves the flag out.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Throws unless `st` is a regular file of at most `maxBytes`. */
function checkStats(st: Stats, file: string, o: BoundedReadOptions): void {
  if (!st.isFile()) {
    throw new UsageError(`${o.what} ${file} is ${kindOf(st)}, not a regular file`, {
      hint: o.hint ?? 'give the path of the file itself',
    });
  }
  if (st.size > o.maxBytes) throw tooBig(file, o);
}

function tooBig(file: string, o: BoundedReadOptions): UsageError {
  return new UsageError(`${o.what} ${file} is bigger than ${o.maxBytes} bytes, too big to be one`, {
    hint: o.hint ?? 'check that the path names the right file',
  });
}

/** ENOENT / ENOTDIR: the file is not there (the caller decides whether that is fine). */
function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function openFailed(err: unknown, file: string, o: BoundedReadOptions): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') {
    return new UsageError(`${o.what} ${file} is a folder, not a regular file`, {
      hint: o.hint ?? 'give the path of the file itself',
    });
  }
  return new UsageError(`cannot read ${o.what} ${file}${code ? ` (${code})` : ''}`, {
    hint:
      code === 'EACCES' || code === 'EPERM'
        ? 'run as a user that can read it'
        : (o.hint ?? 'check the path'),
    cause: err,
  });
}

/**
 * Opens `file` for reading if it is a regular file within the limit. Undefined when it does
 * not exist. The caller closes the handle.
 *
 * @throws UsageError (exit 2) for anything else that is not a readable regular file
 */
export async function openRegularFile(
  fsp: typeof fsPromises,
  file: string,
  o: BoundedReadOptions,
): Promise<{ handle: fsPromises.FileHandle; size: number } | undefined> {
  let handle: fsPromises.FileHandle;
  try {
    handle = await fsp.open(file, OPEN_FLAGS);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw openFailed(err, file, o);
  }
  try {
    const st = await handle.stat();
    checkStats(st, file, o);
    return { handle, size: st.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * The bytes of `file`, or undefined when it does not exist.
 *
 * @throws UsageError (exit 2) when it is not a regular file, is bigger than `maxBytes` (also
 *   when it grows past it while read) or cannot be read
 */
export async function readBoundedFile(
  fsp: typeof fsPromises,
  file: string,
  o: BoundedReadOptions,
): Promise<Buffer | undefined> {
  const opened = await openRegularFile(fsp, file, o);
  if (!opened) return undefined;
  const { handle, size } = opened;
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // One byte past the stated size tells a file that grew since the fstat.
    let want = Math.min(size, o.maxBytes) + 1;
    for (;;) {
      o.signal?.throwIfAborted();
      const buf = Buffer.allocUnsafe(Math.min(Math.max(want, 64 * 1024), o.maxBytes + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > o.maxBytes) throw tooBig(file, o);
      want = 64 * 1024;
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UsageError || (err as Error).name === 'AbortError') throw err;
    throw openFailed(err, file, o);
  } finally {
    await handle.close();
  }
}

/**
 * {@link readBoundedFile} for the few places that must read synchronously (building the deps
 * before any command runs).
 */
export function readBoundedFileSync(file: string, o: BoundedReadOptions): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw openFailed(err, file, o);
  }
  try {
    checkStats(fs.fstatSync(fd), file, o);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, o.maxBytes + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > o.maxBytes) throw tooBig(file, o);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw openFailed(err, file, o);
  } finally {
    fs.closeSync(fd);
  }
}
