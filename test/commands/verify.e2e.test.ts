import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { offlinePrepareArgs, pseudoRandom, writeJob, writeTree } from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
let staging = '';
let target = '';
describe('diskprep verify (built binary)', () => {
  beforeEach(async () => {
    staging = tempDir('stg');
    target = tempDir('tgt');
    writeTree(staging, {
      'a.txt': 'hello\n',
      'big.bin': pseudoRandom(6 * MiB, 1),
      'c/d.txt': 'x'.repeat(10000),
    });
    writeJob(staging);
    const r = await runCli(offlinePrepareArgs(staging, target, 'V1'));
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterEach(() => {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
  });

  it('passes on an untouched drive and checks the manifest hash from the journal', async () => {
    const r = await runCli(['verify', '--target', target, `s:${staging}`]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 files.*matches the journal/);
  });

  it('catches a flipped byte (exit 1, the block and offset named)', async () => {
    const f = path.join(target, 'job1', 'big.bin');
    const fd = fs.openSync(f, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, 5 * MiB + 7);
    b[0] = b[0]! ^ 0x01;
    fs.writeSync(fd, b, 0, 1, 5 * MiB + 7);
    fs.closeSync(fd);
    const r = await runCli(['verify', '--target', target, '--json']);
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.mismatches).toEqual([
      expect.objectContaining({ file: '\\job1\\big.bin', problem: 'hash', offset: 4 * MiB }),
    ]);
    const human = await runCli(['verify', '--target', target]);
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toMatch(/\\job1\\big\.bin: hash at offset 4194304/);
  });

  it('catches a truncated file and a missing file', async () => {
    fs.truncateSync(path.join(target, 'job1', 'c', 'd.txt'), 100);
    fs.rmSync(path.join(target, 'job1', 'a.txt'));
    const r = await runCli(['verify', '--target', target, '--json']);
    expect(r.exitCode).toBe(1);
    const problems = (
      JSON.parse(r.stdout) as { mismatches: { file: string; problem: string }[] }
    ).mismatches.map((m: { file: string; problem: string }) => `${m.file} ${m.problem}`);
    expect(problems).toContain('\\job1\\a.txt missing');
    expect(problems).toContain('\\job1\\c\\d.txt length');
  });

  it('catches an edited manifest against the hash in the journal', async () => {
    const mf = path.join(target, 'DriveManifest.xml');
    fs.writeFileSync(
      mf,
      fs.readFileSync(mf, 'utf8').replace('<ClientCreator>', '<ClientCreator>x'),
    );
    const r = await runCli(['verify', '--target', target, '--staging', staging, '--json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).mismatches).toEqual([
      expect.objectContaining({ problem: 'manifest-hash' }),
    ]);
  });
});

describe('diskprep verify compares the manifest with the journal (built binary)', () => {
  const FILES = 2000;
  let home = '';
  const env = () => ({ DISKPREP_HOME: home });
  // One prepared drive for both tests: the job list is read first, then the manifest is rewritten.
  beforeAll(async () => {
    home = tempDir('home');
    staging = tempDir('stg');
    target = tempDir('tgt');
    const files: Record<string, string | Buffer> = {
      'a.txt': 'hello\n',
      'big.bin': pseudoRandom(6 * MiB, 1),
    };
    for (let i = 0; i < FILES; i++) files[`d/f${String(i).padStart(4, '0')}.txt`] = `file ${i}\n`;
    writeTree(staging, files);
    writeJob(staging);
    const r = await runCli(offlinePrepareArgs(staging, target, 'V1'), { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
  });
  afterAll(() => {
    for (const d of [home, staging, target]) fs.rmSync(d, { recursive: true, force: true });
  });

  /**
   * Rewrites the manifest as two concurrent runs left it: the same number of entries, the first
   * 1000 listed twice, the last 1000 not at all.
   */
  function listHalfTwice(): { md5: string; missing: string[]; twice: string[] } {
    const K = 1000;
    const mf = path.join(target, 'DriveManifest.xml');
    const text = fs.readFileSync(mf, 'utf8');
    const start = text.indexOf('      <Blob>');
    const end = text.lastIndexOf('</Blob>\n') + '</Blob>\n'.length;
    const blobs = text.slice(start, end).split(/(?<=<\/Blob>\n)/);
    const filePath = (b: string) => /<FilePath>([^<]*)</.exec(b)![1]!;
    const crafted =
      text.slice(0, start) +
      [...blobs.slice(0, blobs.length - K), ...blobs.slice(0, K)].join('') +
      text.slice(end);
    fs.writeFileSync(mf, crafted);
    return {
      md5: createHash('md5').update(crafted).digest('hex').toUpperCase(),
      missing: blobs.slice(-K).map(filePath),
      twice: blobs.slice(0, K).map(filePath),
    };
  }

  it("finds the journal through this computer's job list when s: is not given", async () => {
    // As `prepare` records a job it created (a --target run records none).
    fs.writeFileSync(
      path.join(home, 'jobs.json'),
      JSON.stringify({
        version: 1,
        jobs: [{ name: 'job1', service: 'offline', staging, createdAt: '2026-11-21T00:00:00Z' }],
      }),
    );
    const r = await runCli(['verify', '--target', target, '--json'], { env: env() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).drives[0]).toMatchObject({
      journal: { job: 'job1', files: FILES + 2 },
      manifestHashChecked: true,
    });
  });
  it('a manifest listing 1000 files twice and missing 1000 fails, naming each duplicate and each file the journal committed that it lacks, even when the journal recorded its hash', async () => {
    const ok = await runCli(['verify', '--target', target, `s:${staging}`, '--json'], {
      env: env(),
    });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      drive: null,
      counts: { drives: 1, entries: FILES + 2, files: FILES + 2, mismatches: 0 },
      drives: [{ journal: { job: 'job1', files: FILES + 2 }, manifestHashChecked: true }],
    });

    const { md5, missing, twice } = listHalfTwice();
    expect(new Set([...missing, ...twice]).size).toBe(2000);
    const r = await runCli(['verify', '--target', target, `s:${staging}`, '--json'], {
      env: env(),
    });
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      mismatches: { file: string; problem: string }[];
    };
    const byProblem = (p: string) =>
      out.mismatches
        .filter((m) => m.problem === p)
        .map((m) => m.file)
        .sort();
    expect(out.ok).toBe(false);
    expect(byProblem('duplicate-file-path')).toEqual([...twice].sort());
    expect(byProblem('duplicate-blob-path')).toEqual([...twice].sort());
    expect(byProblem('not-in-manifest')).toEqual([...missing].sort());
    expect(byProblem('manifest-hash')).toEqual(['\\DriveManifest.xml']);
    expect(byProblem('entry-count')).toEqual([]);

    // The journal recorded this very manifest's hash (the run that wrote it last recorded it):
    // the duplicates and the missing files still fail the drive.
    const statePath = path.join(staging, '.diskprep', 'journal', 'job1', 'copy-state.json');
    const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
    state.drives[0].manifestHash = md5;
    fs.writeFileSync(statePath, JSON.stringify(state));
    const human = await runCli(['verify', '--target', target, `s:${staging}`], { env: env() });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain('matches the journal');
    expect(human.stderr).toContain(`${target}: ${twice[0]}: duplicate-file-path`);
    expect(human.stderr).toContain(`${target}: ${missing[0]}: not-in-manifest`);
    expect(human.stderr).toContain('… and 980 more duplicate-file-path (--json lists them all)');
    expect(human.stderr).toMatch(/3000 mismatch\(es\)/);
  });
});
