/**
 * The last return address this computer entered, so the next `diskprep u:` offers it as the
 * default of each question: `<localHome>/return-address.json`. Holds no secret: the return
 * carrier's account number is never written here.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { RememberedAddressSchema, type ReturnAddress } from '../model/importJob.ts';
import { localHome } from './localJobs.ts';

/** The schema of the file, for the writer and the reader: the fields by the job requests' rules. */
const RememberedSchema = z.object({
  version: z.literal(1),
  returnAddress: RememberedAddressSchema,
  returnCarrier: z.string().min(1).optional(),
});

/** What is remembered. */
export interface RememberedReturn {
  returnAddress: Partial<ReturnAddress>;
  returnCarrier?: string;
}

type FsDeps = Pick<Deps, 'env' | 'platform' | 'fs'>;

/** `<localHome>/return-address.json`. */
export function returnAddressFile(deps: Pick<Deps, 'env' | 'platform'>): string {
  return path.join(localHome(deps), 'return-address.json');
}

/**
 * The remembered return address; empty when none.
 *
 * @throws UsageError (exit 2) naming the file and the field when the file is damaged
 */
export async function readRememberedReturn(deps: FsDeps): Promise<RememberedReturn> {
  const file = returnAddressFile(deps);
  const data = await readJsonFile(deps.fs, file, RememberedSchema, {
    what: 'the remembered return address',
    hint: `delete ${file}: diskprep asks for the address again and remembers it anew`,
  });
  if (!data) return { returnAddress: {} };
  return {
    returnAddress: data.returnAddress,
    ...(data.returnCarrier ? { returnCarrier: data.returnCarrier } : {}),
  };
}

/** Remembers the return address and carrier name (not the account), atomically. */
export async function rememberReturn(
  deps: FsDeps,
  address: ReturnAddress,
  returnCarrier: string,
): Promise<string> {
  const file = returnAddressFile(deps);
  const data = RememberedSchema.parse({
    version: 1,
    returnAddress: {
      recipientName: address.recipientName,
      streetAddress1: address.streetAddress1,
      city: address.city,
      ...(address.stateOrProvince ? { stateOrProvince: address.stateOrProvince } : {}),
      postalCode: address.postalCode,
      countryOrRegion: address.countryOrRegion,
      phone: address.phone,
      email: address.email,
    },
    returnCarrier,
  });
  await deps.fs.mkdir(path.dirname(file), { recursive: true });
  // Personal contact data: readable by this user only.
  await writeFileAtomic(deps.fs, file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  return file;
}
