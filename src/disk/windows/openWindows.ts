/**
 * Prepares a drive on Windows with the storage and BitLocker cmdlets:
 *
 * - new drive: Clear-Disk → Initialize-Disk GPT → New-Partition (all space, a new letter) |
 *   Format-Volume NTFS → Enable-BitLocker XTS-AES 128 (encryptionMethod.ts) with a
 *   recovery-password protector → the password read back from Get-BitLockerVolume. The whole
 *   volume is encrypted unless the disk was RAW (never initialised): Clear-Disk removes the
 *   partition information, not the data, and used-space-only encryption would leave a reused
 *   disk's old data readable in the free space. Every script that names the disk by number
 *   first checks it is still the disk that was confirmed (diskGuard.ts).
 * - already encrypted: the BitLocker volume must be the first data volume; Unlock-BitLocker with
 *   the given recovery password (passed in an environment variable, so it is in no command
 *   line); encryption complete or running with protection on (encryptedVolume.ts); a
 *   recovery-password protector that is the given key; NTFS with `--already-formatted`, else
 *   Format-Volume NTFS (BitLocker stays on; checked afterwards).
 *
 * Every disk-changing step is its own `write: true` command, so `--dry-run` lists them.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskError, UsageError } from '../../errors.ts';
import { Cleanup } from '../cleanup.ts';
import type { DiskInfo, PreparedVolume } from '../types.ts';
import { runOnDisk } from './diskGuard.ts';
import { checkProtection, firstDataVolume } from './encryptedVolume.ts';
import { ENCRYPTION_METHOD } from './encryptionMethod.ts';
import type { DriveIdentity } from '../types.ts';
import { checkIdentity, type IdentityRules } from '../identity.ts';
import { readWindowsNtfsSerial } from './volumeIdentity.ts';
import {
  type WinBitLockerVolume,
  bitlockerStateOf,
  encryptionMethodOf,
  isRecoveryProtector,
  letterOf,
  protectorsOf,
} from './parse.ts';
import { diskNumber, jsonArray, mountPoint, parseJsonOutput, runPowerShell } from './powershell.ts';

/** What the Windows backend needs besides the disk. */
export interface OpenWindowsOptions {
  alreadyEncrypted: boolean;
  alreadyFormatted: boolean;
  bitlockerKey?: string;
  driveId: string;
  label: string;
  /** What the disk must be (a resume) and must not be (other recorded drives); see src/disk/identity.ts. */
  rules?: IdentityRules;
}

/** The BitLocker state of one volume, as the opener reads it (`mp` from {@link mountPoint}). */
export const READ_BITLOCKER = (mp: string) =>
  `Get-BitLockerVolume -MountPoint ${mp}|Select-Object MountPoint,VolumeStatus,ProtectionStatus,LockStatus,EncryptionPercentage,EncryptionMethod,KeyProtector|ConvertTo-Json -Depth 4 -Compress`;

async function readBitLocker(deps: Deps, letter: string): Promise<WinBitLockerVolume> {
  const r = await runPowerShell(deps, READ_BITLOCKER(mountPoint(letter)), {
    step: `reading BitLocker on ${letter}:`,
  });
  const v = jsonArray<WinBitLockerVolume>(parseJsonOutput(r.stdout))[0];
  if (!v)
    throw new DiskError(`Get-BitLockerVolume printed nothing for ${letter}:`, {
      code: 'ERR_DISKPREP_BITLOCKER',
    });
  // Recovery passwords are secrets from the moment they are read.
  for (const p of protectorsOf(v)) deps.redactor.add(p.RecoveryPassword);
  return v;
}

