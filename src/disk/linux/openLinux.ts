/**
 * Unlocks an already BitLocker-encrypted drive on Linux and mounts the NTFS inside read-write:
 *
 * 1. `cryptsetup bitlkDump` — the volume must carry a recovery-password protector (the service
 *    unlocks with it); the metadata offsets size a fresh NTFS.
 * 2. `cryptsetup bitlkOpen --test-passphrase` — a wrong key fails here, clearly, before any mount
 *    (no device-mapper needed).
 * 3. `cryptsetup bitlkDump --dump-volume-key` → an FVEK file (0600, in a 0700 temp dir, deleted
 *    as soon as dislocker has read it) → `dislocker -k`. The recovery password is only ever
 *    written to cryptsetup's stdin: dislocker's `-p<password>` would show it in `ps`, and its
 *    `-p` prompt reads /dev/tty, not stdin ("Cannot open tty" when piped).
 * 4. optional `mkntfs` inside dislocker's view, then `ntfs-3g` read-write.
 *
 * With `readOnly` (`verify --drive`): the device's buffer cache is dropped first (`blockdev
 * --flushbufs`, so reads come from the medium, not from pages a copy left), dislocker runs with
 * `--readonly`, nothing is formatted, and ntfs-3g mounts `ro`: the volume is not written.
 *
 * Everything mounted or created is undone by release(), on failure half-way, and on abort.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { DiskError, InterruptedError, UsageError } from '../../errors.ts';
import { Cleanup } from '../cleanup.ts';
import { unmount } from './mounts.ts';
import { checkIdentity, type IdentityRules, readNtfsSerial } from '../identity.ts';
import { formatBytes } from '../../format.ts';
import type { DiskInfo, DriveIdentity, PreparedVolume } from '../types.ts';
import {
  type BitlkDump,
  bitlockerDevice,
  dislockerFvekFile,
  hasRecoveryPassword,
  parseBitlkDump,
  parseVolumeKeyDump,
} from './bitlk.ts';

/** What the Linux backend needs besides the disk. */
export interface OpenLinuxOptions {
  bitlockerKey: string;
  driveId: string;
  alreadyFormatted: boolean;
  label: string;
  /** Unlock and mount without writing anything (implies an existing NTFS). */
  readOnly?: boolean;
  /** What the disk must be (a resume) and must not be (other recorded drives). */
  rules?: IdentityRules;
  /** Told the folder the volume is mounted under, before anything is mounted (the disk lock records it). */
  onWorkDir?: (dir: string) => Promise<void>;
}

/** Below this, a fresh NTFS squeezed before the first FVE metadata region is refused. */
const MIN_NTFS_BYTES = 16 * 1024 * 1024;
const CLUSTER = 4096;

/**
 * Size of an NTFS that fits dislocker's writable view: it must end before the first FVE
 * metadata segment, because dislocker refuses writes there (EFAULT) and a fresh mkntfs does not
 * reserve those regions the way Windows does (testdata/bitlocker/README.md).
 */
export function ntfsSectorsFor(dump: BitlkDump): number {
  const end = Math.min(dump.volumeSize, ...dump.metadataOffsets);
  const bytes = Math.floor(end / CLUSTER) * CLUSTER;
  return Math.floor(bytes / dump.sectorSize);
}

/** Unlocks and mounts; see the module comment. */
export async function openLinux(
  deps: Deps,
  disk: DiskInfo,
  options: OpenLinuxOptions,
): Promise<PreparedVolume> {
  const device = bitlockerDeviceOf(disk, options);
  const dump = parseBitlkDump((await deps.exec.run('cryptsetup', ['bitlkDump', device])).stdout);
  const identity: DriveIdentity = {
    ...(disk.serial !== undefined ? { serial: disk.serial } : {}),
    model: disk.model,
    sizeBytes: disk.sizeBytes,
    ...(dump.guid ? { bitlockerGuid: dump.guid.toLowerCase() } : {}),
  };
  const rules = options.rules ?? {};
  checkIdentity(disk.path, identity, rules);
  const key = options.bitlockerKey;
  await checkUnlocks(deps, disk, device, dump, key);
  const u: Unlocked = {
    deps,
    disk,
    device,
    dump,
    key,
    identity,
    rules,
    options,
    readOnly: options.readOnly === true,
  };
  const cleanup = new Cleanup();
  try {
    return await mountUnlocked(u, cleanup);
  } catch (err) {
    await cleanup.run().catch(() => {});
    if (deps.signal.aborted && !(err instanceof InterruptedError)) throw new InterruptedError();
    throw err;
  }
}

/** A volume whose key was accepted, and what the steps after need of it. */
interface Unlocked {
  deps: Deps;
  disk: DiskInfo;
  device: string;
  dump: BitlkDump;
  key: string;
  identity: DriveIdentity;
  rules: IdentityRules;
  options: OpenLinuxOptions;
  readOnly: boolean;
}

