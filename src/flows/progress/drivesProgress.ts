/**
 * Progress of several drives filled at once: a line per drive (bytes, files, rate, ETA) and one
 * for the job, each within 80 columns, redrawn in place at most every 200 ms on a TTY; nothing
 * on a non-TTY or under --json. With one drive being filled, the single progress line
 * (progressLine.ts) is drawn instead.
 */
import type { Deps } from '../../deps/types.ts';
import type { CopyProgress, DriveProgress } from '../../engine/copyJob.ts';
import { formatBytes } from '../../format.ts';
import { createProgressReporter, formatDuration, progressBar } from './progressLine.ts';

/** Columns every line fits in. */
const WIDTH = 80;

/** Where a drive's rate is measured from. */
interface Start {
  at: number;
  bytes: number;
}

/** One drive's line: `drive 2 PX2      1.2 GiB  340 files   85.0 MiB/s  ETA 0:42`. */
export function driveLine(d: DriveProgress, rate: number): string {
  const left = d.planned !== undefined ? Math.max(0, d.planned - d.bytes) : undefined;
  const eta = left !== undefined && rate > 0 ? formatDuration(left / rate) : '--:--';
  const id = d.driveId.length > 16 ? `${d.driveId.slice(0, 15)}…` : d.driveId;
  const line =
    `drive ${String(d.index + 1).padStart(2)} ${id.padEnd(16)} ` +
    `${formatBytes(d.bytes).padStart(10)} ${String(d.files).padStart(8)} files ` +
    `${`${formatBytes(rate)}/s`.padStart(12)}  ETA ${eta}`;
  return line.slice(0, WIDTH);
}

/** The job's line: bar, bytes done of all, files, rate, ETA. */
export function jobLine(p: CopyProgress, rate: number): string {
  const { bar, eta } = progressBar(p.done.bytes, p.total.bytes, rate);
  const line =
    `job ${bar} ${formatBytes(p.done.bytes)}/${formatBytes(p.total.bytes)} ` +
    `${p.done.files}/${p.total.files} files ${formatBytes(rate)}/s ETA ${eta}`;
  return line.slice(0, WIDTH);
}

/** The progress reporter of a copy: lines per drive when several fill at once. */
export function createDrivesReporter(deps: Deps, quiet: boolean): (p: CopyProgress) => void {
  const single = createProgressReporter(deps, quiet);
  const starts = new Map<number, Start>();
  let job: Start | undefined;
  let last = -Infinity;
  const rate = (s: Start, bytes: number, now: number): number => {
    const secs = (now - s.at) / 1000;
    return secs > 0.5 ? (bytes - s.bytes) / secs : 0;
  };
  return (p) => {
    const drives = p.drives ?? [p.drive];
    const now = deps.clock.monotonic();
    job ??= { at: now, bytes: p.done.bytes };
    for (const d of drives)
      if (!starts.has(d.index)) starts.set(d.index, { at: now, bytes: d.bytes });
    if (drives.length <= 1) {
      single(p);
      return;
    }
    if (quiet || !deps.terminal.isTTY || now - last < 200) return;
    last = now;
    const lines = drives.map((d) => driveLine(d, rate(starts.get(d.index)!, d.bytes, now)));
    lines.push(jobLine(p, rate(job, p.done.bytes, now)));
    deps.terminal.status(lines.join('\n'));
  };
}
