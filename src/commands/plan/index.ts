/**
 * `diskprep plan`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link plan}. */
export interface PlanOptions {
  staging: string;
  job?: string;
  driveSize: string;
}

/** Not built yet. */
export async function plan(_options: PlanOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep plan is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