/** Prepares or unlocks; see the module comment. */
export async function openWindows(
  deps: Deps,
  disk: DiskInfo,
  options: OpenWindowsOptions,
): Promise<PreparedVolume> {
  const n = diskNumber(disk.number);
  const cleanup = new Cleanup();
  cleanup.armOn(deps.signal);
  const identity: DriveIdentity = {
    ...(disk.serial !== undefined ? { serial: disk.serial } : {}),
    model: disk.model,
    sizeBytes: disk.sizeBytes,
  };
  const rules = options.rules;
  if (rules) checkIdentity(disk.path, identity, rules);
  if (rules?.expect && !(options.alreadyEncrypted && options.alreadyFormatted)) {
    // The decision layer never asks this; the last line of defence for a partly filled drive.
    throw new UsageError(
      `refusing to clear or format disk ${n}: it is drive ${rules.expect.driveId}, partly filled`,
      {
        code: 'ERR_DISKPREP_RECORDED_DRIVE',
        hint: 'run the same command again: a partly filled drive is unlocked and filled on, never formatted',
      },
    );
  }
  const w: WindowsOpen = { deps, disk, options, n, identity, rules, cleanup };
  return options.alreadyEncrypted ? openEncrypted(w) : prepareNew(w);
}

/** One opening: the disk, its number, the identity so far, and what to undo. */
interface WindowsOpen {
  deps: Deps;
  disk: DiskInfo;
  options: OpenWindowsOptions;
  n: string;
  identity: DriveIdentity;
  rules: IdentityRules | undefined;
  cleanup: Cleanup;
}

/** With rules (a prepare run), the NTFS serial: checked before formatting, recorded after. */
async function ntfsIdentity(w: WindowsOpen, letter: string): Promise<DriveIdentity> {
  if (!w.rules || w.deps.exec.dryRun) return w.identity;
  const ntfsSerial = await readWindowsNtfsSerial(w.deps, letter);
  return ntfsSerial ? { ...w.identity, ntfsSerial } : w.identity;
}

/** The prepared volume; release() locks it again. */
function volumeOf(
  w: WindowsOpen,
  letter: string,
  key: string,
  fileSystemBytes: number,
  method: string | undefined,
): PreparedVolume {
  const { deps, disk } = w;
  w.cleanup.push('lock', async () => {
    await runPowerShell(
      deps,
      `Lock-BitLocker -MountPoint ${mountPoint(letter)} -ForceDismount|Out-Null`,
      { step: `locking ${letter}:`, write: true, reject: false },
    );
  });
  return {
    identity: w.identity,
    mountPath: `${letter}:\\`,
    driveId: w.options.driveId,
    bitlockerKey: key,
    model: disk.model,
    sizeBytes: disk.sizeBytes,
    fileSystemBytes,
    ...(method ? { encryptionMethod: method } : {}),
    dryRun: deps.exec.dryRun,
    release: () => w.cleanup.run(),
  };
}

/** A new drive: cleared, one NTFS partition, BitLocker on with a recovery password. */
async function prepareNew(w: WindowsOpen): Promise<PreparedVolume> {
  const { deps, disk, n } = w;
  const { made, wasRaw } = await partitionAndFormat(w);
  const scope = wasRaw ? ' -UsedSpaceOnly' : '';
  if (made.dryRun) {
    deps.terminal.info(
      `! Enable-BitLocker -MountPoint <new volume> -EncryptionMethod ${ENCRYPTION_METHOD} -RecoveryPasswordProtector${scope}`,
    );
    return volumeOf(w, 'X', '', 0, ENCRYPTION_METHOD);
  }
  const v = jsonArray<{ DriveLetter?: unknown; Size?: number }>(parseJsonOutput(made.stdout))[0];
  const letter = letterOf(v?.DriveLetter);
  if (!letter) {
    throw new DiskError(`the new volume on disk ${n} got no drive letter`, {
      code: 'ERR_DISKPREP_NO_LETTER',
      hint: 'free a drive letter (Disk Management) and run again',
    });
  }
  await runPowerShell(
    deps,
    `Enable-BitLocker -MountPoint ${mountPoint(letter)} -EncryptionMethod ${ENCRYPTION_METHOD} -RecoveryPasswordProtector${scope} -WarningAction SilentlyContinue|Out-Null`,
    { step: `turning BitLocker on for ${letter}:`, write: true },
  );
  const bl = await readBitLocker(deps, letter);
  const key = protectorsOf(bl).find(
    (p) => isRecoveryProtector(p) && p.RecoveryPassword,
  )?.RecoveryPassword;
  if (!key) {
    throw new DiskError(`BitLocker on ${letter}: has no recovery password after Enable-BitLocker`, {
      code: 'ERR_DISKPREP_NO_RECOVERY_PASSWORD',
      hint: `add one: manage-bde -protectors -add ${letter}: -RecoveryPassword, then run again with --already-encrypted --already-formatted`,
    });
  }
  Object.assign(w.identity, await ntfsIdentity(w, letter));
  const method = encryptionMethodOf(bl.EncryptionMethod) ?? ENCRYPTION_METHOD;
  return volumeOf(w, letter, key, Number(v?.Size ?? disk.sizeBytes), method);
}

