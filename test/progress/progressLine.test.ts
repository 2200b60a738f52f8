/** The copy progress line fits the terminal: rate and ETA always, details as room allows. */
import { describe, expect, it } from 'vitest';
import type { CopyProgress } from '../../src/engine/copyJob.ts';
import { fitProgress, progressLine } from '../../src/flows/progress/progressLine.ts';
import { textWidth } from '../../src/format.ts';

const MiB = 1024 * 1024;

/** A copy a third done: 2701 of 6004 files, 25 of 55.4 MiB, on drive 1. */
function progress(driveId = 'WD-WMATV123456'): CopyProgress {
  return {
    drive: { index: 0, driveId, files: 2701, bytes: 25 * MiB },
    done: { files: 2701, bytes: 25 * MiB },
    total: { files: 6004, bytes: 55.4 * MiB },
    resumedFiles: 0,
  };
}
const rate = 12.3 * MiB;

describe('progressLine widths', () => {
  it('shows everything, with the 20-wide bar, where there is room (wide terminal)', () => {
    const line = progressLine(progress(), rate, 199);
    expect(line).toBe(
      'drive 1 WD-WMATV123456 █████████░░░░░░░░░░░ 45% 25.0 MiB/55.4 MiB · 2701/6004 files · drive: 2701 files 25.0 MiB · 12.3 MiB/s · ETA 0:02',
    );
  });

  it('fits 79 columns by default (80-column terminal) with rate and ETA', () => {
    const line = progressLine(progress(), rate);
    expect(textWidth(line)).toBeLessThanOrEqual(79);
    expect(line).toBe(
      'drive 1 WD-WMATV123456 █████░░░░░ 45% 25.0/55.4 MiB · 12.3 MiB/s · ETA 0:02',
    );
  });

  it('drops the drive detail, then narrows the bar, then drops the file counts', () => {
    const widths = [140, 120, 100, 90, 79, 60];
    const lines = widths.map((w) => progressLine(progress(), rate, w));
    lines.forEach((l, i) => expect(textWidth(l), l).toBeLessThanOrEqual(widths[i]!));
    expect(lines[0]).toContain('drive: 2701 files 25.0 MiB');
    expect(lines[1]).not.toContain('drive: ');
    expect(lines[1]).toMatch(/[█░]{20} 45% 25\.0 MiB\/55\.4 MiB · 2701\/6004 files/);
    expect(lines[2]).toMatch(/ [█░]{10} 45% 25\.0\/55\.4 MiB · 2701\/6004 files/);
    expect(lines[3]).toMatch(/WD-WMATV123456 45% 25\.0\/55\.4 MiB · 2701\/6004 files/);
    expect(lines[4]).not.toContain('files');
    expect(lines[5]).toMatch(/^drive 1 WD-WMATV1… 45%/);
    for (const l of lines) expect(l).toMatch(/12\.3 MiB\/s · ETA 0:02$/);
  });

  it('cuts a very long drive id before it gives up the rate or the ETA', () => {
    const line = progressLine(progress('X'.repeat(70)), rate, 79);
    expect(textWidth(line)).toBeLessThanOrEqual(79);
    expect(line).toContain('…');
    expect(line).toMatch(/12\.3 MiB\/s · ETA 0:02$/);
  });

  it('shows --:-- while the rate is not known yet', () => {
    expect(progressLine(progress(), 0)).toMatch(/0 B\/s · ETA --:--$/);
  });

  it('fitProgress serves other long reads (verify) with the same rules', () => {
    const line = fitProgress(
      {
        head: '/mnt/a-rather-long-mount-point/of-the-drive',
        bytes: { done: 3 * 1024 * MiB, total: 9 * 1024 * MiB },
        files: { done: 10, total: 30 },
        rate: 150 * MiB,
      },
      79,
    );
    expect(textWidth(line)).toBeLessThanOrEqual(79);
    expect(line).toMatch(/33% .*150 MiB\/s · ETA 0:41$/);
  });
});
