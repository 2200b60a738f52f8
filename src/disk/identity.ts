/**
 * Drive identity: what the journal records about the disk a drive was filled on, and the two
 * questions asked of it: "is this disk the recorded drive?" (a resume: every identifier both
 * sides know must agree) and "could this disk be a recorded drive?" (before formatting or
 * filling: any strong identifier in common is enough to refuse).
 */
import type { Deps } from '../deps/types.ts';
import { count } from '../format.ts';
import { UsageError } from '../errors.ts';
import { bitlockerDevice, parseBitlkDump } from './linux/bitlk.ts';
import type { DiskInfo, DriveIdentity, RecordedDrive } from './types.ts';

const LABELS: Record<keyof DriveIdentity, string> = {
  serial: 'serial',
  model: 'model',
  sizeBytes: 'size',
  bitlockerGuid: 'BitLocker volume',
  ntfsSerial: 'NTFS volume serial',
};

/** Identifiers that name one volume or disk (model and size do not). */
const STRONG: (keyof DriveIdentity)[] = ['ntfsSerial', 'bitlockerGuid', 'serial'];

/** `serial WD-1, BitLocker volume 8f59…`: the identifiers known, for messages. */
export function describeIdentity(id: DriveIdentity | undefined): string {
  if (!id) return 'nothing recorded';
  const parts = (['serial', 'bitlockerGuid', 'ntfsSerial', 'sizeBytes'] as const)
    .filter((k) => id[k] !== undefined)
    .map((k) => `${LABELS[k]} ${String(id[k])}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing recorded';
}

/**
 * The first identifier both know that differs (`BitLocker volume 1234… here, 8f59… recorded`),
 * undefined when nothing known disagrees. Model is informational (drivers report it differently).
 */
export function identityMismatch(
  recorded: DriveIdentity | undefined,
  actual: DriveIdentity,
): string | undefined {
  if (!recorded) return undefined;
  for (const k of ['ntfsSerial', 'bitlockerGuid', 'serial', 'sizeBytes'] as const) {
    const r = recorded[k];
    const a = actual[k];
    if (r === undefined || a === undefined) continue;
    if (String(r).toLowerCase() !== String(a).toLowerCase())
      return `${LABELS[k]} ${String(a)} here, ${String(r)} recorded`;
  }
  return undefined;
}

/** True when the disk shares a strong identifier with the recorded drive. */
export function sharesIdentity(
  recorded: DriveIdentity | undefined,
  actual: DriveIdentity,
): boolean {
  if (!recorded) return false;
  return STRONG.some(
    (k) =>
      recorded[k] !== undefined &&
      actual[k] !== undefined &&
      String(recorded[k]).toLowerCase() === String(actual[k]).toLowerCase(),
  );
}

/** The recorded drive `actual` is, among `drives` (undefined: none). */
export function recordedDriveOf(
  drives: readonly RecordedDrive[],
  actual: DriveIdentity,
): RecordedDrive | undefined {
  return drives.find((d) => sharesIdentity(d.identity, actual));
}

/** The refusal for a disk that is a drive some journal records (exit 2). */
export function protectedDriveError(disk: string, d: RecordedDrive, own: boolean): UsageError {
  const what = d.complete
    ? `complete drive ${d.index + 1} of job "${d.job}"`
    : `drive ${d.index + 1} of job "${d.job}", partly filled (${count(d.files, 'file')})`;
  return new UsageError(`refusing ${disk}: it is drive ${d.driveId}, ${what}`, {
    code: 'ERR_DISKPREP_RECORDED_DRIVE',
    hint: own
      ? 'give another disk for the next drive'
      : d.complete
        ? `give another disk; that drive belongs to job "${d.job}"`
        : `give another disk, or, to throw away what job "${d.job}" copied onto it, run the same command with --discard-partial-drive ${d.driveId}`,
    details: { driveId: d.driveId, job: d.job, complete: d.complete },
  });
}

/** What {@link checkIdentity} compares a disk with. */
export interface IdentityRules {
  /** A resume: the disk must be this recorded drive. */
  expect?: { driveId: string; identity: DriveIdentity | undefined };
  /** Drives the disk must not be. */
  protectedDrives?: readonly RecordedDrive[];
}

/**
 * Throws exit 2 when the disk is not the drive being resumed (naming the drive expected and
 * what differs), or when it is a drive a journal records that must not be used.
 */
export function checkIdentity(disk: string, actual: DriveIdentity, rules: IdentityRules): void {
  if (rules.expect) {
    const diff = identityMismatch(rules.expect.identity, actual);
    if (diff !== undefined) {
      const { driveId, identity } = rules.expect;
      throw new UsageError(
        `${disk} is not drive ${driveId}, whose copy is being resumed (${diff})`,
        {
          code: 'ERR_DISKPREP_WRONG_DRIVE',
          hint: `attach drive ${driveId} (${describeIdentity(identity)}) and name it with --drive`,
          details: { driveId, expected: identity, actual },
        },
      );
    }
  }
  const hit = recordedDriveOf(rules.protectedDrives ?? [], actual);
  if (hit) throw protectedDriveError(disk, hit, false);
}

/** The NTFS volume serial in a boot sector, undefined when it holds no NTFS. */
export function ntfsSerialOf(bootSector: Uint8Array): string | undefined {
  if (bootSector.length < 0x50) return undefined;
  const oem = Buffer.from(bootSector.subarray(3, 11)).toString('latin1');
  if (oem !== 'NTFS    ') return undefined;
  return Buffer.from(bootSector.subarray(0x48, 0x50)).reverse().toString('hex').toUpperCase();
}

/** Reads the NTFS serial of a volume file (dislocker's decrypted view), undefined when none. */
export async function readNtfsSerial(deps: Deps, file: string): Promise<string | undefined> {
  let fh;
  try {
    fh = await deps.fs.open(file, 'r');
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return ntfsSerialOf(buf.subarray(0, bytesRead));
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

/**
 * What can be known about a disk without unlocking it: hardware serial, model and size, and on
 * Linux the BitLocker volume GUID (`cryptsetup bitlkDump`, read-only).
 */
export async function identifyDisk(deps: Deps, disk: DiskInfo): Promise<DriveIdentity> {
  const id: DriveIdentity = { model: disk.model, sizeBytes: disk.sizeBytes };
  if (disk.serial !== undefined) id.serial = disk.serial;
  if (deps.platform !== 'win32') {
    const device = bitlockerDevice(disk);
    if (device && !deps.exec.dryRun) {
      const r = await deps.exec.run('cryptsetup', ['bitlkDump', device], { reject: false });
      if (r.exitCode === 0) {
        try {
          const guid = parseBitlkDump(r.stdout).guid;
          if (guid) id.bitlockerGuid = guid.toLowerCase();
        } catch {
          /* openLinux reports an unreadable dump with its fix */
        }
      }
    }
  }
  return id;
}
