/**
 * Windows disk enumeration: one PowerShell run of the storage cmdlets (Get-Disk,
 * Get-PhysicalDisk, Get-Partition, Get-Volume) and Get-BitLockerVolume, as JSON. The cmdlets'
 * JSON is not localized, unlike manage-bde's text. Key protectors are listed by id and type
 * only: a listing never reads recovery passwords.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskError } from '../../errors.ts';
import type { DiskInfo } from '../types.ts';
import { parseWindowsInventory } from './parse.ts';
import { parseJsonOutput, runPowerShell } from './powershell.ts';

/** The listing script (fixed text, no inputs). */
export const LIST_SCRIPT = [
  '$bl=@();$ok=$true;',
  "try{$bl=@(Get-BitLockerVolume -ErrorAction Stop|Select-Object MountPoint,VolumeStatus,ProtectionStatus,LockStatus,EncryptionPercentage,@{n='KeyProtector';e={@($_.KeyProtector|Select-Object KeyProtectorId,KeyProtectorType)}})}catch{$ok=$false};",
  '@{',
  'Disk=@(Get-Disk|Select-Object Number,FriendlyName,Model,SerialNumber,Size,BusType,PartitionStyle,IsSystem,IsBoot,IsOffline,IsReadOnly,Path);',
  'PhysicalDisk=@(Get-PhysicalDisk|Select-Object DeviceId,FriendlyName,SerialNumber,MediaType,BusType,Size);',
  'Partition=@(Get-Partition|Select-Object DiskNumber,PartitionNumber,DriveLetter,Size,Type,AccessPaths);',
  'Volume=@(Get-Volume|Select-Object DriveLetter,Path,FileSystem,FileSystemLabel,DriveType,Size);',
  'BitLocker=$bl;BitLockerAvailable=$ok',
  '}|ConvertTo-Json -Depth 5 -Compress',
].join('');

/** Enumerates the disks of this Windows machine. */
export async function listWindowsDisks(deps: Deps): Promise<DiskInfo[]> {
  const r = await runPowerShell(deps, LIST_SCRIPT);
  let inv: unknown;
  try {
    inv = parseJsonOutput(r.stdout);
  } catch (cause) {
    throw new DiskError('PowerShell printed a disk list diskprep cannot read', {
      code: 'ERR_DISKPREP_POWERSHELL',
      hint: 'run diskprep from an elevated prompt on Windows 10 / Server 2016 or newer',
      cause,
    });
  }
  return parseWindowsInventory(inv ?? {});
}
