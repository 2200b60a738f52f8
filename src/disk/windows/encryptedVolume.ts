/**
 * What an already encrypted drive must be before diskprep writes to it (Windows):
 *
 * - its BitLocker volume is the disk's first data volume: the service reads only that one
 *   (Import/Export requirements: "only the first data volume on the drive is processed. The data
 *   volume must be formatted with NTFS");
 * - encryption is complete or running, with protection on. A suspended protector
 *   (Suspend-BitLocker: ProtectionStatus Off) leaves the volume key in the clear on the disk, so
 *   anyone holding the drive reads it; Win32_EncryptableVolume GetProtectionStatus: Off means
 *   "the volume is not encrypted, partially encrypted, or the volume's encryption key for the
 *   volume is available in the clear on the hard disk".
 */
import { UsageError } from '../../errors.ts';
import type { DiskInfo, PartitionInfo } from '../types.ts';
import {
  type WinBitLockerVolume,
  protectionOf,
  volumeStatusName,
  volumeStatusOf,
} from './parse.ts';

/** Partition types that hold no data volume (GPT System/Reserved/Recovery, MBR extended). */
const NOT_DATA = /^(system|reserved|recovery|microsoft recovery|extended|xint13 extended)$/i;

/** The first data partition of a disk, which must be the BitLocker one with a letter. */
export function firstDataVolume(disk: DiskInfo): PartitionInfo & { driveLetter: string } {
  const n = disk.number ?? '?';
  const first = disk.partitions.find((p) => !NOT_DATA.test(p.type ?? ''));
  const bl = disk.partitions.find((p) => p.bitlocker !== 'none' && p.driveLetter);
  if (!bl?.driveLetter) {
    throw new UsageError(`disk ${n} (${disk.model}) has no BitLocker volume with a drive letter`, {
      code: 'ERR_DISKPREP_BITLOCKER',
      hint: 'assign it a letter in Disk Management, or drop --already-encrypted to format and encrypt it',
    });
  }
  if (first !== bl) {
    const what = first?.driveLetter ? `${first.driveLetter}:` : `partition ${first?.path ?? '?'}`;
    throw new UsageError(
      `the first data volume of disk ${n} is ${what}, not the BitLocker volume ${bl.driveLetter}: (the service reads only the first data volume)`,
      {
        code: 'ERR_DISKPREP_NOT_FIRST_VOLUME',
        hint: 'drop --already-encrypted so diskprep erases the disk and makes one BitLocker volume, or move the other volume off it',
      },
    );
  }
  return { ...bl, driveLetter: bl.driveLetter };
}

/** Refuses a volume whose encryption is not complete or running with protection on. */
export function checkProtection(bl: WinBitLockerVolume, letter: string): void {
  const status = volumeStatusOf(bl);
  if (status !== 'fullyencrypted' && status !== 'encryptioninprogress') {
    const fix =
      status === 'encryptionpaused'
        ? `resume it: manage-bde -resume ${letter}:, then run again`
        : `drop --already-encrypted so diskprep erases and encrypts it`;
    throw new UsageError(
      `BitLocker on ${letter}: is ${volumeStatusName(bl)}, not FullyEncrypted or EncryptionInProgress`,
      { code: 'ERR_DISKPREP_BITLOCKER_STATE', hint: fix },
    );
  }
  if (protectionOf(bl) !== 'on') {
    throw new UsageError(
      `BitLocker protection on ${letter}: is ${protectionOf(bl) === 'off' ? 'suspended (ProtectionStatus Off): its key is stored in the clear on the drive' : 'in an unknown state'}`,
      {
        code: 'ERR_DISKPREP_BITLOCKER_SUSPENDED',
        hint: `turn protection back on: Resume-BitLocker -MountPoint ${letter}: (elevated PowerShell), then run again`,
      },
    );
  }
}
