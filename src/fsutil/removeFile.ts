/** Removing a file that may already be gone. */
import type * as fsPromises from 'node:fs/promises';

/**
 * Removes `file`; true when it was there, false when it was not (any other failure throws: a file
 * that should have gone and did not is never reported as removed).
 */
export async function removeIfPresent(fs: typeof fsPromises, file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
