/**
 * What the operator reads before committing: the job's state with its drives, the shipping
 * rules, and the review of every answer (the carrier account masked).
 */
import type { Terminal } from '../../deps/types.ts';
import type { JobStatus, ReturnAddress } from '../../model/importJob.ts';
import type { ShipAnswers } from '../../model/shipping.ts';
import { DEFAULT_COLUMNS, wrapLines } from '../../format.ts';

/** The rules of shipping drives to an import job (azure-importexport.md §5.2). */
export const SHIPPING_RULES = [
  'one package and one tracking number per job',
  'never put drives of different jobs in the same package',
  'ship within two weeks of creating the job, or the service may delete it',
] as const;

/** Printable job state: the job line and one line per drive (serial, state, progress). */
export function jobStateLines(job: JobStatus): string[] {
  const lines = [`job ${job.name} (${job.service}): ${job.serviceState}`];
  if (job.drives.length === 0) lines.push('  the service lists no drives yet');
  for (const d of job.drives) {
    const pct = d.percentComplete !== undefined ? `, ${d.percentComplete}%` : '';
    lines.push(`  drive ${d.driveId}: ${d.serviceState}${pct}`);
  }
  return lines;
}

/** One line of a return address. */
export function addressLine(a: ReturnAddress): string {
  return [
    a.streetAddress1,
    a.city,
    [a.stateOrProvince, a.postalCode].filter(Boolean).join(' '),
    a.countryOrRegion,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The review block: every answer, the account number masked; lines of at most `width` (a long
 * value goes on under itself).
 */
export function reviewLines(
  job: string,
  service: string,
  a: ShipAnswers,
  width = DEFAULT_COLUMNS,
): string[] {
  const rows: [string, string][] = [
    ['carrier to the datacenter', a.shipment.carrierName],
    ['tracking number', a.shipment.trackingNumber],
    ['drives in the package', String(a.shipment.driveCount)],
    ['ship date', a.shipment.shipDate],
    [
      'return contact',
      `${a.returnAddress.recipientName}, ${a.returnAddress.phone}, ${a.returnAddress.email}`,
    ],
    ['return address', addressLine(a.returnAddress)],
    ['return carrier', a.returnShipping.carrierName],
    ['return carrier account', maskAccount(a.returnShipping.carrierAccountNumber)],
  ];
  const keys = Math.max(...rows.map(([k]) => k.length)) + 1;
  return wrapLines(
    [
      `Shipping details for job ${job} (${service}):`,
      ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(keys)} ${v}`),
    ],
    width,
    keys + 1,
  );
}

/** A mask that shows the account exists without any of its characters. */
export function maskAccount(account: string): string {
  return `${'•'.repeat(Math.min(Math.max(account.length, 4), 12))} (hidden)`;
}

/** Prints the rules on stderr. */
export function printRules(terminal: Terminal): void {
  terminal.info('Shipping rules:');
  for (const r of SHIPPING_RULES) terminal.info(`  - ${r}`);
}
