/**
 * What tells a source file's content apart from one moment to the next without reading it:
 * size, modification time, change time, inode and device. The change time (ctime) is the one
 * a program cannot set: overwriting bytes and then restoring the modification time (`touch -d`,
 * utimes) leaves size and mtime as they were, but moves ctime. Taken in nanoseconds (bigint
 * stat), so two changes a microsecond apart differ. Where the file system stamps times with a
 * coarse clock (a few ms on older kernels), a rewrite in the same tick as the earlier change is
 * not seen: no cheaper signal exists short of reading the file again.
 */
import fs from 'node:fs';
import { DiskprepError, ExitCode } from '../errors.ts';
import type { SourceIdentity } from '../journal/sourceLedger.ts';

/** A source file changed (or went away) while it was copied. */
export class SourceChangedError extends DiskprepError {
  constructor(relPath: string, what: string) {
    super(`${relPath} changed while it was being copied (${what})`, ExitCode.failure, {
      code: 'ERR_DISKPREP_SOURCE_CHANGED',
      hint: 'stop whatever writes to the staging location, then run the same command again: it resumes at this file',
    });
  }
}

/** True for the error of a path that does not exist (any more). */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * The identity of the regular file at `abs`. A file that is gone, or is no longer a regular
 * file, is a {@link SourceChangedError} naming `relPath`.
 */
export function sourceIdentity(relPath: string, abs: string): SourceIdentity {
  return identityOf(statSource({ relPath, absPath: abs }));
}

/** The identity a bigint stat of the file read. */
export function identityOf(st: fs.BigIntStats): SourceIdentity {
  return { size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino, dev: st.dev };
}

/** stat(2) of a source file, with the errors of {@link sourceIdentity}. */
export function statSource(f: { relPath: string; absPath: string }): fs.BigIntStats {
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(f.absPath, { bigint: true });
  } catch (err) {
    if (isMissing(err)) throw new SourceChangedError(f.relPath, 'deleted');
    throw err;
  }
  if (!st.isFile()) throw new SourceChangedError(f.relPath, 'no longer a regular file');
  return st;
}

/**
 * What differs between two identities of one file, in words; undefined when nothing does.
 * Across runs (`sameMount: false`) inode and device numbers are not compared: a network share
 * or FUSE file system mounted again gets new ones for the same files.
 */
export function identityChange(
  before: SourceIdentity,
  after: SourceIdentity,
  { sameMount = true }: { sameMount?: boolean } = {},
): string | undefined {
  if (after.size !== before.size) return `size ${before.size} → ${after.size} bytes`;
  if (sameMount && (after.ino !== before.ino || after.dev !== before.dev))
    return 'replaced by another file';
  if (after.mtimeNs !== before.mtimeNs) return 'modification time changed';
  if (after.ctimeNs !== before.ctimeNs)
    return 'rewritten or its attributes changed: its change time moved';
  return undefined;
}
