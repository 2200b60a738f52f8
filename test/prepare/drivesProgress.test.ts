import { describe, expect, it } from 'vitest';
import {
  createDrivesReporter,
  driveLine,
  jobLine,
} from '../../src/flows/progress/drivesProgress.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import type { CopyProgress } from '../../src/engine/copyJob.ts';

const TiB = 1024 ** 4;
const big = {
  index: 0,
  driveId: 'WD-WCC4N0ABCDEFGHIJKL',
  files: 123456,
  bytes: 3.2 * TiB,
  planned: 7 * TiB,
};
const p: CopyProgress = {
  drive: big,
  drives: [big, { index: 9, driveId: 'S4X', files: 7, bytes: 5000 }],
  done: { files: 1234567, bytes: 12.5 * TiB },
  total: { files: 9876543, bytes: 59.9 * TiB },
  resumedFiles: 0,
};

/** fakeDeps on a TTY, recording each status drawn. */
function ttyDeps() {
  const f = fakeDeps();
  const shown: string[] = [];
  Object.assign(f.deps.terminal, { isTTY: true, status: (s: string) => shown.push(s) });
  return { deps: f.deps, shown };
}

describe('progress of several drives', () => {
  it('a line per drive with bytes, files, rate and ETA, and a job line, all within 80 columns', () => {
    const a = driveLine(big, 200 * 1024 * 1024);
    expect(a).toMatch(
      /^drive {2}1 WD-WCC4N0ABCDEF… +3\.2 TiB +123456 files +200 MiB\/s {2}ETA 5:32:03$/,
    );
    const b = driveLine(p.drives![1]!, 0);
    expect(b).toMatch(/^drive 10 S4X +4\.9 KiB +7 files +0 B\/s {2}ETA --:--$/);
    const j = jobLine(p, 800 * 1024 * 1024);
    expect(j).toMatch(/^job .* 20% 12\.5 TiB\/59\.9 TiB 1234567\/9876543 files/);
    for (const l of [a, b, j]) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('draws every drive and the job at once on a TTY; one drive keeps the single line; nothing under --json', () => {
    const t = ttyDeps();
    createDrivesReporter(t.deps, false)(p);
    expect(t.shown).toHaveLength(1);
    expect(t.shown[0]!.split('\n')).toHaveLength(3);
    createDrivesReporter(t.deps, false)({ ...p, drives: [big] });
    expect(t.shown).toHaveLength(2);
    expect(t.shown[1]!.split('\n')).toHaveLength(1);
    createDrivesReporter(t.deps, true)(p);
    expect(t.shown).toHaveLength(2);
  });
});
