/**
 * The local copy of what was sent to the service when the drives shipped, like the file
 * AzureOfflineBackupDiskPrep `u:` leaves behind: `<staging>/.diskprep/journal/<job>/shipping.json`
 * when the staging location is known, else `<localHome>/shipping/<job>.json`. It never holds the
 * return carrier's account number.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { ReturnAddressSchema, ShipmentSchema } from '../model/importJob.ts';
import { localHome } from '../registry/localJobs.ts';
import { journalDir } from './layout.ts';
import { SERVICES } from '../model/job.ts';
import type { ShipResult } from '../model/shipping.ts';

/** The schema of a shipping record, for the writer and the reader alike. */
const ShippingRecordSchema = z.object({
  version: z.literal(1),
  savedAt: z.iso.datetime({ offset: true }),
  job: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a job name'),
  service: z.enum(SERVICES),
  state: z.string().max(100),
  shipment: ShipmentSchema.required(),
  returnAddress: ReturnAddressSchema,
  /** The carrier only: the account number is never saved. */
  returnShipping: z.object({ carrierName: z.string().min(1) }).strict(),
});
/** What a shipping record holds. */
export type ShippingRecord = z.infer<typeof ShippingRecordSchema>;

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
  const record = ShippingRecordSchema.parse({
    version: 1,
    savedAt: deps.clock.now().toISOString(),
    job: result.job,
    service: result.service,
    state: result.state,
    shipment: result.shipment,
    returnAddress: result.returnAddress,
    returnShipping: { carrierName: result.returnShipping.carrierName },
  });
  await writeFileAtomic(deps.fs, file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The shipping record of `job` kept at `file`, or undefined when there is none.
 *
 * @throws UsageError (exit 2) naming the file and the field when it breaks the writer's rules
 */
export async function readShippingRecord(
  deps: Pick<Deps, 'fs'>,
  file: string,
  job: string,
): Promise<ShippingRecord | undefined> {
  const ofThisJob = ShippingRecordSchema.refine((r) => r.job === job, {
    path: ['job'],
    message: `must be "${job}", the job it is kept for`,
  });
  return readJsonFile(deps.fs, file, ofThisJob, {
    what: 'shipping record',
    hint: 'restore it from a backup, or delete it (the service keeps the shipping details too)',
  });
}
