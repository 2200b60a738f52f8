/**
 * `verify --drive` on Windows: unlock a prepared drive's BitLocker volume with its recovery
 * password (Unlock-BitLocker, the key in an environment variable, never on a command line) and
 * read it at its drive letter. Nothing is formatted or written; Windows has no read-only
 * unlock, so the volume is unlocked as usual and verify only opens files for reading. Release
 * locks it again when this call unlocked it (a volume found unlocked is left so).
 */
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import { Cleanup } from '../cleanup.ts';
import type { DiskInfo } from '../types.ts';
import { bitlockerStateOf, type WinBitLockerVolume } from './parse.ts';
import { jsonArray, mountPoint, parseJsonOutput, runPowerShell } from './powershell.ts';

/** An unlocked volume to read, and how to lock it again. */
export interface UnlockedForVerify {
  /** `E:\`. */
  mountPath: string;
  release(): Promise<void>;
}

async function lockStatus(deps: Deps, letter: string): Promise<WinBitLockerVolume | undefined> {
  const r = await runPowerShell(
    deps,
    `Get-BitLockerVolume -MountPoint ${mountPoint(letter)}|Select-Object MountPoint,VolumeStatus,LockStatus|ConvertTo-Json -Compress`,
    { step: `reading the BitLocker state of ${letter}:` },
  );
  return jsonArray<WinBitLockerVolume>(parseJsonOutput(r.stdout))[0];
}

/** Unlocks the first BitLocker volume of `disk` for reading; see the module comment. */
export async function unlockWindowsForVerify(
  deps: Deps,
  disk: DiskInfo,
  key: string,
): Promise<UnlockedForVerify> {
  const letter = disk.partitions.find((p) => p.bitlocker !== 'none' && p.driveLetter)?.driveLetter;
  if (!letter) {
    throw new UsageError(
      `disk ${disk.path} (${disk.model}) has no BitLocker volume with a drive letter`,
      {
        code: 'ERR_DISKPREP_BITLOCKER',
        hint: 'assign it a letter in Disk Management, then run verify again',
      },
    );
  }
  deps.redactor.add(key);
  const cleanup = new Cleanup();
  if (bitlockerStateOf(await lockStatus(deps, letter)) === 'locked') {
    const r = await runPowerShell(
      deps,
      `Unlock-BitLocker -MountPoint ${mountPoint(letter)} -RecoveryPassword $env:DISKPREP_BITLOCKER_KEY|Out-Null`,
      { step: `unlocking ${letter}:`, env: { DISKPREP_BITLOCKER_KEY: key }, reject: false },
    );
    if (r.exitCode !== 0) {
      throw new UsageError(
        `the BitLocker recovery password given for ${letter}: does not unlock it`,
        {
          code: 'ERR_DISKPREP_WRONG_KEY',
          hint: `check --bitlocker-key (the drive-info XML in the job's journal holds it)`,
        },
      );
    }
    cleanup.push('lock', async () => {
      await runPowerShell(
        deps,
        `Lock-BitLocker -MountPoint ${mountPoint(letter)} -ForceDismount|Out-Null`,
        { step: `locking ${letter}: again`, reject: false },
      );
    });
  }
  cleanup.armOn(deps.signal);
  return { mountPath: `${letter}:\\`, release: () => cleanup.run() };
}
