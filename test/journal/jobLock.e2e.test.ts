/**
 * The job lock through the built binary: `prepare`, `ship` and `init --force` are refused in one
 * line naming the holder while another live process holds the job; a holder that is gone is
 * taken over with a warning; another computer's lock needs --break-lock.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { offlinePrepareArgs, writeJob, writeTree } from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function holdLock(staging: string, pid: number, host = os.hostname()): string {
  const file = path.join(staging, '.diskprep', 'journal', 'job1', 'lock');
  fs.writeFileSync(
    file,
    JSON.stringify({
      pid,
      host,
      command: 'prepare',
      since: '2026-11-21T10:00:00.000Z',
      token: '0123456789abcdef',
    }),
  );
  return file;
}

describe('job lock (built binary)', () => {
  it('prepare, ship and init --force are refused while a live process holds the job; taken over once it is gone', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a' });
    writeJob(staging);
    // A live process of this host holds it.
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    const lock = holdLock(staging, holder.pid!);
    const line = `job "job1" is in use by diskprep prepare (pid ${holder.pid} on ${os.hostname()}, since 2026-11-21 10:00:00 UTC) — one run per job at a time`;
    const init = [
      'init',
      `s:${staging}`,
      '--job',
      'job1',
      '--service',
      'offline',
      '--storage-account',
      'acct',
      '--container',
      'backup',
      '--force',
    ];
    try {
      for (const argv of [
        offlinePrepareArgs(staging, target, 'LOCK1'),
        ['ship', `s:${staging}`, '--job', 'job1', '--yes'],
        init,
      ]) {
        const r = await runCli(argv);
        expect(r.exitCode, argv[0]).toBe(2);
        expect(r.stderr.trim().split('\n'), argv[0]).toEqual([
          expect.stringContaining(`diskprep: ${line}`),
        ]);
      }
      // Nothing was copied or rewritten, and the holder's lock is untouched.
      expect(fs.readdirSync(target)).toEqual([]);
      expect(JSON.parse(fs.readFileSync(lock, 'utf8'))).toMatchObject({ pid: holder.pid });
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('exit', r));
    }
    // Gone: taken over with a warning, and released at the end.
    const r = await runCli(init);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `job "job1" was locked by diskprep prepare (pid ${holder.pid} on ${os.hostname()}, since 2026-11-21 10:00:00 UTC), which is gone: taking the lock over`,
    );
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("another computer's lock is refused naming --break-lock, and broken with it", async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a' });
    writeJob(staging);
    const lock = holdLock(staging, 4242, 'other-pc');
    const refused = await runCli(offlinePrepareArgs(staging, target, 'LOCK2'));
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('in use by diskprep prepare (pid 4242 on other-pc');
    expect(refused.stderr).toContain('--break-lock');
    expect(fs.readdirSync(target)).toEqual([]);
    const broken = await runCli(offlinePrepareArgs(staging, target, 'LOCK2', ['--break-lock']));
    expect(broken.exitCode, broken.stderr).toBe(0);
    expect(broken.stderr).toContain('you asked to break (--break-lock): taking the lock over');
    expect(fs.existsSync(lock)).toBe(false);
    expect(fs.readdirSync(target).sort()).toEqual(['DriveManifest.xml', 'job1']);
  });
});
