/**
 * The local copy of what was sent to the service when the drives shipped, like the file
 * AzureOfflineBackupDiskPrep `u:` leaves behind: `<staging>/.diskprep/journal/<job>/shipping.json`
 * when the staging location is known, else `<localHome>/shipping/<job>.json`. It never holds the
 * return carrier's account number.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { localHome } from '../registry/localJobs.ts';
import { journalDir } from '../staging/layout.ts';
import type { ShipResult } from './types.ts';

/** Where the shipping details of `job` are kept. */
export function shippingRecordPath(
  deps: Pick<Deps, 'env' | 'platform'>,
  job: string,
  staging: string | undefined,
): string {
  return staging
    ? path.join(journalDir(staging, job), 'shipping.json')
    : path.join(localHome(deps), 'shipping', `${job}.json`);
}

/** Writes the record atomically (mode 0600: it holds personal contact data). */
export async function saveShippingRecord(
  deps: Pick<Deps, 'env' | 'platform' | 'fs' | 'clock'>,
  file: string,
  result: Omit<ShipResult, 'savedTo'>,
): Promise<void> {
  await deps.fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const record = {
    version: 1,
    savedAt: deps.clock.now().toISOString(),
    job: result.job,
    service: result.service,
    state: result.state,
    shipment: result.shipment,
    returnAddress: result.returnAddress,
    returnShipping: { carrierName: result.returnShipping.carrierName },
  };
  await writeFileAtomic(deps.fs, file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}
