/**
 * One run per disk: before any command touches a disk, diskprep takes a machine-wide lock on
 * it (`/run/diskprep/locks/<device>.lock`, `%ProgramData%\diskprep\locks\<disk>.lock`; the
 * folder can be moved with DISKPREP_LOCK_DIR) and, on Linux, refuses a disk that anything else
 * has unlocked or mounted: a dislocker daemon (also one started by hand), a device-mapper
 * holder, a mount. The lock records where the run mounts the disk; a run that finds the lock
 * of a run that died (kill -9) takes it over and first unmounts what that run left mounted.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { acquireLock, describeHolder, type LockHolder } from '../fsutil/lockFile.ts';
import { type DiskUser, diskUsers } from './linux/diskUsers.ts';
import { unmount } from './linux/mounts.ts';
import type { DiskClaim, DiskInfo, PreparedVolume } from './types.ts';

/** Where disk locks live on this machine. */
export function diskLockDir(deps: Pick<Deps, 'env' | 'platform'>): string {
  if (deps.env.DISKPREP_LOCK_DIR) return deps.env.DISKPREP_LOCK_DIR;
  if (deps.platform === 'win32')
    return path.win32.join(deps.env.ProgramData ?? 'C:\\ProgramData', 'diskprep', 'locks');
  return '/run/diskprep/locks';
}

/** `/dev/sdb` → `sdb.lock`, `\\.\PHYSICALDRIVE2` → `PHYSICALDRIVE2.lock`. */
export function diskLockName(diskPath: string): string {
  const base = diskPath.replace(/^\/dev\//, '').replace(/^\\\\\.\\/, '');
  return `${base.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`;
}

/** Options of {@link claimDisk}. */
export interface ClaimOptions {
  /** The command claiming it (`prepare`). */
  command: string;
  /** Break a lock held on another host (`--break-lock`). */
  breakLock?: boolean;
}

/**
 * Takes the disk for this run, or throws exit 2 naming who has it and what to do. Nothing of
 * the other run is touched.
 */
export async function claimDisk(
  deps: Deps,
  disk: DiskInfo,
  options: ClaimOptions,
): Promise<DiskClaim> {
  let previous: LockHolder | undefined;
  let tookOver = false;
  const lock = await acquireLock(deps, path.join(diskLockDir(deps), diskLockName(disk.path)), {
    command: options.command,
    what: `disk ${disk.path}`,
    code: 'ERR_DISKPREP_DISK_IN_USE',
    hint: 'one run per disk: wait for that run to end (or stop it with Ctrl-C in its terminal); nothing of it was touched',
    ...(options.breakLock ? { breakLock: true } : {}),
    onTakeover: (h) => {
      tookOver = true;
      previous = h;
    },
  });
  try {
    if (tookOver) {
      deps.terminal.warn(
        previous
          ? `disk ${disk.path} was locked by ${describeHolder(previous)}, which ${previous.host === deps.processes.hostname ? 'is gone' : 'you asked to break (--break-lock)'}: taking it over`
          : `disk ${disk.path} had an unreadable lock file: taking it over`,
      );
    }
    if (deps.platform === 'linux') {
      let users = await diskUsers(deps, disk);
      const left = previous?.host === deps.processes.hostname ? previous.extra?.workDir : undefined;
      if (left && users.length > 0 && users.every((u) => leftBy(u, left))) {
        await unmountLeftovers(deps, disk, left, users);
        users = await diskUsers(deps, disk);
      }
      if (users.length > 0) throw inUse(disk, users);
    }
  } catch (err) {
    await lock.release();
    throw err;
  }
  return { note: (extra) => lock.note(extra), release: () => lock.release() };
}

/** A dislocker daemon the dead run started (its mount is inside that run's folder). */
function leftBy(u: DiskUser, workDir: string): boolean {
  return u.kind === 'dislocker' && u.mountPoint?.startsWith(workDir + path.sep) === true;
}

/** Unmounts what a killed run left: its NTFS first (ntfs-3g flushes), then dislocker. */
async function unmountLeftovers(
  deps: Deps,
  disk: DiskInfo,
  workDir: string,
  users: DiskUser[],
): Promise<void> {
  deps.terminal.warn(
    `${disk.path} is still unlocked by the run that died (${users.map((u) => u.text).join('; ')}): unmounting it first`,
  );
  const mounts = await deps.fs.readFile('/proc/mounts', 'utf8').catch(() => '');
  const inside = mounts
    .split('\n')
    .map((l) => l.split(' ')[1]?.replaceAll('\\040', ' ') ?? '')
    .filter((m) => m.startsWith(workDir + path.sep));
  // Deepest first: the NTFS mount reads through the dislocker one.
  const order = [...new Set([...inside, ...users.map((u) => u.mountPoint!)])].sort((a, b) => {
    const last = (m: string) => (path.basename(m) === 'dislocker' ? 1 : 0);
    return last(a) - last(b);
  });
  for (const m of order) await unmount(deps, m);
  // dislocker leaves when its mount goes; give it a moment so the device is free.
  for (let i = 0; i < 40 && (await diskUsers(deps, disk)).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  await deps.fs.rm(workDir, { recursive: true, force: true }).catch(() => {});
}

function inUse(disk: DiskInfo, users: DiskUser[]): UsageError {
  const u = users[0]!;
  const fix =
    u.kind === 'dislocker'
      ? `unmount it first (umount ${u.mountPoint ?? '<its mount point>'}, after any NTFS mounted from it), so dislocker exits`
      : u.kind === 'holder'
        ? 'close it first (cryptsetup close <name>, or dmsetup remove)'
        : `unmount it first (umount ${u.mountPoint ?? ''})`;
  return new UsageError(`disk ${disk.path} is in use: ${u.text}`, {
    code: 'ERR_DISKPREP_DISK_IN_USE',
    hint: `${fix}; diskprep never writes to a disk another program has open`,
    details: { path: disk.path, users: users.map((x) => x.text) },
  });
}

/** `volume` whose release also frees the disk, after the volume is unmounted and locked. */
export function releasingClaim(volume: PreparedVolume, claim: DiskClaim): PreparedVolume {
  return {
    ...volume,
    release: async () => {
      try {
        await volume.release();
      } finally {
        await claim.release();
      }
    },
  };
}
