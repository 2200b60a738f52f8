/**
 * Lock files on a real file system: a second holder is refused naming the first; a holder that
 * is gone (dead pid, or a pid reused by a younger process) is taken over; another host's lock
 * is broken only on request; release never removes someone else's lock; many racing takers of
 * one stale lock end with exactly one holder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Processes } from '../../src/deps/types.ts';
import { realProcesses } from '../../src/createDeps.ts';
import { DiskprepError } from '../../src/errors.ts';
import {
  acquireLock,
  type LockHolder,
  processStart,
  readHolder,
} from '../../src/fsutil/lockFile.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function lockIn(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'diskprep-lock-'));
  dirs.push(d);
  return path.join(d, 'sub', 'lock');
}

/** Processes as seen by a process `pid` on `host`, with `dead` pids gone. */
function procs(pid: number, dead: number[] = [], host = os.hostname()): Processes {
  const real = realProcesses();
  return { pid, hostname: host, alive: (p) => !dead.includes(p) && (p === pid || real.alive(p)) };
}

function holderFile(file: string, h: Partial<LockHolder>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({
      pid: 999_999,
      host: os.hostname(),
      command: 'prepare',
      since: '2026-11-21T09:00:00.000Z',
      token: 'feedfacefeedface',
      ...h,
    }),
  );
}

describe('acquireLock', () => {
  it('creates the lock with the holder; a second process is refused naming pid, host, command and since; release frees it', async () => {
    const file = lockIn();
    const a = fakeDeps({ processes: procs(process.pid) });
    const lock = await acquireLock(a.deps, file, { command: 'prepare', what: 'job "j1"' });
    const onDisk = await readHolder(a.deps, file);
    expect(onDisk).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
      command: 'prepare',
      since: '2026-11-21T10:00:00.000Z',
      token: lock.holder.token,
      procStart: await processStart(a.deps, process.pid),
    });
    // Another process (pid 1 is alive: init) finds it held by this one.
    const b = fakeDeps({ processes: procs(1) });
    const err = await acquireLock(b.deps, file, { command: 'ship', what: 'job "j1"' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DiskprepError);
    expect((err as DiskprepError).exitCode).toBe(2);
    expect((err as Error).message).toBe(
      `job "j1" is in use by diskprep prepare (pid ${process.pid} on ${os.hostname()}, since 2026-11-21 10:00:00 UTC)`,
    );
    await lock.release();
    expect(fs.existsSync(file)).toBe(false);
    const again = await acquireLock(b.deps, file, { command: 'ship', what: 'job "j1"' });
    expect((await readHolder(b.deps, file))?.command).toBe('ship');
    await again.release();
  });

  it('takes over the lock of a dead process on this host, and of a pid reused by a younger process', async () => {
    const file = lockIn();
    const taken: (LockHolder | undefined)[] = [];
    const { deps } = fakeDeps({ processes: procs(process.pid, [424_242]) });
    holderFile(file, { pid: 424_242 });
    const l1 = await acquireLock(deps, file, {
      command: 'prepare',
      what: 'job "j"',
      onTakeover: (h) => taken.push(h),
    });
    expect(taken.map((h) => h?.pid)).toEqual([424_242]);
    expect((await readHolder(deps, file))?.pid).toBe(process.pid);
    await l1.release();

    // pid 1 is alive, but it started long before the recorded start time: not the holder.
    holderFile(file, { pid: 1, procStart: '999999999999' });
    const l2 = await acquireLock(deps, file, {
      command: 'prepare',
      what: 'job "j"',
      onTakeover: (h) => taken.push(h),
    });
    expect(taken.map((h) => h?.pid)).toEqual([424_242, 1]);
    await l2.release();

    // With its real start time, pid 1 holds the lock.
    holderFile(file, { pid: 1, procStart: await processStart(deps, 1) });
    await expect(acquireLock(deps, file, { command: 'prepare', what: 'job "j"' })).rejects.toThrow(
      /in use by diskprep prepare \(pid 1 /,
    );
  });

  it('takes over the lock of a zombie (killed, not yet reaped: signal 0 still answers)', async () => {
    // `sleep 30` never waits for its child `true`, which stays a zombie while sleep runs.
    const parent = spawn('sh', ['-c', 'true & exec sleep 30'], { stdio: 'ignore' });
    try {
      let zombie: number | undefined;
      for (let i = 0; i < 100 && zombie === undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const kids = fs
          .readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8')
          .trim();
        const pid = Number(kids.split(' ')[0]);
        if (pid > 0 && fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) zombie = pid;
      }
      expect(zombie).toBeGreaterThan(0);
      expect(realProcesses().alive(zombie!)).toBe(true);
      const file = lockIn();
      holderFile(file, { pid: zombie! });
      const { deps } = fakeDeps({ processes: procs(process.pid) });
      const taken: number[] = [];
      const l = await acquireLock(deps, file, {
        command: 'prepare',
        what: 'job "z"',
        onTakeover: (h) => taken.push(h!.pid),
      });
      expect(taken).toEqual([zombie]);
      await l.release();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it("another host's lock is refused (naming --break-lock) and broken only with breakLock", async () => {
    const file = lockIn();
    const { deps } = fakeDeps({ processes: procs(process.pid) });
    holderFile(file, { pid: 77, host: 'other-host' });
    const err = (await acquireLock(deps, file, { command: 'ship', what: 'job "j"' }).catch(
      (e: unknown) => e,
    )) as DiskprepError;
    expect(err.message).toContain('pid 77 on other-host');
    expect(err.hint).toContain('--break-lock');
    const taken: string[] = [];
    const l = await acquireLock(deps, file, {
      command: 'ship',
      what: 'job "j"',
      breakLock: true,
      onTakeover: (h) => taken.push(h!.host),
    });
    expect(taken).toEqual(['other-host']);
    expect((await readHolder(deps, file))?.host).toBe(os.hostname());
    await l.release();
  });

  it('release leaves a lock that is no longer its own; note() rewrites the holder in place', async () => {
    const file = lockIn();
    const { deps } = fakeDeps({ processes: procs(process.pid) });
    const l = await acquireLock(deps, file, { command: 'prepare', what: 'disk /dev/x' });
    await l.note({ workDir: '/tmp/w' });
    expect((await readHolder(deps, file))?.extra).toEqual({ workDir: '/tmp/w' });
    holderFile(file, { pid: 1, token: 'someoneelse00000' });
    await l.release();
    expect((await readHolder(deps, file))?.token).toBe('someoneelse00000');
  });

  it('twenty racing takers of one stale lock: exactly one holds it, the others are refused naming it', async () => {
    const file = lockIn();
    holderFile(file, { pid: 424_243 });
    const racers = Array.from({ length: 20 }, (_, i) => 1_000_000 + i);
    // The racers see each other alive and the old holder dead.
    const seen = (pid: number): Processes => ({
      pid,
      hostname: os.hostname(),
      alive: (p) => racers.includes(p),
    });
    const results = await Promise.allSettled(
      racers.map((pid) =>
        acquireLock(fakeDeps({ processes: seen(pid) }).deps, file, {
          command: 'prepare',
          what: 'job "race"',
        }),
      ),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const onDisk = await readHolder(fakeDeps().deps, file);
    expect(onDisk?.token).toBe(winners[0]!.value.holder.token);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect(String(r.reason)).toContain(`pid ${onDisk!.pid} on`);
  });
});
