/**
 * The last return address this computer entered, so the next `diskprep u:` offers it as the
 * default of each question: `<localHome>/return-address.json`. Holds no secret: the return
 * carrier's account number is never written here.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import type { ReturnAddress } from '../importjob/types.ts';
import { localHome } from '../registry/localJobs.ts';

const RememberedSchema = z.object({
  version: z.literal(1),
  returnAddress: z.object({
    recipientName: z.string(),
    streetAddress1: z.string(),
    city: z.string(),
    stateOrProvince: z.string().optional(),
    postalCode: z.string(),
    countryOrRegion: z.string(),
    phone: z.string(),
    email: z.string(),
  }),
  returnCarrier: z.string().optional(),
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

/** The remembered return address; empty when none (or the file is unreadable). */
export async function readRememberedReturn(deps: FsDeps): Promise<RememberedReturn> {
  try {
    const parsed = RememberedSchema.safeParse(
      JSON.parse(await deps.fs.readFile(returnAddressFile(deps), 'utf8')),
    );
    if (!parsed.success) return { returnAddress: {} };
    return {
      returnAddress: parsed.data.returnAddress,
      ...(parsed.data.returnCarrier ? { returnCarrier: parsed.data.returnCarrier } : {}),
    };
  } catch {
    return { returnAddress: {} };
  }
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
