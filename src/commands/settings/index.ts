/**
 * `diskprep settings`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link settings}. */
export interface SettingsOptions {
  publishSettings: string;
  subscription?: string;
}

/** Not built yet. */
export async function settings(_options: SettingsOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep settings is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
