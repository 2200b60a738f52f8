/**
 * `diskprep init`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link init}. */
export interface InitOptions {
  staging: string;
  job: string;
  service: 'classic' | 'databox' | 'importexport' | 'offline';
  storageAccount: string;
  container: string;
  prefix?: string;
  subscription?: string;
  resourceGroup?: string;
  location?: string;
  blobType: 'page' | 'block' | 'auto';
  data?: string;
  force: boolean;
}

/** Not built yet. */
export async function init(_options: InitOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep init is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
