/**
 * The job-state words of the Import/Export service, the same in the classic (ASM) and the ARM
 * (Microsoft.ImportExport) APIs, mapped to diskprep's normalised states.
 */
import type { DriveState, JobState } from '../model/importJob.ts';

/** Service word → normalised state (unknown words map to `unknown` at the call site). */
export const IMPORT_EXPORT_JOB_STATES: Readonly<Record<string, JobState>> = {
  Creating: 'creating',
  Shipping: 'shipping',
  Received: 'received',
  Transferring: 'transferring',
  Packaging: 'packaging',
  Completed: 'completed',
  Closed: 'completed-with-errors',
  ClosedWithErrors: 'completed-with-errors',
  Canceled: 'cancelled',
  Cancelled: 'cancelled',
};

/** Drive-state words of the same service → normalised drive states. */
export const IMPORTEXPORT_DRIVE_STATES: Readonly<Record<string, DriveState>> = {
  Specified: 'specified',
  Received: 'received',
  NeverReceived: 'never-received',
  Transferring: 'transferring',
  Completed: 'completed',
  CompletedMoreInfo: 'completed-with-errors',
  ShippedBack: 'shipped-back',
};
