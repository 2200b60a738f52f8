/**
 * The entry point `verify --drive` uses: find the disk, unlock its BitLocker volume with the
 * recovery password and mount it without writing (Linux: dislocker `--readonly` + ntfs-3g
 * `ro`; Windows: Unlock-BitLocker, read at its drive letter). Release undoes it; it also runs
 * on Ctrl-C.
 */
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { openLinux } from './linux/openLinux.ts';
import { listDisks } from './listDisks.ts';
import { parseRecoveryPassword } from './recoveryPassword.ts';
import { describeDisk, resolveDisk } from './selectDisk.ts';
import type { DiskInfo } from './types.ts';
import { unlockWindowsForVerify } from './windows/unlockForVerify.ts';

/** A prepared drive unlocked for reading. */
export interface ReadOnlyVolume {
  disk: DiskInfo;
  /** Root of the volume (a mount point, or `E:\`). */
  mountPath: string;
  release(): Promise<void>;
}

/**
 * Unlocks the disk `spec` names for reading. `keyFor` supplies its recovery password once the
 * disk is known (a flag, the journal, or a prompt).
 */
export async function openDriveReadOnly(
  deps: Deps,
  spec: string,
  keyFor: (disk: DiskInfo) => Promise<string>,
): Promise<ReadOnlyVolume> {
  const disk = await resolveDisk(deps, await listDisks(deps), spec);
  if (disk.system || disk.boot) {
    throw new UsageError(`refusing ${describeDisk(disk)}: it is a system or boot disk`, {
      code: 'ERR_DISKPREP_DISK_REFUSED',
      hint: 'name the prepared drive (diskprep drives --all lists the disks)',
    });
  }
  if (disk.mountpoints.length > 0) {
    throw new UsageError(`${disk.path} is mounted at ${disk.mountpoints.join(', ')}`, {
      code: 'ERR_DISKPREP_DISK_REFUSED',
      hint: `verify the mounted volume with --target ${disk.mountpoints[0]}, or unmount it first`,
    });
  }
  const key = parseRecoveryPassword(await keyFor(disk));
  deps.redactor.add(key);
  if (deps.platform === 'win32') {
    const v = await unlockWindowsForVerify(deps, disk, key);
    return { disk, ...v };
  }
  const v = await openLinux(deps, disk, {
    bitlockerKey: key,
    driveId: disk.serial ?? '',
    alreadyFormatted: true,
    label: '',
    readOnly: true,
  });
  return { disk, mountPath: v.mountPath, release: () => v.release() };
}
