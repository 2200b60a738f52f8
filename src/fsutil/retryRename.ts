/**
 * Renames that survive Windows' everyday interference: antivirus scanners and the search indexer
 * open a file the moment it is written and hold it briefly, and a rename over or of that file then
 * fails with EPERM, EACCES or EBUSY for a fraction of a second. Retried with backoff: 5 tries over
 * ~0.9 s, then the last error stands (a real permission problem is not hidden, only delayed).
 */
import type { Clock } from '../deps/types.ts';

/** Waits before the 2nd, 3rd, 4th and 5th try. */
export const RENAME_BACKOFF_MS: readonly number[] = [60, 120, 240, 480];

/** Error codes a briefly held file gives on Windows. */
const TRANSIENT = new Set(['EPERM', 'EACCES', 'EBUSY']);

/** True for an error worth another try. */
export function isTransientRenameError(err: unknown): boolean {
  return TRANSIENT.has((err as NodeJS.ErrnoException | null)?.code ?? '');
}

/**
 * Runs `rename` (sync or async) with the backoff above; `clock.sleep` waits (tests pass a fake).
 * `firstAttempt` > 0 continues a sequence whose first tries the caller made itself.
 */
export async function renameRetrying(
  rename: () => void | Promise<void>,
  clock: Pick<Clock, 'sleep'>,
  firstAttempt = 0,
): Promise<void> {
  for (let attempt = firstAttempt; ; attempt++) {
    try {
      await rename();
      return;
    } catch (err) {
      const wait = RENAME_BACKOFF_MS[attempt];
      if (wait === undefined || !isTransientRenameError(err)) throw err;
      await clock.sleep(wait);
    }
  }
}
