import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { makeTree } from '../staging/tree.ts';
import { tempDir } from '../helpers/tempDir.ts';

let staging: string;
beforeEach(async () => {
  staging = tempDir('plan-e2e');
});
afterEach(async () => {
  await rm(staging, { recursive: true, force: true });
});

async function initJob(name: string, data?: string): Promise<void> {
  const r = await runCli([
    'init',
    `s:${staging}`,
    '--job',
    name,
    '--service',
    'offline',
    '--storage-account',
    'mystore',
    '--container',
    'seed',
    ...(data ? ['--data', data] : []),
  ]);
  expect(r.exitCode).toBe(0);
}

describe('diskprep plan (built binary)', () => {
  it('--json shape and exit 0', async () => {
    await makeTree(staging, { 'a.bin': { size: 600e6 }, 'b.bin': { size: 600e6 }, 'c.txt': 'c' });
    await initJob('seed');
    const r = await runCli(['plan', `s:${staging}`, '--drive-size', '1GB', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      files: number;
      bytes: number;
      drives: Record<string, unknown>[];
    };
    expect(doc).toMatchObject({ files: 3, bytes: 1200e6 + 1 });
    expect(doc.drives).toEqual([
      expect.objectContaining({ files: 1, bytes: 600e6, first: 'a.bin', last: 'a.bin' }),
      expect.objectContaining({ files: 2, bytes: 600e6 + 1, first: 'b.bin', last: 'c.txt' }),
    ]);
  });

  it('bad names: exit 2, one summary line plus the list on stderr, every problem in --json', async () => {
    await makeTree(staging, { 'CON.txt': 'x', 'ok.txt': 'x', 'Dup.txt': 'x', 'dup.txt': 'x' });
    await initJob('seed');
    const human = await runCli(['plan', `s:${staging}`, '--drive-size', '1TB']);
    expect(human.exitCode).toBe(2);
    expect(human.stdout).toBe('');
    const lines = human.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^diskprep: 2 entries in the data of job "seed" cannot be imported; nothing was written — rename/,
    );
    expect(lines.slice(0, -1).map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'CON.txt: "CON" is a reserved device name on Windows',
      'dup.txt: same name as "Dup.txt" on NTFS (names differ only in letter case or Unicode form)',
    ]);
    const json = await runCli(['plan', `s:${staging}`, '--drive-size', '1TB', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {
        code: 'ERR_DISKPREP_BAD_DATA',
        details: { problems: [{ path: 'CON.txt' }, { path: 'dup.txt' }] },
      },
    });
  });

  it('no job: exit 2; two jobs and no --job without a TTY: exit 3 naming --job; bad size: exit 2', async () => {
    await makeTree(staging, { 'a/x.txt': 'x', 'b/y.txt': 'y' });
    const none = await runCli(['plan', `s:${staging}`, '--drive-size', '1TB']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/no import job is recorded/);
    await initJob('job-a', 'a');
    await initJob('job-b', 'b');
    const ask = await runCli(['plan', `s:${staging}`, '--drive-size', '1TB']);
    expect(ask.exitCode).toBe(3);
    expect(ask.stderr).toMatch(/pass --job/);
    const size = await runCli(['plan', `s:${staging}`, '--job', 'job-a', '--drive-size', 'lots']);
    expect(size.exitCode).toBe(2);
    expect(size.stderr).toMatch(/--drive-size "lots" is not a size/);
  });
});
