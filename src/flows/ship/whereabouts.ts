/**
 * Where a job is once its shipping details were entered: what `u:` shows (exit 0) instead of
 * asking for details the service no longer takes, and what `s:` says when it is run again on
 * such a job. Per state of the service (./jobStates.ts): the state and what it means, the
 * package's carrier and tracking number, what can still be changed, and what comes next.
 */
import type { JobStatus } from '../../model/importJob.ts';
import { explainState, nextStep, stillChangeable } from './jobStates.ts';

/** The `--json` document of a job past shipping (`u:` sends nothing). */
export interface Whereabouts {
  job: string;
  service: JobStatus['service'];
  /** The service's own word (`Shipping`, `ShippedToAzureDC`, `Completed`). */
  state: string;
  /** False: nothing was sent, the details were entered before. */
  sent: false;
  /** The package to the datacenter, as the service has it; null when it does not say. */
  shipment: { carrierName: string | null; trackingNumber: string | null } | null;
  /** What the operator can still change, each with where. */
  stillChangeable: string[];
  /** What comes next. */
  next: string;
}

/** The commands {@link nextStep} names. */
export interface NextCommands {
  shipCommand: string;
  verifyCommand: string;
}

/** Where the job is, for `--json`. */
export function whereabouts(status: JobStatus, how: NextCommands): Whereabouts {
  const p = status.deliveryPackage;
  return {
    job: status.name,
    service: status.service,
    state: status.serviceState,
    sent: false,
    shipment:
      p && (p.carrierName || p.trackingNumber)
        ? { carrierName: p.carrierName ?? null, trackingNumber: p.trackingNumber ?? null }
        : null,
    stillChangeable: stillChangeable(status),
    next: nextStep(status, how),
  };
}

/** Where the job is, as lines for people. */
export function whereaboutsLines(status: JobStatus, how: NextCommands): string[] {
  const w = whereabouts(status, how);
  const lines = [
    `job ${w.job} (${w.service}) is ${w.state}: ${explainState(status)}`,
    ...(w.shipment
      ? [
          `  shipped: ${[w.shipment.carrierName, w.shipment.trackingNumber].filter(Boolean).join(' ')}`,
        ]
      : []),
  ];
  if (w.stillChangeable.length > 0) {
    lines.push('What can still be changed:');
    for (const c of w.stillChangeable) lines.push(`  - ${c}`);
  } else lines.push('Nothing about the job can be changed any more.');
  lines.push(`next: ${w.next}`);
  return lines;
}
