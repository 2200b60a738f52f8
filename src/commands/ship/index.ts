/**
 * `diskprep ship`. Placeholder until its issue lands: it says so and exits 1.
 */
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';

/** Options of {@link ship}. */
export interface ShipOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  carrier?: string;
  trackingNumber?: string;
  driveCount?: number;
  shipDate?: string;
  returnAddress: {
    name?: string;
    phone?: string;
    email?: string;
    street?: string;
    city?: string;
    state?: string;
    postalCode?: string;
    country?: string;
  };
  returnCarrier?: string;
  returnCarrierAccount?: string;
  yes: boolean;
}

/** Not built yet. */
export async function ship(_options: ShipOptions, _deps: Deps): Promise<void> {
  throw new DiskprepError('diskprep ship is not available in this build yet', 1, {
    code: 'ERR_DISKPREP_NOT_BUILT',
  });
}
