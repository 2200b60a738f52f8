/**
 * `diskprep verify-import`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link verifyImport}. */
export interface VerifyImportOptions {
  azure: AzureOptions;
  staging: string;
  job?: string;
}

/** Not built yet. */
export async function verifyImport(_options: VerifyImportOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep verify-import is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
