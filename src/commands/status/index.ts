/**
 * `diskprep status`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link status}. */
export interface StatusOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
}

/** Not built yet. */
export async function status(_options: StatusOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep status is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