/** The BitLocker partition of the disk; refused when there is none or a recorded drive would be formatted. */
function bitlockerDeviceOf(disk: DiskInfo, options: OpenLinuxOptions): string {
  const device = bitlockerDevice(disk);
  if (!device) {
    throw new UsageError(`${disk.path} holds no BitLocker volume`, {
      code: 'ERR_DISKPREP_BITLOCKER',
      hint: 'encrypt it on Windows first (manage-bde -on X: -RecoveryPassword), or drop --already-encrypted and run diskprep on Windows',
    });
  }
  if (options.rules?.expect && !options.alreadyFormatted) {
    // The decision layer never asks this; the last line of defence for a partly filled drive.
    throw new UsageError(
      `refusing to format ${disk.path}: it is drive ${options.rules.expect.driveId}, partly filled`,
      {
        code: 'ERR_DISKPREP_RECORDED_DRIVE',
        hint: 'run the same command again: a partly filled drive is unlocked and filled on, never formatted',
      },
    );
  }
  return device;
}

/** The volume has the protector the service unlocks with, and the key given opens it. */
async function checkUnlocks(
  deps: Deps,
  disk: DiskInfo,
  device: string,
  dump: BitlkDump,
  key: string,
): Promise<void> {
  if (!hasRecoveryPassword(dump)) {
    const kinds = dump.protectors.map((p) => p.protection).join(', ') || 'none';
    throw new DiskError(
      `${device} has no recovery-password (numerical password) protector, which the Azure service needs to unlock it (protectors: ${kinds})`,
      {
        code: 'ERR_DISKPREP_NO_RECOVERY_PASSWORD',
        hint: 'add one on Windows: manage-bde -protectors -add X: -RecoveryPassword, then pass that password with --bitlocker-key',
      },
    );
  }
  deps.redactor.add(key);
  const test = await deps.exec.run(
    'cryptsetup',
    ['bitlkOpen', '-r', device, '--test-passphrase', '--key-file', '-'],
    {
      input: key,
      reject: false,
    },
  );
  if (test.exitCode !== 0) {
    throw new UsageError(
      `the BitLocker recovery password given for ${disk.path} does not unlock it`,
      {
        code: 'ERR_DISKPREP_WRONG_KEY',
        hint: 'check --bitlocker-key (manage-bde -protectors -get X: on the machine that encrypted it shows the numerical password)',
      },
    );
  }
}

/** dislocker, the NTFS inside (checked, formatted when asked), ntfs-3g: the prepared volume. */
async function mountUnlocked(u: Unlocked, cleanup: Cleanup): Promise<PreparedVolume> {
  const { deps, disk, options, readOnly } = u;
  const checkAbort = () => {
    if (deps.signal.aborted) throw new InterruptedError();
  };
  const work = await mkdtemp(join(tmpdir(), 'diskprep-bitlocker-'));
  cleanup.push('remove temp dir', () => deps.fs.rm(work, { recursive: true, force: true }));
  await options.onWorkDir?.(work);
  const disDir = join(work, 'dislocker');
  const ntfsDir = join(work, 'ntfs');
  await deps.fs.mkdir(disDir, { mode: 0o700 });
  await deps.fs.mkdir(ntfsDir, { mode: 0o700 });
  await startDislocker(u, work, disDir, cleanup, checkAbort);
  const inner = join(disDir, 'dislocker-file');
  checkAbort();
  if (!deps.exec.dryRun) await checkInnerIdentity(u, inner);
  let fileSystemBytes = await prepareNtfs(u, inner);
  checkAbort();
  cleanup.push('unmount ntfs', () => unmount(deps, ntfsDir));
  await deps.exec.run('ntfs-3g', ['-o', readOnly ? 'ro' : 'rw', inner, ntfsDir], {
    write: !readOnly,
  });
  checkAbort();
  if (!deps.exec.dryRun && (options.alreadyFormatted || readOnly)) {
    const st = await deps.fs.statfs(ntfsDir);
    fileSystemBytes = st.blocks * st.bsize;
  }
  if (!deps.exec.dryRun) {
    const ntfsSerial = await readNtfsSerial(deps, inner);
    if (ntfsSerial) u.identity.ntfsSerial = ntfsSerial;
  }
  cleanup.armOn(deps.signal);
  return {
    identity: u.identity,
    mountPath: ntfsDir,
    driveId: options.driveId,
    bitlockerKey: u.key,
    model: disk.model,
    sizeBytes: disk.sizeBytes,
    fileSystemBytes,
    dryRun: deps.exec.dryRun,
    release: () => cleanup.run(),
  };
}

