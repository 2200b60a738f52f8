import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { KEY1, pseudoRandom, tempDir, writeJob, writeTree } from '../engine/stagingFixture.ts';

const MiB = 1024 * 1024;
let staging = '';
let target = '';
beforeEach(async () => {
  staging = tempDir('stg');
  target = tempDir('tgt');
  writeTree(staging, {
    'a.txt': 'hello\n',
    'big.bin': pseudoRandom(6 * MiB, 1),
    'c/d.txt': 'x'.repeat(10000),
  });
  writeJob(staging);
  const r = await runCli([
    `s:${staging}`,
    '--target',
    target,
    '--drive-id',
    'V1',
    '--bitlocker-key',
    KEY1,
    '--offline',
    '--yes',
  ]);
  expect(r.exitCode, r.stderr).toBe(0);
});
afterEach(() => {
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(target, { recursive: true, force: true });
});

describe('diskprep verify (built binary)', () => {
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
