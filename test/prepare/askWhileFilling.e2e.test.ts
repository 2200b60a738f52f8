/**
 * A question asked while another drive fills, in a real terminal (tmux): two `--target` drives
 * at once (ext4 on loop devices), the second too small, so it is full early and the operator is
 * asked for a third while the first goes on. The first drive's progress and its "complete" line
 * wait until the question is answered: nothing is drawn over the question or the answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY1, pseudoRandom, writeJob, writeTree } from '../engine/stagingFixture.ts';
import { hasTmux, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { Volumes } from '../helpers/volumes.ts';

const isRoot = process.getuid?.() === 0;
const tmux = await hasTmux();
const volumes = new Volumes();
const sessions: TmuxSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.kill();
  volumes.cleanup();
});

/** Each recorded drive's id and whether it is complete, from the journal. */
function drives(staging: string): { driveId: string; complete: boolean }[] {
  const file = path.join(staging, '.diskprep/journal/job1/copy-state.json');
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { drives: [] }).drives;
}

describe.skipIf(!isRoot || !tmux)('a question while other drives fill (tmux)', () => {
  it('holds the other drive’s progress and its complete line until the question is answered', async () => {
    const staging = tempDir('awf-stg');
    const files: Record<string, Buffer> = {};
    // More than both drives hold, so each takes what fits, in walk order: the small files
    // first (drive 1's, slow: a commit every 20), then the large ones, of which drive 2 holds
    // one and is full at the next.
    for (let i = 0; i < 2000; i++)
      files[`a/s${String(i).padStart(4, '0')}.bin`] = pseudoRandom(8192, 40 + i);
    for (let i = 0; i < 6; i++) files[`z/big${i}.bin`] = pseudoRandom(4 * 1024 * 1024, 9 + i);
    writeTree(staging, files);
    writeJob(staging);
    const [d1, d2, d3] = [
      volumes.make('ext4', 32),
      volumes.make('ext4', 6),
      volumes.make('ext4', 24),
    ];
    const args = [`s:${staging}`, '--offline', '--target', d1, '--target', d2];
    args.push('--drive-id', 'PX1', '--drive-id', 'PX2', '--bitlocker-key', KEY1);
    args.push('--bitlocker-key', KEY1);
    const s = await startInteractive(args, {
      env: { DISKPREP_COMMIT_FILES: '20', DISKPREP_HOME: tempDir('awf-home') },
    });
    sessions.push(s);
    await s.waitFor('Copy 2006 files');
    await s.type('y');
    const question = 'Drive PX2 is full;';
    await s.waitFor(question, 60_000);
    // The question was asked while drive 1 was still filling; wait until it has finished.
    const deadline = Date.now() + 60_000;
    while (!drives(staging)[0]?.complete && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(drives(staging)[0]).toMatchObject({ driveId: 'PX1', complete: true });
    const during = (await s.screen()).trimEnd();
    // Still the question at the bottom: no progress line, no "complete" line drawn over it.
    expect(during.slice(during.lastIndexOf('\n') + 1)).toContain(question);
    expect(during).not.toContain('drive PX1 complete');
    await s.type(d3);
    await s.waitFor('Drive id');
    await s.type('PX3');
    await s.waitFor('BitLocker recovery password of drive PX3');
    await s.type(KEY1);
    expect(await s.exitCode(60_000)).toBe(0);
    const after = await s.screen();
    // What waited comes out once answered, below the answer.
    expect(after.indexOf('✓ drive PX1 complete')).toBeGreaterThan(after.indexOf(question));
    expect(drives(staging).map((d) => [d.driveId, d.complete])).toEqual([
      ['PX1', true],
      ['PX2', true],
      ['PX3', true],
    ]);
    expect(after).not.toContain(KEY1);
  });
});
