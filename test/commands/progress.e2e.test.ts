/**
 * The copy's progress bar, as an operator sees it: drawn on a terminal (bytes, files, rate,
 * ETA), redrawn in place, and absent when stderr is not a terminal or under --json, where only
 * the final summary is printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { hasTmux, saveCapture, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import {
  KEY1,
  offlinePrepareArgs,
  pseudoRandom,
  writeJob,
  writeTree,
} from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

/** The escape character of the terminal control sequences. */
const ESC = String.fromCharCode(27);
const MiB = 1024 * 1024;
const dirs: string[] = [];
const sessions: TmuxSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.kill();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A staging location whose copy takes a few seconds: 6000 small files and four of 8 MiB. */
function slowStaging(): { staging: string; files: number; bytes: number } {
  const staging = tempDir('stg');
  const tree: Record<string, Buffer> = {};
  const small = Buffer.alloc(4096, 1);
  for (let i = 0; i < 6000; i++) {
    tree[`d${Math.floor(i / 500)}/f${String(i).padStart(5, '0')}.dat`] = small;
  }
  for (let i = 0; i < 4; i++) tree[`big/b${i}.bin`] = pseudoRandom(8 * MiB, i);
  writeTree(staging, tree);
  writeJob(staging);
  return { staging, files: 6004, bytes: 6000 * 4096 + 4 * 8 * MiB };
}

function args(staging: string, target: string, extra: string[] = []): string[] {
  return offlinePrepareArgs(staging, target, 'PROG0001', extra);
}

/**
 * One frame drawn at 80 columns: `drive 1 <id> [<bar>] <pct>% <done>/<total> [· <f>/<F> files]
 * · <rate>/s · ETA <eta>` (the bar and the file counts only when they fit; rate and ETA always).
 */
const FRAME =
  /^drive 1 PROG0001 (?:[█░]{10,20} )?(\d+)% (.+?)\/(\S+ \S+)(?: · (\d+)\/(\d+) files)? · (\S+ \S+)\/s · ETA (\d+:\d\d|--:--)$/;

describe('the copy progress bar (built binary)', () => {
  it.skipIf(process.platform !== 'linux')(
    'on an 80-column terminal: redrawn in place within 79 columns with bytes, rate and ETA, moving forward, then the summary',
    async () => {
      if (!(await hasTmux()))
        throw new Error('tmux is required for this test (apt-get install tmux)');
      const { staging, files } = slowStaging();
      const target = tempDir('tgt');
      const rec = path.join(tempDir('rec'), 'terminal.raw');
      dirs.push(target, path.dirname(rec));
      const s = await startInteractive(args(staging, target), { recordTo: rec, width: 80 });
      sessions.push(s);
      expect(await s.exitCode(120_000)).toBe(0);
      await s.waitFor('drive PROG0001 complete');
      const raw = fs.readFileSync(rec, 'utf8');
      // Each redraw returns to the start of the line and erases it: \r ESC[2K for the first,
      // \r ESC[0J (erase to the end of the screen: a status may span lines) for the others.
      const frames = raw
        .split(new RegExp(`\r(?:${ESC}\\[\\d+A)?${ESC}\\[(?:2K|0J)`))
        .slice(1)
        .map((chunk) => chunk.split(/[\r\n]/)[0]!);
      expect(frames.length, raw.slice(0, 2000)).toBeGreaterThanOrEqual(2);
      const parsed = frames.map((f) => {
        // The last column is left free so the line never wraps.
        expect([...f].length, f).toBeLessThanOrEqual(79);
        const m = FRAME.exec(f);
        expect(m, `not a progress frame: ${JSON.stringify(f)}`).not.toBeNull();
        return {
          pct: Number(m![1]),
          total: m![3],
          files: m![4] === undefined ? undefined : Number(m![4]),
          totalFiles: m![5] === undefined ? undefined : Number(m![5]),
          rate: m![6]!,
          eta: m![7]!,
        };
      });
      for (const p of parsed) {
        if (p.totalFiles !== undefined) expect(p.totalFiles).toBe(files);
        expect(p.total).toBe('55.4 MiB');
      }
      for (let i = 1; i < parsed.length; i++)
        expect(parsed[i]!.pct).toBeGreaterThanOrEqual(parsed[i - 1]!.pct);
      const counted = parsed.filter((p) => p.files !== undefined);
      expect(counted.length).toBeGreaterThan(0);
      for (let i = 1; i < counted.length; i++)
        expect(counted[i]!.files!).toBeGreaterThanOrEqual(counted[i - 1]!.files!);
      // Once a rate is known the ETA is a time, not --:--.
      const measured = parsed.filter((p) => !p.rate.startsWith('0 '));
      expect(measured.length).toBeGreaterThan(0);
      for (const p of measured) expect(p.eta).toMatch(/^\d+:\d\d$/);
      expect(raw).not.toContain(KEY1);
      const screen = (await s.screen()).trimEnd();
      for (const l of screen.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
      await saveCapture(
        'progress (prepare --offline --target, 6004 files; the last frame, then the summary)',
        `${screen}\n---- frames drawn (first, middle, last):\n${[frames[0], frames[Math.floor(frames.length / 2)], frames.at(-1)].join('\n')}`,
      );
    },
    150_000,
  );

  it('without a terminal, and under --json: no bar, only the final summary', async () => {
    const { staging } = slowStaging();
    const target = tempDir('tgt');
    const r = await runCli(args(staging, target));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\x1b[2K');
    expect(r.stderr).not.toMatch(/ETA|█|░/);
    expect(r.stderr).toMatch(/drive PROG0001 complete: 6004 files, 55\.4 MiB/);

    const again = tempDir('stg');
    const target2 = tempDir('tgt');
    writeTree(again, { 'a/one.bin': pseudoRandom(5 * MiB, 9), 'a/two.txt': 'two' });
    writeJob(again);
    const j = await runCli(args(again, target2, ['--json']));
    expect(j.exitCode, j.stderr).toBe(0);
    expect(j.stderr).not.toMatch(/ETA|█|░/);
    expect(j.stderr).not.toContain('\x1b[2K');
    const out = JSON.parse(j.stdout) as {
      drives: { driveId: string; files: number; bytes: number }[];
    };
    expect(out.drives).toEqual([
      expect.objectContaining({ driveId: 'PROG0001', files: 2, bytes: 5 * MiB + 3 }),
    ]);
  });
});
