/**
 * `diskprep prepare`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link prepare}. */
export interface PrepareOptions {
  azure: AzureOptions;
  staging: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  targets: string[];
  drives: string[];
  driveIds: string[];
  bitlockerKeys: string[];
  alreadyEncrypted: boolean;
  alreadyFormatted: boolean;
  offline: boolean;
  yes: boolean;
}

/** Not built yet. */
export async function prepare(_options: PrepareOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep prepare is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
