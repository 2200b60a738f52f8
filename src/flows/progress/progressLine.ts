/**
 * The per-drive progress line on stderr: bytes, files, rate, ETA. Redrawn at most every
 * 200 ms on a TTY; nothing on a non-TTY or under --json (a final summary is printed instead).
 */
import type { Deps } from '../../deps/types.ts';
import type { CopyProgress } from '../../engine/copyJob.ts';
import { count, formatBytes, plural } from '../../format.ts';

/** Formats seconds as h:mm:ss or m:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** `<bar> <pct>%` of `done` out of `total` bytes, and the ETA at `rate` bytes/s. */
export function progressBar(
  done: number,
  total: number,
  rate: number,
): { bar: string; eta: string } {
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const width = 20;
  const filled = Math.min(width, Math.round((pct / 100) * width));
  const eta = rate > 0 ? formatDuration(Math.max(0, total - done) / rate) : '--:--';
  return { bar: `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${pct}%`, eta };
}

/** One progress line. `rate` in bytes/s. */
export function progressLine(p: CopyProgress, rate: number): string {
  const { bar, eta } = progressBar(p.done.bytes, p.total.bytes, rate);
  return (
    `drive ${p.drive.index + 1} ${p.drive.driveId} ${bar} ` +
    `${formatBytes(p.done.bytes)}/${formatBytes(p.total.bytes)} · ` +
    `${p.done.files}/${p.total.files} ${plural(p.total.files, 'file')} · drive: ${count(p.drive.files, 'file')} ${formatBytes(p.drive.bytes)} · ` +
    `${formatBytes(rate)}/s · ETA ${eta}`
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
    deps.terminal.status(progressLine(p, rate));
  };
}