/** Clear-Disk (unless RAW), Initialize-Disk GPT, New-Partition | Format-Volume NTFS. */
async function partitionAndFormat(
  w: WindowsOpen,
): Promise<{ made: Awaited<ReturnType<typeof runOnDisk>>; wasRaw: boolean }> {
  const { deps, disk, n } = w;
  const cleared = await runOnDisk(
    deps,
    disk,
    `$raw=$d.PartitionStyle -eq 'RAW';if($d.IsOffline){Set-Disk -Number ${n} -IsOffline $false};if($d.IsReadOnly){Set-Disk -Number ${n} -IsReadOnly $false};if(-not $raw){Clear-Disk -Number ${n} -RemoveData -RemoveOEM -Confirm:$false};@{WasRaw=$raw}|ConvertTo-Json -Compress`,
    { step: `clearing disk ${n}`, write: true },
  );
  // A disk never initialised holds nothing to hide; any other may hold old data in free space.
  const wasRaw = cleared.dryRun
    ? disk.partitionStyle === 'RAW'
    : jsonArray<{ WasRaw?: boolean }>(parseJsonOutput(cleared.stdout))[0]?.WasRaw === true;
  await runOnDisk(deps, disk, `Initialize-Disk -Number ${n} -PartitionStyle GPT`, {
    step: `initialising disk ${n}`,
    write: true,
  });
  const made = await runOnDisk(
    deps,
    disk,
    `New-Partition -DiskNumber ${n} -UseMaximumSize -AssignDriveLetter|Format-Volume -FileSystem NTFS -NewFileSystemLabel $env:DISKPREP_LABEL -Confirm:$false -Force|Select-Object DriveLetter,Size|ConvertTo-Json -Compress`,
    {
      step: `partitioning and formatting disk ${n}`,
      write: true,
      env: { DISKPREP_LABEL: w.options.label },
    },
  );
  return { made, wasRaw };
}

/** Already encrypted: the service reads the first data volume, so that must be the BitLocker one. */
async function openEncrypted(w: WindowsOpen): Promise<PreparedVolume> {
  const { deps, options } = w;
  const part = firstDataVolume(w.disk);
  const letter = part.driveLetter;
  const key = options.bitlockerKey ?? '';
  deps.redactor.add(key);
  const bl = await unlockEncrypted(deps, letter, key);
  checkProtection(bl, letter);
  if (w.rules) await checkEncryptedIdentity(w, w.rules, letter);
  if (options.alreadyFormatted) {
    await requireNtfs(deps, letter);
  } else {
    await runPowerShell(
      deps,
      `Format-Volume -DriveLetter ${letter} -FileSystem NTFS -NewFileSystemLabel $env:DISKPREP_LABEL -Confirm:$false -Force|Out-Null`,
      {
        step: `formatting ${letter}: NTFS`,
        write: true,
        env: { DISKPREP_LABEL: options.label },
      },
    );
    if (!deps.exec.dryRun && bitlockerStateOf(await readBitLocker(deps, letter)) === 'none') {
      throw new DiskError(`${letter}: lost BitLocker when it was formatted`, {
        code: 'ERR_DISKPREP_BITLOCKER',
        hint: 'drop --already-encrypted so diskprep encrypts it again',
      });
    }
  }
  Object.assign(w.identity, await ntfsIdentity(w, letter));
  return volumeOf(w, letter, key, part.sizeBytes, encryptionMethodOf(bl.EncryptionMethod));
}

