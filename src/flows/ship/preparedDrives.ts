/**
 * How many drives were prepared for a job, read from the copy journal through the engine's
 * reader ({@link readPreparedDrives}), so the journal has one reader. The BitLocker keys the
 * records hold are registered with the redactor there and never leave this function.
 */
import type { Deps } from '../../deps/types.ts';
import { readPreparedDrives } from '../../journal/copyState.ts';

/**
 * The number of complete drives in the job's journal; undefined when there is no journal (the
 * drives were prepared elsewhere) or it cannot be read.
 */
export async function countPreparedDrives(
  deps: Deps,
  staging: string,
  job: string,
): Promise<number | undefined> {
  try {
    const n = (await readPreparedDrives(deps, staging, job)).filter((d) => d.complete).length;
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
