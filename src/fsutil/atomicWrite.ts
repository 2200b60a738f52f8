/**
 * Atomic file writes: a reader (or a resumed run after power loss) sees the old content or
 * the new, never a torn file. Write a temporary sibling, fsync it, rename over the target,
 * fsync the directory.
 */
import { randomBytes } from 'node:crypto';
import type * as fsPromises from 'node:fs/promises';
import path from 'node:path';
import { createClock } from '../deps/clock.ts';
import type { Clock } from '../deps/types.ts';
import { renameRetrying } from './retryRename.ts';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of the new file, e.g. 0o600 for anything holding a secret. */
  mode?: number;
  /** Waits between rename tries (retryRename.ts); the real clock unless a test passes one. */
  clock?: Pick<Clock, 'sleep'>;
}

/** Writes `data` to `file` atomically (same-directory temp file + fsync + rename). */
export async function writeFileAtomic(
  fs: typeof fsPromises,
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o644;
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    // open() applies the umask; chmod makes the mode exact (0600 must mean 0600).
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // Antivirus and the indexer hold a new file briefly on Windows: retried (retryRename.ts).
    await renameRetrying(() => fs.rename(tmp, file), options.clock ?? createClock());
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(fs, dir);
}

/** fsyncs a directory so a rename inside it survives power loss (a no-op where unsupported). */
export async function syncDir(fs: typeof fsPromises, dir: string): Promise<void> {
  let h: fsPromises.FileHandle | undefined;
  try {
    h = await fs.open(dir, 'r');
    await h.sync();
  } catch {
    // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  } finally {
    await h?.close();
  }
}
