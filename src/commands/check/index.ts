/**
 * `diskprep check`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link check}. */
export interface CheckOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
}

/** Not built yet. */
export async function check(_options: CheckOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep check is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
