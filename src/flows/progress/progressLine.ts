/**
 * The per-drive progress line on stderr: bytes, files, rate, ETA. Redrawn at most every
 * 200 ms on a TTY; nothing on a non-TTY or under --json (a final summary is printed instead).
 * The line fits the terminal (80 columns when its width is unknown): what a narrow terminal
 * cannot hold is left out in a fixed order (the drive's own counts, then bar width, then the
 * file counts), and the rate and ETA are always shown.
 */
import type { Deps } from '../../deps/types.ts';
import type { CopyProgress } from '../../engine/copyJob.ts';
import { count, formatBytes, plural, screenColumns, textWidth, truncate } from '../../format.ts';

/** Formats seconds as h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** `<bar> <pct>%` of `done` out of `total` bytes (a bar `width` wide, none at 0), and the ETA. */
export function progressBar(
  done: number,
  total: number,
  rate: number,
  width = 20,
): { bar: string; eta: string } {
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const filled = Math.min(width, Math.round((pct / 100) * width));
  const eta = rate > 0 ? formatDuration(Math.max(0, total - done) / rate) : '--:--';
  const bar = width > 0 ? `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ` : '';
  return { bar: `${bar}${pct}%`, eta };
}

/** What one variant of the line shows. */
interface Layout {
  bar: number;
  files: boolean;
  drive: boolean;
  /** `25.0/55.4 MiB` instead of `25.0 MiB/55.4 MiB` when both have one unit. */
  compact: boolean;
}

/** The variants from the fullest to the leanest; the first that fits is drawn. */
const LAYOUTS: readonly Layout[] = [
  { bar: 20, files: true, drive: true, compact: false },
  { bar: 20, files: true, drive: false, compact: false },
  { bar: 10, files: true, drive: false, compact: true },
  { bar: 0, files: true, drive: false, compact: true },
  { bar: 10, files: false, drive: false, compact: true },
  { bar: 0, files: false, drive: false, compact: true },
];

/** `done/total` bytes, sharing the unit when `compact` and both have the same one. */
function bytesPair(done: number, total: number, compact: boolean): string {
  const d = formatBytes(done);
  const t = formatBytes(total);
  const unit = (x: string): string => x.slice(x.indexOf(' ') + 1);
  return compact && unit(d) === unit(t) ? `${d.slice(0, d.indexOf(' '))}/${t}` : `${d}/${t}`;
}

/** What a progress line reports, whatever is being copied or read. */
export interface ProgressFigures {
  /** What is in progress, first on the line: `drive 1 WD-WMATV123456`, `verify /mnt/d1`. */
  head: string;
  bytes: { done: number; total: number };
  files: { done: number; total: number };
  /** A detail shown only when there is room (`drive: 2 files 9.0 MiB`). */
  extra?: string;
  /** Bytes per second. */
  rate: number;
}

function render(f: ProgressFigures, l: Layout, head: string): string {
  const { bar, eta } = progressBar(f.bytes.done, f.bytes.total, f.rate, l.bar);
  return [
    `${head} ${bar} ${bytesPair(f.bytes.done, f.bytes.total, l.compact)}`,
    ...(l.files ? [`${f.files.done}/${f.files.total} ${plural(f.files.total, 'file')}`] : []),
    ...(l.drive && f.extra ? [f.extra] : []),
    `${formatBytes(f.rate)}/s`,
    `ETA ${eta}`,
  ].join(' · ');
}

/**
 * `f` as one line at most `width` columns wide: the fullest layout that fits; when none does, the
 * head is cut (the rate and ETA always stay).
 */
export function fitProgress(f: ProgressFigures, width: number): string {
  for (const l of LAYOUTS) {
    const line = render(f, l, f.head);
    if (textWidth(line) <= width) return line;
  }
  const lean = LAYOUTS.at(-1)!;
  const room = Math.max(8, width - textWidth(render(f, lean, '')));
  return truncate(render(f, lean, truncate(f.head, room)), width);
}

/**
 * One copy progress line at most `width` columns wide (default: 79, the last column of an
 * 80-column terminal left free so the line never wraps). `rate` in bytes/s.
 */
export function progressLine(p: CopyProgress, rate: number, width = 79): string {
  return fitProgress(
    {
      head: `drive ${p.drive.index + 1} ${p.drive.driveId}`,
      bytes: { done: p.done.bytes, total: p.total.bytes },
      files: { done: p.done.files, total: p.total.files },
      extra: `drive: ${count(p.drive.files, 'file')} ${formatBytes(p.drive.bytes)}`,
      rate,
    },
    width,
  );
}

/** A progress reporter bound to the terminal; `quiet` under --json. */
export function createProgressReporter(deps: Deps, quiet: boolean): (p: CopyProgress) => void {
  let startAt: number | undefined;
  let startBytes = 0;
  let last = -Infinity;
  return (p) => {
    const now = deps.clock.monotonic();
    if (startAt === undefined) {
      startAt = now;
      startBytes = p.done.bytes;
    }
    if (quiet || !deps.terminal.isTTY || now - last < 200) return;
    last = now;
    const secs = (now - startAt) / 1000;
    const rate = secs > 0.5 ? (p.done.bytes - startBytes) / secs : 0;
    deps.terminal.status(progressLine(p, rate, screenColumns(deps.terminal) - 1));
  };
}
