/**
 * The one entry point `prepare` uses for a real disk: find it, refuse system / boot / mounted
 * disks, confirm, then format + encrypt (Windows) or unlock (Windows, Linux) and mount.
 */
import type { Deps } from '../deps/types.ts';
import { DiskError, DiskprepError, UsageError } from '../errors.ts';
import { checkEligible } from './eligibility.ts';
import { markHolders } from './holders.ts';
import { openLinux } from './linux/openLinux.ts';
import { listDisks } from './listDisks.ts';
import { parseRecoveryPassword } from './recoveryPassword.ts';
import { describeDisk, isDevicePath, resolveDisk } from './selectDisk.ts';
import { isPlaceholderSerial } from './serial.ts';
import type { DiskClaim, DiskInfo, OpenDriveOptions, PreparedVolume } from './types.ts';
import { claimDisk, releasingClaim } from './diskClaim.ts';
import type { IdentityRules } from './identity.ts';
import { openWindows } from './windows/openWindows.ts';

/** Drive ids Azure accepts: the serial without spaces. */
const DRIVE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/;

/** Resolves, guards, confirms and prepares one drive; see {@link PreparedVolume}. */
export async function openDrive(deps: Deps, options: OpenDriveOptions): Promise<PreparedVolume> {
  const disks = await markHolders(deps, await listDisks(deps), options.keep ?? []);
  const disk = await resolveDisk(deps, disks, options.spec);
  refuseIneligible(deps, disk, options);
  const driveId = driveIdOf(disk, options);
  const key = recoveryKeyOf(deps, disk, options);
  if (!(await options.confirm(disk))) {
    throw new DiskprepError(`not confirmed: ${disk.path} was left as it was`, 1, {
      code: 'ERR_DISKPREP_NOT_CONFIRMED',
    });
  }
  // The disk is this run's until the volume is released: no other diskprep run may open it,
  // and nothing else may have it unlocked or mounted.
  const claim = options.claim ?? (await claimDisk(deps, disk, { command: 'prepare' }));
  const ownClaim = options.claim === undefined;
  let volume: PreparedVolume;
  try {
    volume = await openOnPlatform(deps, disk, options, { driveId, key, claim });
  } catch (err) {
    if (ownClaim) await claim.release();
    throw err;
  }
  return ownClaim ? releasingClaim(volume, claim) : volume;
}

/** Refuses a disk that may not be prepared; warns of what to be careful of. */
function refuseIneligible(deps: Deps, disk: DiskInfo, options: OpenDriveOptions): void {
  const picked = options.pickedFromList === true;
  const { reasons, warnings } = checkEligible(disk, {
    explicitPath: picked || isDevicePath(options.spec),
    pickedFromList: picked,
  });
  if (reasons.length > 0) {
    throw new UsageError(`refusing ${describeDisk(disk)}: ${reasons.join('; ')}`, {
      code: 'ERR_DISKPREP_DISK_REFUSED',
      hint: 'pick another disk (diskprep drives lists them and why)',
      details: { path: disk.path, reasons },
    });
  }
  // "Pass --drive-id" is moot once a drive id is given (or taken from the journal).
  for (const w of warnings)
    if (!(options.driveId !== undefined && w.includes('--drive-id')))
      deps.terminal.warn(`${disk.path}: ${w}`);
}

/** The drive id: `--drive-id`, else the disk's own serial (never a USB bridge's placeholder). */
function driveIdOf(disk: DiskInfo, options: OpenDriveOptions): string {
  if (!options.driveId && disk.serial !== undefined && isPlaceholderSerial(disk.serial)) {
    throw new UsageError(
      `${disk.path} reports the placeholder serial ${disk.serial} (a USB bridge's, not the drive's)`,
      {
        code: 'ERR_DISKPREP_PLACEHOLDER_SERIAL',
        hint: "pass --drive-id with the serial printed on the drive's label",
      },
    );
  }
  const driveId = options.driveId ?? disk.serial;
  if (!driveId) {
    throw new UsageError(`${disk.path} reports no serial number`, {
      code: 'ERR_DISKPREP_NO_SERIAL',
      hint: 'pass --drive-id with the serial printed on the drive label',
    });
  }
  if (!DRIVE_ID.test(driveId)) {
    throw new UsageError(`drive id "${driveId}" is not a serial number Azure accepts`, {
      code: 'ERR_DISKPREP_DRIVE_ID',
      hint: options.driveId
        ? 'correct --drive-id: the serial from the drive label, without spaces'
        : 'pass --drive-id with the serial from the drive label, without spaces',
    });
  }
  return driveId;
}

/**
 * The recovery password of an already encrypted drive (registered as a secret); undefined for
 * a new drive, which only Windows can encrypt.
 */
function recoveryKeyOf(deps: Deps, disk: DiskInfo, options: OpenDriveOptions): string | undefined {
  if (options.alreadyFormatted && !options.alreadyEncrypted) {
    throw new UsageError('--already-formatted needs --already-encrypted', {
      hint: 'a new drive is always formatted and encrypted; drop --already-formatted',
    });
  }
  if (options.alreadyEncrypted) {
    if (!options.bitlockerKey) {
      throw new UsageError(`--already-encrypted needs the recovery password of ${disk.path}`, {
        code: 'ERR_DISKPREP_BITLOCKER_KEY',
        hint: 'pass --bitlocker-key <48-digit numerical password> (one per --drive, in order)',
      });
    }
    const key = parseRecoveryPassword(options.bitlockerKey);
    deps.redactor.add(key);
    return key;
  }
  if (deps.platform !== 'win32') {
    throw new DiskError(
      `${disk.path} is not BitLocker-encrypted, and Linux has no tool that can encrypt it`,
      {
        code: 'ERR_DISKPREP_CANNOT_ENCRYPT',
        hint: 'encrypt it on Windows (manage-bde -on X: -RecoveryPassword, or diskprep on Windows), then run again with --already-encrypted --bitlocker-key <key>',
      },
    );
  }
  return undefined;
}

/** Formats + encrypts or unlocks on this platform, held to the identity rules of a resume. */
async function openOnPlatform(
  deps: Deps,
  disk: DiskInfo,
  options: OpenDriveOptions,
  got: { driveId: string; key: string | undefined; claim: DiskClaim },
): Promise<PreparedVolume> {
  const { driveId, key, claim } = got;
  const label = options.label ?? 'DISKPREP';
  const rules: IdentityRules = {
    ...(options.expect ? { expect: { driveId, identity: options.expect } } : {}),
    ...(options.protectedDrives ? { protectedDrives: options.protectedDrives } : {}),
  };
  const withRules = options.expect !== undefined || options.protectedDrives !== undefined;
  if (deps.platform === 'win32') {
    return openWindows(deps, disk, {
      alreadyEncrypted: options.alreadyEncrypted,
      alreadyFormatted: options.alreadyFormatted,
      ...(key ? { bitlockerKey: key } : {}),
      driveId,
      label,
      ...(withRules ? { rules } : {}),
    });
  }
  return openLinux(deps, disk, {
    bitlockerKey: key!,
    driveId,
    alreadyFormatted: options.alreadyFormatted,
    label,
    rules,
    onWorkDir: (dir) => claim.note({ workDir: dir }),
  });
}
