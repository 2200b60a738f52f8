/**
 * Three drives filled at once by the built binary (`--target` three times, ext4 on loop
 * devices, root): killed with SIGKILL while all three are filling, then the very same command
 * resumes every drive; each drive's manifest lists its own files once, `diskprep verify`
 * passes on each, and the independent MD5 check of every listed file against the source agrees.
 */
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.ts';
import {
  checkManifestAgainstSource,
  KEY1,
  parseManifest,
  pseudoRandom,
  writeJob,
  writeTree,
} from '../engine/stagingFixture.ts';
import { Volumes } from '../helpers/volumes.ts';
import { tempDir } from '../helpers/tempDir.ts';

const isRoot = process.getuid?.() === 0;
const volumes = new Volumes();
afterEach(() => volumes.cleanup());

/** Each drive's committed file count, from the journal (0 before it is recorded). */
function committedPerDrive(staging: string): number[] {
  const file = path.join(staging, '.diskprep/journal/job1/copy-state.json');
  if (!fs.existsSync(file)) return [];
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { drives: { files: number }[] };
  return state.drives.map((d) => d.files);
}

describe.skipIf(!isRoot)('diskprep s: with three --target at once (built binary)', () => {
  it('kill -9 while all three fill, the same command: every drive resumed, each file listed once, verify passes', async () => {
    const staging = tempDir('stg');
    const files: Record<string, Buffer> = {};
    // 1200 small files (many commits) and 6 of 1 MiB + a bit: ≈ 2.5 MiB a drive.
    for (let i = 0; i < 1200; i++)
      files[`s${i % 4}/f${String(i).padStart(4, '0')}.txt`] = pseudoRandom(4096, 700 + i);
    for (let i = 0; i < 6; i++) files[`m/big${i}.bin`] = pseudoRandom(1024 * 1024 + 77 * i, 90 + i);
    writeTree(staging, files);
    writeJob(staging);
    const roots = [0, 1, 2].map(() => volumes.make('ext4', 24));
    const argv = [`s:${staging}`];
    roots.forEach((r, i) => argv.push('--target', r, '--drive-id', `PX${i + 1}`));
    argv.push('--bitlocker-key', KEY1, '--bitlocker-key', KEY1, '--bitlocker-key', KEY1);
    argv.push('--offline', '--yes', '--json');
    const env = { NO_COLOR: '1', DISKPREP_COMMIT_FILES: '25' };

    const first = execa(process.execPath, [BIN, ...argv], { reject: false, env });
    let exited = false;
    void first.finally(() => (exited = true));
    const deadline = Date.now() + 60_000;
    const allFilling = (): boolean => {
      const c = committedPerDrive(staging);
      return c.length === 3 && c.every((n) => n > 0);
    };
    while (!exited && !allFilling() && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    first.kill('SIGKILL');
    const r1 = await first;
    expect(r1.signal, `the run ended before the kill: ${r1.stderr}`).toBe('SIGKILL');
    const stopped = committedPerDrive(staging);
    expect(stopped).toHaveLength(3);
    expect(stopped.every((n) => n > 0)).toBe(true);
    const total = Object.keys(files).length;
    expect(stopped.reduce((a, b) => a + b, 0)).toBeLessThan(total);

    const r2 = await runCli(argv, { env });
    expect(r2.exitCode, r2.stderr).toBe(0);
    const out = JSON.parse(r2.stdout) as {
      files: number;
      resumedFiles: number;
      drives: { driveId: string; files: number; complete: boolean; manifestHash: string }[];
    };
    expect(out.files).toBe(total);
    expect(out.resumedFiles).toBe(stopped.reduce((a, b) => a + b, 0));
    expect(out.drives.map((d) => [d.driveId, d.complete])).toEqual([
      ['PX1', true],
      ['PX2', true],
      ['PX3', true],
    ]);
    expect(r2.stdout + r2.stderr).not.toContain(KEY1);

    const listed: string[] = [];
    for (const [i, root] of roots.entries()) {
      const m = parseManifest(path.join(root, 'DriveManifest.xml'));
      expect(m.DriveId).toBe(`PX${i + 1}`);
      // Each drive kept what it had before the kill and got more after it.
      expect(m.blobs.length).toBe(out.drives[i]!.files);
      expect(m.blobs.length).toBeGreaterThanOrEqual(stopped[i]!);
      expect(
        checkManifestAgainstSource(
          m.blobs,
          (fp) => path.join(staging, ...fp.split('\\').filter(Boolean).slice(1)),
          root,
        ),
      ).toEqual([]);
      listed.push(...m.blobs.map((b) => b.FilePath));
      const v = await runCli(['verify', '--target', root, `s:${staging}`, '--json']);
      expect(v.exitCode, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });
    }
    expect(listed).toHaveLength(total);
    expect(new Set(listed).size).toBe(total);
  });
});
