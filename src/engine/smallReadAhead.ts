/**
 * Reads the next small files of a drive's walk while the current one is written, so the cold
 * reads of the source overlap (a profile of 30k × 4 KiB: 2.8 s of 7.4 s in reads one file
 * after another). Only the source is read ahead: every write to the drive stays in walk order
 * on the main thread (copyFile.ts), so what a crash can leave on the drive is what it could
 * before, and a file whose read fails or finds the source gone fails in its turn, after the
 * files before it.
 *
 * One threadpool round trip per file (the read; stat and open are synchronous, their inodes
 * loaded by the scan): an earlier read-ahead that opened, stat'ed, read and closed each file
 * through the threadpool cost 1.5 s of CPU per 30k files for no gain.
 */
import fs from 'node:fs';
import type { SourceIdentity } from '../journal/sourceLedger.ts';
import { SMALL_FILE } from './copyFile.ts';
import { sourceIdentity } from './sourceIdentity.ts';

/** A small file's source, read (or being read) ahead of its copy. */
export interface ReadAhead {
  /** The source as stat'ed before the read. */
  readonly before: SourceIdentity;
  /** Resolves with the bytes read (up to one more than `before.size`: growth shows). */
  readonly data: Promise<{ buf: Buffer; len: number }>;
}

/** Files read ahead at most (the threadpool has 16 threads: bin/diskprep.js). */
export const READ_AHEAD_FILES = 16;
/** Bytes read ahead at most. */
export const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * Starts reading `absPath` ahead. Never throws: a source that is gone or not small any more
 * gives undefined (its copy then stats it again and fails, or takes the large path, in turn).
 */
export function readAhead(
  relPath: string,
  absPath: string,
  stated?: SourceIdentity,
): ReadAhead | undefined {
  let before: SourceIdentity;
  let fd: number;
  try {
    before = stated ?? sourceIdentity(relPath, absPath);
    if (Number(before.size) > SMALL_FILE) return undefined;
    fd = fs.openSync(absPath, 'r');
  } catch {
    return undefined;
  }
  // Closed synchronously: an async close is a second threadpool round trip per file.
  const data = readAll(
    fd,
    Buffer.allocUnsafe(Number(before.size) + 1),
    Number(before.size),
  ).finally(() => fs.closeSync(fd));
  // Awaited in the file's turn, or dropped when the copy stops before it: never unhandled.
  data.catch(() => {});
  return { before, data };
}

/**
 * Reads `fd` from its start until end of file or `buf` is full. A read that returns fewer bytes
 * than asked once `expected` are in is the end of the file: no second read to see 0 (it was a
 * second threadpool round trip per file, half of the futex calls of a 30k-file copy). A file
 * that grows after that read is caught by the stat after the copy (copyFile.ts).
 */
async function readAll(
  fd: number,
  buf: Buffer,
  expected: number,
): Promise<{ buf: Buffer; len: number }> {
  let len = 0;
  while (len < buf.length) {
    const n = await new Promise<number>((resolve, reject) =>
      fs.read(fd, buf, len, buf.length - len, len, (err, got) =>
        err ? reject(err) : resolve(got),
      ),
    );
    if (n === 0) break;
    len += n;
    if (len >= expected) break;
  }
  return { buf, len };
}
