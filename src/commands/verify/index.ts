/**
 * `diskprep verify`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link verify}. */
export interface VerifyOptions {
  targets: string[];
}

/** Not built yet. */
export async function verify(_options: VerifyOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep verify is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
