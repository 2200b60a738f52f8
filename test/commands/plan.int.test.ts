import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { init } from '../../src/commands/init/index.ts';
import { plan } from '../../src/commands/plan/index.ts';
import { NeedsAnswerError, UsageError } from '../../src/errors.ts';
import { fixedDriveOverhead } from '../../src/staging/plan.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeTree } from '../staging/tree.ts';
import { tempDir } from '../helpers/tempDir.ts';

let staging: string;
beforeEach(async () => {
  staging = tempDir('plan');
});
afterEach(async () => {
  await rm(staging, { recursive: true, force: true });
});

async function record(job: string, data?: string): Promise<void> {
  await init(
    {
      staging,
      job,
      service: 'offline',
      storageAccount: 'mystore',
      container: 'seed',
      blobType: 'auto',
      force: false,
      ...(data ? { data } : {}),
    },
    fakeDeps().deps,
  );
}

describe('diskprep plan', () => {
  it('spans several drives with the exact expected assignment (sparse files, 2 GB drives)', async () => {
    const MiB = 1024 * 1024;
    await makeTree(staging, {
      'server01/Backup.AIBBlob': { size: 800 * MiB },
      'server01/Backup.BaseBlob': { size: 700 * MiB },
      'server02/Backup.AIBBlob': { size: 600 * MiB }, // 800 + 700 + 600 MiB > ~1.73 GB usable
      'server02/notes.txt': 'hello',
      'server03/big.vhd': { size: 900 * MiB },
      'server03/empty.txt': '',
      'server04/last.vhd': { size: 1000 * MiB },
    });
    await record('seed');
    const { deps, recorded } = fakeDeps({ json: true });
    await plan({ staging, driveSize: '2GB' }, deps);
    expect(recorded.json).toHaveLength(1);
    const out = recorded.json[0] as {
      files: number;
      bytes: number;
      usableBytes: number;
      drives: { index: number; files: number; bytes: number; first: string; last: string }[];
      warnings: string[];
    };
    expect(out.usableBytes).toBe(2e9 - fixedDriveOverhead(2e9));
    expect(out.files).toBe(7);
    expect(out.bytes).toBe((800 + 700 + 600 + 900 + 1000) * MiB + 5);
    expect(out.drives.map((d) => [d.index, d.files, d.bytes, d.first, d.last])).toEqual([
      [1, 2, 1500 * MiB, 'server01/Backup.AIBBlob', 'server01/Backup.BaseBlob'],
      [2, 4, 1500 * MiB + 5, 'server02/Backup.AIBBlob', 'server03/empty.txt'],
      [3, 1, 1000 * MiB, 'server04/last.vhd', 'server04/last.vhd'],
    ]);
    expect(out.warnings).toEqual([]);
  });

  it('human output is a short table; --verbose lists the files of each drive', async () => {
    await makeTree(staging, { 'a.bin': { size: 600e6 }, 'b.bin': { size: 600e6 }, 'c.txt': 'c' });
    await record('seed');
    const { deps, recorded } = fakeDeps({ verbose: true });
    await plan({ staging, driveSize: '1GB' }, deps);
    expect(recorded.stdout[0]).toMatch(
      /^job "seed": 3 files, 1\.1 GiB → 2 drives of 954 MiB, sold as 1\.0 GB \(about [\d.]+ MiB usable each\)$/,
    );
    expect(recorded.stdout.slice(2).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      'drive files data manifest first → last',
      expect.stringMatching(/^1 1 572 MiB [\d.]+ KiB a\.bin → a\.bin$/),
      'a.bin',
      expect.stringMatching(/^2 2 572 MiB [\d.]+ KiB b\.bin → c\.txt$/),
      'b.bin',
      'c.txt',
    ]);
  });

  it('warns above 10 drives', async () => {
    const entries: Record<string, { size: number }> = {};
    for (let i = 0; i < 11; i++) entries[`f${String(i).padStart(2, '0')}.bin`] = { size: 600e6 };
    await makeTree(staging, entries);
    await record('seed');
    const { deps, recorded } = fakeDeps({ json: true });
    await plan({ staging, driveSize: '1GB' }, deps);
    expect((recorded.json[0] as { drives: unknown[] }).drives).toHaveLength(11);
    expect(recorded.stderr.join('\n')).toMatch(/11 drives: an import job takes at most 10/);
  });

  it('a file bigger than a drive is an error after the name problems', async () => {
    await makeTree(staging, { 'huge.bin': { size: 2e9 } });
    await record('seed');
    await expect(plan({ staging, driveSize: '1GB' }, fakeDeps().deps)).rejects.toThrow(
      /huge\.bin \(2000000000 bytes\) does not fit/,
    );
    await makeTree(staging, { 'bad?.txt': 'x' });
    await expect(plan({ staging, driveSize: '1GB' }, fakeDeps().deps)).rejects.toThrow(
      /1 entry in the data of job "seed" cannot be imported/,
    );
  });

  it('picks the job: --job, the only one, or asks (exit 3 without a TTY)', async () => {
    await makeTree(staging, { 'a/x.txt': 'x', 'b/y.txt': 'yy' });
    await record('job-a', 'a');
    await record('job-b', 'b');
    const named = fakeDeps({ json: true });
    await plan({ staging, job: 'job-b', driveSize: '500GB' }, named.deps);
    expect(named.recorded.json[0]).toMatchObject({
      job: 'job-b',
      files: 1,
      bytes: 2,
      drives: [{ first: 'y.txt', last: 'y.txt' }],
    });
    const err = await plan({ staging, driveSize: '500GB' }, fakeDeps().deps).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NeedsAnswerError);
    expect((err as NeedsAnswerError).flag).toBe('--job');
    await expect(plan({ staging, driveSize: 'huge' }, fakeDeps().deps)).rejects.toBeInstanceOf(
      UsageError,
    );
  });
});
