/**
 * Resume is the same command: `diskprep s:` onto a real BitLocker volume (made by Windows) on a
 * loop device, stopped mid-copy by SIGINT, SIGTERM or SIGKILL, then the very same argv again.
 * The drive is never formatted again (its NTFS volume serial is the one recorded before the
 * first byte), the files committed before the stop are not copied again, the manifest lists
 * every file once and `verify` passes. After SIGKILL, the job and disk locks of the dead run are
 * taken over with a warning, and its leftover dislocker / ntfs-3g mounts are unmounted first.
 *
 * One run at a time, with two real processes: while `diskprep s:` fills the volume (held
 * mid-copy with SIGSTOP, so the second run certainly meets it running), the same command again
 * is refused naming the holder, and so is another job naming the same disk; nothing of the
 * first run is disturbed: it completes, every file is listed once and `verify` passes.
 */
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canRun, dislockersOf, LoopLab, XTS_KEY } from '../disk/loopImages.ts';
import { BIN, runCli } from '../helpers/cli.ts';
import {
  bytes,
  journalOf,
  JOB_SECRETS,
  manifestFilePaths,
  readVolume,
  withVolume,
} from './flowLab.ts';
import { makeStaging } from '../helpers/staging.ts';

/**
 * Small files: each is created, written and fsynced through ntfs-3g (FUSE), slow enough to stop
 * mid-way; a commit every 40 files (DISKPREP_COMMIT_FILES) so the stop comes after one.
 */
const N = 400;
const ENV = { NO_COLOR: '1', DISKPREP_COMMIT_FILES: '40' };
/** The two-process test's job, committed every 30 files. */
const M = 300;
const LOCK_ENV = { NO_COLOR: '1', DISKPREP_COMMIT_FILES: '30' };

