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
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { DiskError, InterruptedError, UsageError } from '../../errors.ts';
import { Cleanup } from '../cleanup.ts';
import { formatSize } from '../formatSize.ts';
import type { DiskInfo, PreparedVolume } from '../types.ts';
import {
  type BitlkDump,
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
}

/** Below this, a fresh NTFS squeezed before the first FVE metadata region is refused. */
const MIN_NTFS_BYTES = 16 * 1024 * 1024;
const CLUSTER = 4096;

/** The device holding the BitLocker volume: the disk itself or its first BitLocker partition. */
export function bitlockerDevice(disk: DiskInfo): string | undefined {
  if (disk.fsType?.toLowerCase() === 'bitlocker') return disk.path;
  return disk.partitions.find((p) => p.fsType?.toLowerCase() === 'bitlocker')?.path;
}

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

function isMounted(mounts: string, dir: string): boolean {
  return mounts.split('\n').some((l) => l.split(' ')[1] === dir.replaceAll(' ', '\\040'));
}

/** Unmounts `dir` if it is mounted, retrying while a FUSE daemon still holds it. */
async function unmount(deps: Deps, dir: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const mounts = await deps.fs.readFile('/proc/mounts', 'utf8').catch(() => '');
    if (!isMounted(mounts, dir)) return;
    const r = await deps.exec.run('umount', [dir], { reject: false });
    if (r.exitCode === 0) continue;
    if (attempt >= 20) {
      // Still busy after ~5 s (a writer that ignored the abort): detach lazily so nothing stays
      // visible; the kernel finishes when the last file closes.
      await deps.exec.run('umount', ['-l', dir], { reject: false });
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Unlocks and mounts; see the module comment. */
export async function openLinux(
  deps: Deps,
  disk: DiskInfo,
  options: OpenLinuxOptions,
): Promise<PreparedVolume> {
  const device = bitlockerDevice(disk);
  if (!device) {
    throw new UsageError(`${disk.path} holds no BitLocker volume`, {
      code: 'ERR_DISKPREP_BITLOCKER',
      hint: 'encrypt it on Windows first (manage-bde -on X: -RecoveryPassword), or drop --already-encrypted and run diskprep on Windows',
    });
  }
  const dump = parseBitlkDump((await deps.exec.run('cryptsetup', ['bitlkDump', device])).stdout);
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
  const key = options.bitlockerKey;
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

  const cleanup = new Cleanup();
  const checkAbort = () => {
    if (deps.signal.aborted) throw new InterruptedError();
  };
  try {
    const work = await mkdtemp(join(tmpdir(), 'diskprep-bitlocker-'));
    cleanup.push('remove temp dir', () => deps.fs.rm(work, { recursive: true, force: true }));
    const disDir = join(work, 'dislocker');
    const ntfsDir = join(work, 'ntfs');
    await deps.fs.mkdir(disDir, { mode: 0o700 });
    await deps.fs.mkdir(ntfsDir, { mode: 0o700 });

    const keyDump = await deps.exec.run(
      'cryptsetup',
      ['bitlkDump', device, '--dump-volume-key', '--batch-mode', '--key-file', '-'],
      {
        input: key,
      },
    );
    const fvek = parseVolumeKeyDump(keyDump.stdout);
    deps.redactor.add(fvek.toString('hex'));
    const fvekFile = join(work, 'fvek');
    await deps.fs.writeFile(fvekFile, dislockerFvekFile(dump, fvek), { mode: 0o600 });
    fvek.fill(0);
    checkAbort();
    const readOnly = options.readOnly === true;
    if (readOnly) await deps.exec.run('blockdev', ['--flushbufs', device], { reject: false });
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
    const inner = join(disDir, 'dislocker-file');
    checkAbort();

    let fileSystemBytes: number;
    if (options.alreadyFormatted || readOnly) {
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
      fileSystemBytes = dump.volumeSize;
    } else {
      const sectors = ntfsSectorsFor(dump);
      fileSystemBytes = sectors * dump.sectorSize;
      if (fileSystemBytes < MIN_NTFS_BYTES) {
        throw new DiskError(
          `a fresh NTFS on ${disk.path} would only get ${formatSize(fileSystemBytes)}: BitLocker's metadata starts there and dislocker cannot write past it`,
          {
            code: 'ERR_DISKPREP_NTFS_TOO_SMALL',
            hint: 'format the encrypted volume NTFS on Windows, then pass --already-formatted',
          },
        );
      }
      if (fileSystemBytes < dump.volumeSize * 0.9) {
        deps.terminal.warn(
          `the new NTFS on ${disk.path} spans ${formatSize(fileSystemBytes)} of ${formatSize(dump.volumeSize)}: it must end before BitLocker's first metadata region; to use the whole drive, format it on Windows and pass --already-formatted`,
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
          options.label,
          inner,
          String(sectors),
        ],
        { write: true },
      );
    }
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
    cleanup.armOn(deps.signal);
    return {
      mountPath: ntfsDir,
      driveId: options.driveId,
      bitlockerKey: key,
      model: disk.model,
      sizeBytes: disk.sizeBytes,
      fileSystemBytes,
      dryRun: deps.exec.dryRun,
      release: () => cleanup.run(),
    };
  } catch (err) {
    await cleanup.run().catch(() => {});
    if (deps.signal.aborted && !(err instanceof InterruptedError)) throw new InterruptedError();
    throw err;
  }
}
