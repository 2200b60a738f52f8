/**
 * What a job's state means for the operator: whether it takes shipping details now, and what
 * to do next. Classic and Microsoft.ImportExport take them while the job is `Creating`
 * (reference/azure-importexport.md §3.2: State=Shipping only from Creating); Data Box
 * customer-disk jobs only while `AwaitingShipmentDetails` (markDevicesShipped, §5 of
 * reference/databox-customer-disk.md).
 */
import type { JobStatus } from '../../model/importJob.ts';

/** True when the service takes the shipping details in this state. */
export function acceptsShippingDetails(job: Pick<JobStatus, 'service' | 'serviceState'>): boolean {
  if (job.service === 'databox') return job.serviceState === 'AwaitingShipmentDetails';
  return job.serviceState === 'Creating';
}

/** States a job reaches once its shipping details were entered (the drives are on their way or back). */
const STATES_AFTER_SHIPPING: ReadonlySet<JobStatus['state']> = new Set([
  'shipping',
  'received',
  'transferring',
  'packaging',
  'returning',
  'completed',
  'completed-with-errors',
]);

/** True once the job's shipping details were entered: `u:` has nothing left to send. */
export function isPastShipping(job: Pick<JobStatus, 'state'>): boolean {
  return STATES_AFTER_SHIPPING.has(job.state);
}

/**
 * What the operator can still change about a job past shipping, per state. Classic and
 * Microsoft.ImportExport take new return details until the datacenter packs the drives
 * (reference/azure-importexport.md: ReturnAddress, ReturnShipping "until the job reaches
 * Packaging"); a Data Box job's return carrier details are a PATCH of the job
 * (reference/databox-customer-disk.md §4) until the drives are on their way back. Cancelling
 * follows the service's own word (`cancellable`), as `diskprep cancel` does.
 */
export function stillChangeable(
  job: Pick<JobStatus, 'name' | 'service' | 'state' | 'cancellable'>,
): string[] {
  const out: string[] = [];
  const beforePacking = ['shipping', 'received', 'transferring'].includes(job.state);
  if (beforePacking)
    out.push(
      job.service === 'databox'
        ? 'the return carrier and its account: in the Azure portal, until the drives are shipped back'
        : 'the return address, carrier and account: in the Azure portal, until the datacenter packs the drives',
    );
  if (job.cancellable === true) out.push(`cancelling the job: diskprep cancel --job ${job.name}`);
  else if (beforePacking) out.push('not the shipment, and the job can no longer be cancelled');
  return out;
}

/** One sentence on what the job's state means, for a job that does not take shipping details. */
export function explainState(job: JobStatus): string {
  const shipped = job.deliveryPackage?.trackingNumber
    ? ` (${[job.deliveryPackage.carrierName, job.deliveryPackage.trackingNumber].filter(Boolean).join(' ')})`
    : '';
  switch (job.state) {
    case 'creating':
      return 'the service is still setting the job up; it takes shipping details once it waits for them';
    case 'shipping':
      return `its shipping details were already entered${shipped}; the service waits for the drives to arrive at the datacenter`;
    case 'received':
      return 'the datacenter has received the drives; copying starts within a few days';
    case 'transferring':
      return 'the datacenter is copying the drives into the storage account';
    case 'packaging':
      return 'the copy is done and the datacenter is packing the drives to send them back';
    case 'returning':
      return 'the drives are on their way back to you';
    case 'completed':
      return 'the import finished without errors';
    case 'completed-with-errors':
      return 'the import finished with errors; see diskprep status for the error logs';
    case 'failed':
      return 'the job failed; see diskprep status and the Azure portal';
    case 'cancelled':
      return 'the job was cancelled; create a new one to ship drives';
    case 'unknown':
      return 'diskprep does not know this state; see the job in the Azure portal';
  }
}

/** What the operator does next, for `diskprep status`. */
export function nextStep(
  job: Pick<JobStatus, 'service' | 'serviceState' | 'state'>,
  how: { shipCommand: string; verifyCommand: string },
): string {
  if (acceptsShippingDetails(job))
    return `waiting for shipping details: ship the drives, then run ${how.shipCommand}`;
  switch (job.state) {
    case 'creating':
      return 'the service is setting the job up: check again in a few minutes';
    case 'shipping':
      return 'waiting for the drives to arrive at the datacenter: nothing to do until then';
    case 'received':
    case 'transferring':
      return 'the datacenter is copying the drives: check again later';
    case 'packaging':
    case 'returning':
      return `the copy is done: check the imported data with ${how.verifyCommand}`;
    case 'completed':
      return `done: check the imported data with ${how.verifyCommand}, then clean up the staging location`;
    case 'completed-with-errors':
    case 'failed':
      return `see the errors above; ${how.verifyCommand} lists what is missing, then re-import it with a new job`;
    case 'cancelled':
      return 'the job was cancelled: nothing more will happen to it';
    case 'unknown':
      return 'see the job in the Azure portal';
  }
}