let lab: LoopLab | undefined;
const dirs: string[] = [];
afterEach(() => {
  lab?.dispose();
  lab = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!canRun)('diskprep s: stopped mid-copy, then the same command (root)', () => {
  it.each([
    { signal: 'SIGINT', formatted: false },
    { signal: 'SIGTERM', formatted: true },
    { signal: 'SIGKILL', formatted: false },
  ] as const)(
    '$signal, --already-formatted: $formatted → the same argv resumes without formatting; verify passes, each file listed once',
    async ({ signal, formatted }) => {
      lab = new LoopLab();
      const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
      const data: Record<string, Buffer> = {};
      for (let i = 0; i < N; i++)
        data[`seed/d${i % 10}/f-${String(i).padStart(4, '0')}.bin`] = bytes(4096, 500 + i);
      const staging = makeStaging([{ name: 'res01', service: 'offline', data: 'seed' }], data, {
        secrets: JOB_SECRETS,
      });
      dirs.push(staging);
      const argv = [
        `s:${staging}`,
        '--drive',
        dev,
        '--drive-id',
        'WD-RESUME01',
        '--already-encrypted',
        ...(formatted ? ['--already-formatted'] : []),
        '--bitlocker-key',
        XTS_KEY,
        '--offline',
        '--yes',
        '--json',
      ];

      // 1. Start, and stop it once a batch is committed and the copy goes on.
      const first = execa(process.execPath, [BIN, ...argv], { reject: false, env: ENV });
      let exited = false;
      void first.finally(() => (exited = true));
      const deadline = Date.now() + 120_000;
      while (!exited && journalOf(staging, 'res01').files === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      first.kill(signal);
      const r1 = await first;
      if (signal === 'SIGKILL') expect(r1.signal).toBe('SIGKILL');
      else expect(r1.exitCode, String(r1.stderr)).toBe(130);
      const stopped = journalOf(staging, 'res01');
      expect(stopped.files).toBeGreaterThan(0);
      expect(stopped.files).toBeLessThan(N);
      // Recorded before the first byte: the NTFS the first run made (or found).
      expect(stopped.ntfsSerial).toMatch(/^[0-9A-F]{16}$/);
      if (signal !== 'SIGKILL') expect(dislockersOf(dev)).toEqual([]);

      // 2. The same argv again.
      const r2 = await runCli(argv, { env: ENV });
      expect(r2.exitCode, r2.stderr).toBe(0);
      expect(r2.stderr).not.toMatch(/ERASE|does not hold/);
      expect(r2.stderr).toContain('resuming drive WD-RESUME01');
      if (signal === 'SIGKILL') {
        expect(r2.stderr).toMatch(/job "res01" was locked by diskprep prepare \(pid \d+ .*is gone/);
        expect(r2.stderr).toContain('still unlocked by the run that died');
      }
      const out = JSON.parse(r2.stdout) as {
        files: number;
        resumedFiles: number;
        drives: { driveId: string; files: number; complete: boolean; manifestHash: string }[];
      };
      expect(out.files).toBe(N);
      expect(out.resumedFiles).toBe(stopped.files);
      expect(out.drives).toMatchObject([{ driveId: 'WD-RESUME01', files: N, complete: true }]);
      expect(dislockersOf(dev)).toEqual([]);
      expect(r2.stdout + r2.stderr).not.toContain(XTS_KEY);

      // 3. Not formatted again; every file once, with its bytes; verify agrees.
      const { back, v } = await withVolume(dev, XTS_KEY, async (vol) => ({
        back: readVolume(vol, 'res01'),
        v: await runCli(['verify', '--target', vol.mountPath, `s:${staging}`, '--json']),
      }));
      expect(back.ntfsSerial).toBe(stopped.ntfsSerial);
      expect(journalOf(staging, 'res01').ntfsSerial).toBe(stopped.ntfsSerial);
      const listed = manifestFilePaths(back.manifest);
      expect(listed).toHaveLength(N);
      expect(new Set(listed).size).toBe(N);
      expect(back.manifestMd5).toBe(out.drives[0]!.manifestHash);
      expect(back.files.size).toBe(N);
      for (const [rel, d] of Object.entries(data))
        expect(back.files.get(rel.slice(5))?.equals(d), rel).toBe(true);
      expect(v.exitCode, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout)).toMatchObject({
        ok: true,
        drives: [{ files: N, manifestHashChecked: true }],
      });
      expect(dislockersOf(dev)).toEqual([]);
    },
  );
});

describe.skipIf(!canRun)('two diskprep runs at once (root, loop device)', () => {
  it('the same job again, and another job on the same disk, are refused naming the running one; it completes unharmed', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const data: Record<string, Buffer> = {};
    for (let i = 0; i < M; i++) data[`one/f-${String(i).padStart(4, '0')}.bin`] = bytes(4096, i);
    data['two/other.txt'] = Buffer.from('job two\n');
    const staging = makeStaging(
      [
        { name: 'lock01', service: 'offline', data: 'one' },
        { name: 'lock02', service: 'offline', data: 'two' },
      ],
      data,
      { secrets: JOB_SECRETS },
    );
    dirs.push(staging);
    const argv = (job: string, id: string) => [
      `s:${staging}`,
      '--job',
      job,
      '--drive',
      dev,
      '--drive-id',
      id,
      '--already-encrypted',
      '--bitlocker-key',
      XTS_KEY,
      '--offline',
      '--yes',
      '--json',
    ];

    const first = execa(process.execPath, [BIN, ...argv('lock01', 'WD-LOCK01')], {
      reject: false,
      env: LOCK_ENV,
    });
    let exited = false;
    void first.finally(() => (exited = true));
    const deadline = Date.now() + 120_000;
    while (!exited && journalOf(staging, 'lock01').files === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    // Mid-copy, held there while the others try.
    expect(exited).toBe(false);
    process.kill(first.pid!, 'SIGSTOP');
    const holder = `diskprep prepare (pid ${first.pid} on ${os.hostname()}, since `;
    try {
      const again = await runCli(argv('lock01', 'WD-LOCK01'), { env: LOCK_ENV });
      expect(again.exitCode).toBe(2);
      const line = again.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toContain(`diskprep: job "lock01" is in use by ${holder}`);
      expect(line).toContain('wait for that run to end');

      const other = await runCli(argv('lock02', 'WD-LOCK02'), { env: LOCK_ENV });
      expect(other.exitCode).toBe(2);
      const last = other.stderr.trim().split('\n').at(-1)!;
      expect(last).toContain(`diskprep: disk ${dev} is in use by ${holder}`);
      expect(other.stderr).not.toMatch(/ERASE|mkntfs|\n\s+at /);
      expect(fs.existsSync(path.join(staging, '.diskprep/journal/lock02/copy-state.json'))).toBe(
        false,
      );
    } finally {
      process.kill(first.pid!, 'SIGCONT');
    }

    const r = await first;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = JSON.parse(String(r.stdout)) as { files: number; drives: { files: number }[] };
    expect(out.files).toBe(M);
    expect(out.drives).toMatchObject([{ files: M }]);
    // Both locks are gone with the run.
    expect(fs.existsSync(path.join(staging, '.diskprep/journal/lock01/lock'))).toBe(false);
    expect(fs.existsSync(`/run/diskprep/locks/${path.basename(dev)}.lock`)).toBe(false);
    expect(dislockersOf(dev)).toEqual([]);

    const { back, v } = await withVolume(dev, XTS_KEY, async (vol) => ({
      back: readVolume(vol, 'lock01'),
      v: await runCli(['verify', '--target', vol.mountPath, `s:${staging}`, '--job', 'lock01']),
    }));
    expect(v.exitCode, v.stderr).toBe(0);
    const listed = manifestFilePaths(back.manifest);
    expect(listed).toHaveLength(M);
    expect(new Set(listed).size).toBe(M);
    expect(back.files.size).toBe(M);
  });
});