/** The volume is BitLocker with a recovery-password protector, unlocked with (or holding) `key`. */
async function unlockEncrypted(
  deps: Deps,
  letter: string,
  key: string,
): Promise<WinBitLockerVolume> {
  let bl = await readBitLocker(deps, letter);
  if (bitlockerStateOf(bl) === 'none') {
    throw new UsageError(`${letter}: is not BitLocker-encrypted`, {
      code: 'ERR_DISKPREP_BITLOCKER',
      hint: 'drop --already-encrypted to encrypt it',
    });
  }
  if (!protectorsOf(bl).some(isRecoveryProtector)) {
    throw new DiskError(
      `${letter}: has no recovery-password (numerical password) protector, which the Azure service needs to unlock it`,
      {
        code: 'ERR_DISKPREP_NO_RECOVERY_PASSWORD',
        hint: `add one: manage-bde -protectors -add ${letter}: -RecoveryPassword, then pass it with --bitlocker-key`,
      },
    );
  }
  const wrongKey = (why: string) =>
    new UsageError(`the BitLocker recovery password given for ${letter}: ${why}`, {
      code: 'ERR_DISKPREP_WRONG_KEY',
      hint: `check --bitlocker-key (manage-bde -protectors -get ${letter}: shows the numerical password)`,
    });
  if (bitlockerStateOf(bl) === 'locked') {
    const r = await runPowerShell(
      deps,
      `Unlock-BitLocker -MountPoint ${mountPoint(letter)} -RecoveryPassword $env:DISKPREP_BITLOCKER_KEY|Out-Null`,
      {
        step: `unlocking ${letter}:`,
        env: { DISKPREP_BITLOCKER_KEY: key },
        reject: false,
      },
    );
    if (r.exitCode !== 0) throw wrongKey('does not unlock it');
    bl = await readBitLocker(deps, letter);
  }
  // Unlocked by someone else already: the key must still be one of the volume's, or the
  // service could not unlock the drive.
  const known = protectorsOf(bl)
    .filter(isRecoveryProtector)
    .map((p) => p.RecoveryPassword);
  if (known.every((k) => k !== undefined && k !== '') && !known.includes(key))
    throw wrongKey('is not one of its protectors');
  return bl;
}

/** A resumed drive's NTFS serial matches the recorded one, before anything is formatted. */
async function checkEncryptedIdentity(
  w: WindowsOpen,
  rules: IdentityRules,
  letter: string,
): Promise<void> {
  const now = await ntfsIdentity(w, letter);
  checkIdentity(w.disk.path, now, rules);
  if (rules.expect?.identity?.ntfsSerial !== undefined && now.ntfsSerial === undefined) {
    throw new UsageError(
      `${letter}: holds no readable NTFS, but drive ${rules.expect.driveId} was being filled with one`,
      {
        code: 'ERR_DISKPREP_WRONG_DRIVE',
        hint: `attach drive ${rules.expect.driveId} and name it with --drive`,
      },
    );
  }
}

/** `--already-formatted`: the service reads only NTFS, so the kept file system must be NTFS. */
async function requireNtfs(deps: Deps, letter: string): Promise<void> {
  const r = await runPowerShell(
    deps,
    `Get-Volume -DriveLetter ${letter}|Select-Object FileSystem|ConvertTo-Json -Compress`,
    { step: `reading the file system of ${letter}:` },
  );
  const fs = jsonArray<{ FileSystem?: string }>(parseJsonOutput(r.stdout))[0]?.FileSystem ?? '';
  if (fs.toUpperCase() !== 'NTFS') {
    throw new UsageError(
      `${letter}: holds ${fs || 'no file system'}, and the service reads only NTFS`,
      {
        code: 'ERR_DISKPREP_NOT_NTFS',
        hint: 'drop --already-formatted so diskprep formats it NTFS (BitLocker stays on)',
      },
    );
  }
}
