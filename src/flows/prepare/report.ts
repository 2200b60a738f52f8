/**
 * What `s:` prints: the review before the job is created (stderr, for the operator) and the
 * result (stdout): the drives, the job, where to ship, the carriers, which serial goes on which
 * drive, and the shipping rules. The `--json` document never holds a BitLocker key.
 */
import type { Deps } from '../../deps/types.ts';
import type { ChangedSinceCopied } from '../../engine/copyJob.ts';
import { count, formatBytes, screenColumns, wrapLine, wrapLines } from '../../format.ts';
import type { PreparedDrive } from '../../journal/copyState.ts';
import type { DatacenterAddress } from '../../model/importJob.ts';
import { SHIPPING_RULES, type ShipResult } from '../ship/index.ts';
import type { JobDescriptor, ServiceKind } from '../../model/job.ts';
import { awaitsDrives } from './jobWords.ts';

/** One drive in the result (no key). */
export interface DriveResult {
  driveId: string;
  manifestFile: string;
  manifestHash: string | undefined;
  files: number;
  bytes: number;
  complete: boolean;
  /** The drive-info XML in the journal (mode 0600: it holds the key). */
  driveInfoFile: string;
}

/** The result of `s:`; `--json` prints it as is. */
export interface PrepareResult {
  job: string;
  service: ServiceKind;
  storageAccount: string;
  container: string;
  location: string | null;
  sessionId: string | null;
  offline: boolean;
  dryRun: boolean;
  /** The job exists on the service (created by this run or an earlier one). */
  created: boolean;
  /** This run created it. */
  createdNow: boolean;
  /** Same as `created` (the name the first builds used). */
  jobCreated: boolean;
  state: string | null;
  files: number;
  bytes: number;
  resumedFiles: number;
  /** Files an earlier run put on a drive whose source changed since (the drive holds them as they were). */
  changedSinceCopied: ChangedSinceCopied;
  drives: DriveResult[];
  shipTo: (DatacenterAddress & { location: string }) | null;
  carriers: string[];
  rules: readonly string[];
  note: string;
  /** Shipping details entered right away (`--ship-now`), else null. */
  shipment: Omit<ShipResult, 'returnAddress'> | null;
}

/** A result drive from a journal drive (drops the key). */
export function driveResult(d: PreparedDrive, driveInfoFile: string): DriveResult {
  return {
    driveId: d.driveId,
    manifestFile: d.manifestFile,
    manifestHash: d.manifestHash,
    files: d.files,
    bytes: d.bytes,
    complete: d.complete,
    driveInfoFile,
  };
}

/** A drive's two lines: its id, files and bytes; then its manifest and the manifest's MD5. */
function driveLines(lead: string, d: DriveResult, notWritten: string): string[] {
  return [
    `${lead}${d.driveId}: ${count(d.files, 'file')}, ${formatBytes(d.bytes)}`,
    `    manifest ${d.manifestFile}, MD5 ${d.manifestHash ?? notWritten}`,
  ];
}

/**
 * A drive just completed, for the line after its progress: what it holds, then its manifest and
 * MD5 under it, at most `width` columns (the first line follows a `✓ `).
 */
export function driveCompleteLines(
  d: Pick<DriveResult, 'driveId' | 'files' | 'bytes' | 'manifestHash'>,
  manifestPath: string,
  width: number,
): string[] {
  return [
    ...wrapLine(
      `drive ${d.driveId} complete: ${count(d.files, 'file')}, ${formatBytes(d.bytes)}`,
      width - 2,
    ),
    ...wrapLines(
      [`  manifest ${manifestPath}`, `  MD5 ${d.manifestHash ?? '(not written)'}`],
      width,
    ),
  ];
}

/** The review of what was prepared, before the job is created: lines of at most `width`. */
export function reviewLines(
  job: JobDescriptor,
  service: ServiceKind,
  location: string | undefined,
  drives: DriveResult[],
  width: number,
): string[] {
  const files = drives.reduce((n, d) => n + d.files, 0);
  const bytes = drives.reduce((n, d) => n + d.bytes, 0);
  const lines = [
    `Review of job ${job.name}:`,
    `  service:          ${service}`,
    `  storage account:  ${job.storageAccount}, container ${job.container}${job.prefix ? `, prefix ${job.prefix}` : ''}`,
    `  location:         ${location ?? '(none recorded)'}`,
    `  data:             ${count(files, 'file')}, ${formatBytes(bytes)} on ${count(drives.length, 'drive')}`,
    ...drives.flatMap((d, i) => driveLines(`  drive ${i + 1}:`.padEnd(20), d, '(not written)')),
  ];
  return wrapLines(lines, width, 20);
}

/** The review of what was prepared, before the job is created (stderr). */
export function printReview(
  deps: Deps,
  job: JobDescriptor,
  service: ServiceKind,
  location: string | undefined,
  drives: DriveResult[],
): void {
  for (const l of reviewLines(job, service, location, drives, screenColumns(deps.terminal)))
    deps.terminal.info(l);
}

/** The result as lines of at most `width` (stdout). */
export function resultLines(r: PrepareResult, width: number): string[] {
  const lines = [
    `job ${r.job} (${r.service}): ${count(r.files, 'file')}, ${formatBytes(r.bytes)} on ${count(r.drives.length, 'drive')}${r.sessionId ? `, folder \\${r.sessionId}\\` : ''}`,
  ];
  for (const d of r.drives) {
    lines.push(...driveLines('  ', d, '(not written yet)'));
    lines.push(`    drive info: ${d.driveInfoFile}`);
  }
  lines.push(r.note);
  // Past shipping, where to ship and the rules of shipping are no longer the operator's step.
  if (!awaitsDrives(r)) return wrapLines(lines, width);
  if (r.shipTo) {
    lines.push(`Ship the drives to (${r.shipTo.location}):`);
    for (const l of r.shipTo.lines) lines.push(`  ${l}`);
    if (r.shipTo.instructions) lines.push(`  ${r.shipTo.instructions}`);
  }
  if (r.carriers.length > 0) lines.push(`Carriers the service takes: ${r.carriers.join(', ')}`);
  if (r.drives.length > 0) {
    lines.push('Write on each drive (and keep the list with the package):');
    r.drives.forEach((d, i) =>
      lines.push(`  drive ${i + 1} of ${r.drives.length}: serial ${d.driveId}, job ${r.job}`),
    );
  }
  lines.push('Rules:');
  for (const rule of SHIPPING_RULES) lines.push(`  - ${rule}`);
  return wrapLines(lines, width);
}

/** The result as lines on stdout. */
export function printResult(deps: Deps, r: PrepareResult): void {
  for (const l of resultLines(r, screenColumns(deps.terminal))) deps.output.line(l);
}
