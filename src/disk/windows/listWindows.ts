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

/**
 * The listing script (fixed text, no inputs). Update-HostStorageCache first: the storage
 * cmdlets answer from a cache that can lag behind a drive attached a moment ago. BitLocker is
 * read volume by volume, so one volume that fails (a card reader, a volume being dismounted)
 * is reported as such instead of hiding the state of every other. Win32_PageFileUsage names the
 * page files, whose disks are in use however they look.
 */
export const LIST_SCRIPT = [
  'try{Update-HostStorageCache}catch{};',
  '$bl=@();$blErr=@();$ok=[bool](Get-Command Get-BitLockerVolume -ErrorAction SilentlyContinue);',
  "if($ok){foreach($v in @(Get-Volume|Where-Object DriveLetter)){$mp=[string]$v.DriveLetter+':';",
  "try{$bl+=@(Get-BitLockerVolume -MountPoint $mp -ErrorAction Stop|Select-Object MountPoint,VolumeStatus,ProtectionStatus,LockStatus,EncryptionPercentage,EncryptionMethod,@{n='KeyProtector';e={@($_.KeyProtector|Select-Object KeyProtectorId,KeyProtectorType)}})}",
  'catch{$blErr+=@{MountPoint=$mp;Error=$_.Exception.Message}}}};',
  '$pf=$null;try{$pf=@(Get-CimInstance Win32_PageFileUsage -ErrorAction Stop|Select-Object Name)}catch{};',
  '@{',
  'Disk=@(Get-Disk|Select-Object Number,FriendlyName,Model,SerialNumber,UniqueId,Size,BusType,PartitionStyle,IsSystem,IsBoot,IsOffline,IsReadOnly,Path);',
  'PhysicalDisk=@(Get-PhysicalDisk|Select-Object DeviceId,FriendlyName,SerialNumber,MediaType,BusType,Size);',
  'Partition=@(Get-Partition|Select-Object DiskNumber,PartitionNumber,DriveLetter,Size,Type,AccessPaths);',
  'Volume=@(Get-Volume|Select-Object DriveLetter,Path,FileSystem,FileSystemLabel,DriveType,Size);',
  'BitLocker=$bl;BitLockerErrors=$blErr;BitLockerAvailable=$ok;PageFile=$pf',
  '}|ConvertTo-Json -Depth 5 -Compress',
].join('');

/** Enumerates the disks of this Windows machine. */
export async function listWindowsDisks(deps: Deps): Promise<DiskInfo[]> {
  const r = await runPowerShell(deps, LIST_SCRIPT, { step: 'listing the disks' });
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
