/**
 * The shapes of the shipping step (`diskprep u:` / `diskprep ship`, and the end of `prepare`):
 * the job it works on, the answers it takes from flags, and what it hands back.
 */
import type { ImportServiceKind, ReturnAddress, Shipment } from './importJob.ts';
import type { JobDescriptor } from './job.ts';

/** What the shipping step needs to know about a job (a job descriptor satisfies it). */
export type ShipJob = Pick<JobDescriptor, 'name' | 'service' | 'createdAt'> &
  Partial<Pick<JobDescriptor, 'storageAccount' | 'subscription' | 'resourceGroup' | 'location'>>;

/** The return address as the operator types it (one flag per field). */
export interface ReturnAddressAnswers {
  name?: string;
  phone?: string;
  email?: string;
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

/** Every answer of the shipping step, as flags give them; missing ones are asked. */
export interface ShipAnswersInput {
  carrier?: string;
  trackingNumber?: string;
  driveCount?: number;
  shipDate?: string;
  returnAddress?: ReturnAddressAnswers;
  returnCarrier?: string;
  /** A secret: registered with the redactor, never saved. */
  returnCarrierAccount?: string;
}

/** The answers once complete and checked. */
export interface ShipAnswers {
  shipment: Required<Shipment>;
  returnAddress: ReturnAddress;
  returnShipping: { carrierName: string; carrierAccountNumber: string };
}

/** What the shipping step did. `--json` of `diskprep ship` prints it. */
export interface ShipResult {
  job: string;
  service: ImportServiceKind;
  /** The job's state after the update, in the service's own word (`Shipping`, `ShippedToAzureDC`). */
  state: string;
  shipment: Required<Shipment>;
  returnAddress: ReturnAddress;
  /** The return carrier; the account number is never part of a result. */
  returnShipping: { carrierName: string };
  /** The local file that keeps the details. */
  savedTo: string;
}