/** The FVEK into a 0600 file, `dislocker -k` on it, the file deleted as soon as dislocker ran. */
async function startDislocker(
  u: Unlocked,
  work: string,
  disDir: string,
  cleanup: Cleanup,
  checkAbort: () => void,
): Promise<void> {
  const { deps, device, readOnly } = u;
  const keyDump = await deps.exec.run(
    'cryptsetup',
    ['bitlkDump', device, '--dump-volume-key', '--batch-mode', '--key-file', '-'],
    {
      input: u.key,
    },
  );
  const fvek = parseVolumeKeyDump(keyDump.stdout);
  deps.redactor.add(fvek.toString('hex'));
  const fvekFile = join(work, 'fvek');
  await deps.fs.writeFile(fvekFile, dislockerFvekFile(u.dump, fvek), { mode: 0o600 });
  fvek.fill(0);
  checkAbort();
  if (readOnly) await deps.exec.run('blockdev', ['--flushbufs', device], { reject: false });
  // dislocker writes through the device's page cache and never fsyncs: without this the last
  // of the copy (the manifest, NTFS's own metadata) can still be in memory when the operator is
  // told the drive is ready and pulls it. `sync <device>` fsyncs the device: the pages are
  // written and the disk's write cache flushed. Runs after the unmount (cleanup runs last-in,
  // first-out), also on failure and Ctrl-C.
  if (!readOnly)
    cleanup.push('write the disk cache to the disk', async () => {
      await deps.exec.run('sync', [device], { reject: false });
    });
  cleanup.push('unmount dislocker', () => unmount(deps, disDir));
  try {
    await deps.exec.run(
      'dislocker',
      readOnly
        ? // --readonly makes the file read-only; `-o ro` after the mount point, the FUSE mount too.
          ['-q', '--readonly', '-V', device, '-k', fvekFile, '--', disDir, '-o', 'ro']
        : ['-q', '-V', device, '-k', fvekFile, '--', disDir],
      { write: !readOnly, signal: deps.signal },
    );
  } finally {
    await deps.fs.rm(fvekFile, { force: true });
  }
}

/**
 * The NTFS inside tells one copy of a volume from another: checked before it is formatted or
 * filled.
 */
async function checkInnerIdentity(u: Unlocked, inner: string): Promise<void> {
  const { disk, rules } = u;
  const ntfsSerial = await readNtfsSerial(u.deps, inner);
  checkIdentity(disk.path, { ...u.identity, ...(ntfsSerial ? { ntfsSerial } : {}) }, rules);
  if (rules.expect?.identity?.ntfsSerial !== undefined && ntfsSerial === undefined) {
    throw new UsageError(
      `${disk.path} holds no NTFS, but drive ${rules.expect.driveId} was being filled with one (NTFS volume serial ${rules.expect.identity.ntfsSerial})`,
      {
        code: 'ERR_DISKPREP_WRONG_DRIVE',
        hint: `attach drive ${rules.expect.driveId} and name it with --drive`,
      },
    );
  }
}

/** The existing NTFS checked (already formatted, read-only), else a fresh one made: its size. */
async function prepareNtfs(u: Unlocked, inner: string): Promise<number> {
  const { deps, disk, dump, readOnly } = u;
  if (u.options.alreadyFormatted || readOnly) {
    if (!deps.exec.dryRun) {
      const probe = await deps.exec.run('blkid', ['-p', '-o', 'export', inner], {
        reject: false,
      });
      if (!/^TYPE=ntfs$/m.test(probe.stdout)) {
        throw new UsageError(`the BitLocker volume on ${disk.path} holds no NTFS file system`, {
          code: 'ERR_DISKPREP_NOT_NTFS',
          hint: readOnly
            ? 'this is not a drive diskprep prepared'
            : 'drop --already-formatted to create one',
        });
      }
    }
    return dump.volumeSize;
  }
  return formatNtfs(u, inner);
}

/** mkntfs inside dislocker's view, ending before BitLocker's first metadata region. */
async function formatNtfs(u: Unlocked, inner: string): Promise<number> {
  const { deps, disk, dump } = u;
  const sectors = ntfsSectorsFor(dump);
  const fileSystemBytes = sectors * dump.sectorSize;
  if (fileSystemBytes < MIN_NTFS_BYTES) {
    throw new DiskError(
      `a fresh NTFS on ${disk.path} would only get ${formatBytes(fileSystemBytes)}: BitLocker's metadata starts there and dislocker cannot write past it`,
      {
        code: 'ERR_DISKPREP_NTFS_TOO_SMALL',
        hint: 'format the encrypted volume NTFS on Windows, then pass --already-formatted',
      },
    );
  }
  if (fileSystemBytes < dump.volumeSize * 0.9) {
    deps.terminal.warn(
      `the new NTFS on ${disk.path} spans ${formatBytes(fileSystemBytes)} of ${formatBytes(dump.volumeSize)}: it must end before BitLocker's first metadata region; to use the whole drive, format it on Windows and pass --already-formatted`,
    );
  }
  await deps.exec.run(
    'mkntfs',
    [
      '-F',
      '-Q',
      '-q',
      '-s',
      String(dump.sectorSize),
      '-c',
      String(CLUSTER),
      '-L',
      u.options.label,
      inner,
      String(sectors),
    ],
    { write: true },
  );
  // mkntfs seeds its volume serial with the time in seconds: drives formatted in the same second
  // (the disks of one multi-select) would share the NTFS serial that tells recorded drives apart,
  // and the resume of one would be refused as the other.
  await deps.exec.run('ntfslabel', [`--new-serial=${randomBytes(8).toString('hex')}`, inner], {
    write: true,
  });
  return fileSystemBytes;
}
