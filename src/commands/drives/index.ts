/**
 * `diskprep drives`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link drives}. */
export interface DrivesOptions {
  all: boolean;
}

/** Not built yet. */
export async function drives(_options: DrivesOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep drives is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
