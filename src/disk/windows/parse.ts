/**
 * Turns the storage and BitLocker cmdlets' JSON into {@link DiskInfo}s. Windows PowerShell 5.1
 * serialises the raw CIM values (BusType 11, MediaType 4, VolumeStatus 1...) where no type-file
 * script property applies, and the display strings ("SATA", "SSD", "FullyEncrypted") where one
 * does, depending on the property and on how it was selected, so every enum is read both ways.
 */
import { diskHolding } from '../holders.ts';
import type { BitLockerState, Bus, DiskInfo, Media, PartitionInfo } from '../types.ts';
import { jsonArray } from './powershell.ts';

/** MSFT_Disk / MSFT_PhysicalDisk BusType values (Storage Management API). */
const BUS_BY_NUMBER: Record<number, Bus> = {
  1: 'SCSI',
  2: 'ATA',
  3: 'ATA',
  6: 'SCSI',
  7: 'USB',
  8: 'RAID',
  9: 'SCSI',
  10: 'SAS',
  11: 'SATA',
  12: 'USB',
  13: 'USB',
  14: 'virtual',
  15: 'virtual',
  16: 'virtual',
  17: 'NVMe',
};
const BUS_BY_NAME: Record<string, Bus> = {
  scsi: 'SCSI',
  atapi: 'ATA',
  ata: 'ATA',
  usb: 'USB',
  sas: 'SAS',
  sata: 'SATA',
  sd: 'USB',
  mmc: 'USB',
  virtual: 'virtual',
  'file backed virtual': 'virtual',
  filebackedvirtual: 'virtual',
  spaces: 'virtual',
  'storage spaces': 'virtual',
  nvme: 'NVMe',
  iscsi: 'SCSI',
  'fibre channel': 'SCSI',
  raid: 'RAID',
};

/** Bus from a numeric or string BusType. */
export function busOf(v: unknown): Bus {
  if (typeof v === 'number') return BUS_BY_NUMBER[v] ?? 'unknown';
  if (typeof v === 'string')
    return BUS_BY_NAME[v.trim().toLowerCase()] ?? (/^\d+$/.test(v) ? busOf(Number(v)) : 'unknown');
  return 'unknown';
}

/** Media from MSFT_PhysicalDisk MediaType (3 HDD, 4 SSD, 5 SCM). */
export function mediaOf(v: unknown): Media {
  if (v === 3 || v === '3' || v === 'HDD') return 'HDD';
  if (v === 4 || v === '4' || v === 'SSD' || v === 5 || v === 'SCM') return 'SSD';
  return 'unknown';
}

/** Enum value as a lower-case name, from either a number (via `names`) or a string. */
function enumName(v: unknown, names: readonly string[]): string {
  if (typeof v === 'number') return (names[v] ?? String(v)).toLowerCase();
  return typeof v === 'string' ? v.toLowerCase() : '';
}

/** BitLockerVolumeKeyProtectorType (Win32_EncryptableVolume GetKeyProtectorType order). */
const PROTECTOR_TYPES = [
  'Unknown',
  'Tpm',
  'ExternalKey',
  'RecoveryPassword',
  'TpmPin',
  'TpmStartupKey',
  'TpmPinStartupKey',
  'PublicKey',
  'Password',
  'TpmNetworkKey',
  'AdAccountOrGroup',
];
const VOLUME_STATUS = [
  'FullyDecrypted',
  'FullyEncrypted',
  'EncryptionInProgress',
  'DecryptionInProgress',
  'EncryptionPaused',
  'DecryptionPaused',
];
const LOCK_STATUS = ['Unlocked', 'Locked'];

/** One key protector from Get-BitLockerVolume. */
export interface WinKeyProtector {
  KeyProtectorId?: string;
  KeyProtectorType?: number | string;
  RecoveryPassword?: string;
}

/** One Get-BitLockerVolume entry (the fields diskprep selects). */
export interface WinBitLockerVolume {
  MountPoint?: string;
  VolumeStatus?: number | string;
  LockStatus?: number | string;
  ProtectionStatus?: number | string;
  EncryptionPercentage?: number;
  EncryptionMethod?: number | string;
  KeyProtector?: WinKeyProtector[] | WinKeyProtector | null;
}

/** BitLockerVolume EncryptionMethod (Win32_EncryptableVolume GetEncryptionMethod order). */
const ENCRYPTION_METHODS = [
  'None',
  'Aes128Diffuser',
  'Aes256Diffuser',
  'Aes128',
  'Aes256',
  'Hardware',
  'XtsAes128',
  'XtsAes256',
];

/** EncryptionMethod as its name (`XtsAes128`), from a number or a string; undefined for none. */
export function encryptionMethodOf(v: unknown): string | undefined {
  const name =
    typeof v === 'number' ? ENCRYPTION_METHODS[v] : typeof v === 'string' ? v.trim() : undefined;
  return name && name.toLowerCase() !== 'none' && name.toLowerCase() !== 'unknown'
    ? name
    : undefined;
}

/** ProtectionStatus as `on`, `off` or `unknown` (0 Off, 1 On, 2 Unknown, the state of a locked volume). */
export function protectionOf(v: WinBitLockerVolume): 'on' | 'off' | 'unknown' {
  const p = enumName(v.ProtectionStatus, ['Off', 'On', 'Unknown']);
  return p === 'on' || p === 'off' ? p : 'unknown';
}

/** VolumeStatus as a lower-case name (`fullyencrypted`, `encryptioninprogress`...). */
export const volumeStatusOf = (v: WinBitLockerVolume): string =>
  enumName(v.VolumeStatus, VOLUME_STATUS);

/** VolumeStatus as BitLocker names it (`DecryptionInProgress`), for messages. */
export function volumeStatusName(v: WinBitLockerVolume): string {
  const s = volumeStatusOf(v);
  return VOLUME_STATUS.find((n) => n.toLowerCase() === s) ?? (String(v.VolumeStatus) || 'unknown');
}

/** True for a recovery-password (numerical password) protector. */
export const isRecoveryProtector = (p: WinKeyProtector): boolean =>
  enumName(p.KeyProtectorType, PROTECTOR_TYPES) === 'recoverypassword';

/** Key protectors of a volume, always as an array. */
export const protectorsOf = (v: WinBitLockerVolume): WinKeyProtector[] =>
  jsonArray<WinKeyProtector>(v.KeyProtector);

/** BitLocker state of one Get-BitLockerVolume entry. */
export function bitlockerStateOf(v: WinBitLockerVolume | undefined): BitLockerState {
  if (!v) return 'unknown';
  if (enumName(v.LockStatus, LOCK_STATUS) === 'locked') return 'locked';
  const status = enumName(v.VolumeStatus, VOLUME_STATUS);
  if (status === 'fullydecrypted') return 'none';
  return status === '' ? 'unknown' : 'unlocked';
}

/** The combined document the listing script prints. */
export interface WinInventory {
  Disk?: unknown;
  PhysicalDisk?: unknown;
  Partition?: unknown;
  Volume?: unknown;
  BitLocker?: unknown;
  /** Volumes Get-BitLockerVolume failed for: `{MountPoint, Error}` each. */
  BitLockerErrors?: unknown;
  /** False when Get-BitLockerVolume is missing (an edition or a server without BitLocker). */
  BitLockerAvailable?: boolean;
  /** Win32_PageFileUsage `{Name}` each; null when it could not be read. */
  PageFile?: unknown;
}

interface WinDisk {
  Number: number;
  FriendlyName?: string;
  Model?: string;
  SerialNumber?: string | null;
  UniqueId?: string | null;
  Size?: number;
  BusType?: number | string;
  PartitionStyle?: number | string;
  IsSystem?: boolean;
  IsBoot?: boolean;
  Path?: string;
}
interface WinPhysicalDisk {
  DeviceId?: string | number;
  SerialNumber?: string | null;
  MediaType?: number | string;
  BusType?: number | string;
}
interface WinPartition {
  DiskNumber: number;
  PartitionNumber: number;
  DriveLetter?: string | number | null;
  Size?: number;
  Type?: string | number | null;
  AccessPaths?: string[] | string | null;
}
interface WinVolume {
  DriveLetter?: string | number | null;
  Path?: string;
  FileSystem?: string | null;
  FileSystemLabel?: string | null;
  DriveType?: number | string;
}

/**
 * A drive letter from JSON: PowerShell writes a [char] as a one-letter string, NUL ("\u0000")
 * when there is none, and some hosts write the char code.
 */
export function letterOf(v: unknown): string | undefined {
  if (typeof v === 'number') return v >= 65 && v <= 90 ? String.fromCharCode(v) : undefined;
  if (typeof v === 'string' && /^[A-Za-z]$/.test(v)) return v.toUpperCase();
  return undefined;
}

/**
 * A serial as the drive id: trimmed, spaces removed, and the trailing "." Windows appends to
 * NVMe serials dropped. Control characters (some USB bridges) disqualify it.
 */
export function cleanSerial(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/\s+/g, '').replace(/\.$/, '');
  if (s === '' || /[^\x21-\x7e]/.test(s)) return undefined;
  return s;
}

/** MSFT_Disk PartitionStyle: 0 RAW, 1 MBR, 2 GPT (type-file strings or numbers). */
function partitionStyleOf(v: unknown): DiskInfo['partitionStyle'] {
  const n = enumName(v, ['RAW', 'MBR', 'GPT']);
  return n === 'raw' ? 'RAW' : n === 'mbr' ? 'MBR' : n === 'gpt' ? 'GPT' : 'unknown';
}

/** A volume GUID path (`\\?\Volume{...}\`): every volume has one; it is no mount. */
const isVolumeGuidPath = (p: string): boolean => /^\\\\\?\\Volume\{/i.test(p);

/** Turns the inventory into disks. */
export function parseWindowsInventory(inv: WinInventory): DiskInfo[] {
  const physical = jsonArray<WinPhysicalDisk>(inv.PhysicalDisk);
  const partitions = jsonArray<WinPartition>(inv.Partition);
  const volumes = jsonArray<WinVolume>(inv.Volume);
  const bitlocker = jsonArray<WinBitLockerVolume>(inv.BitLocker);
  const blErrors = jsonArray<{ MountPoint?: string; Error?: string }>(inv.BitLockerErrors);
  const pageFiles = jsonArray<{ Name?: string }>(inv.PageFile)
    .map((p) => p.Name)
    .filter((n): n is string => typeof n === 'string' && n !== '');
  const disks = jsonArray<WinDisk>(inv.Disk)
    .filter((d) => typeof d.Number === 'number')
    .sort((a, b) => a.Number - b.Number)
    .map((d) => {
      const pd = physical.find((p) => String(p.DeviceId) === String(d.Number));
      const bus = busOf(d.BusType ?? pd?.BusType);
      let removable =
        bus === 'USB' && ['sd', 'mmc', '12', '13'].includes(String(d.BusType).toLowerCase());
      const inUse: string[] = [];
      const parts: PartitionInfo[] = partitions
        .filter((p) => p.DiskNumber === d.Number)
        .sort((a, b) => a.PartitionNumber - b.PartitionNumber)
        .map((p) => {
          const letter = letterOf(p.DriveLetter);
          const paths = jsonArray<string>(p.AccessPaths);
          const vol = volumes.find(
            (v) =>
              (letter && letterOf(v.DriveLetter) === letter) || (v.Path && paths.includes(v.Path)),
          );
          if (vol && (vol.DriveType === 2 || vol.DriveType === 'Removable')) removable = true;
          const bl = letter
            ? bitlocker.find((b) => b.MountPoint?.toUpperCase() === `${letter}:`)
            : undefined;
          const blError = letter
            ? blErrors.find((e) => e.MountPoint?.toUpperCase() === `${letter}:`)
            : undefined;
          // A letter, and folder mounts (C:\mnt\data\); a volume GUID path is no mount.
          const mounts = [
            ...new Set([
              ...(letter ? [`${letter}:\\`] : []),
              ...paths.filter((x) => typeof x === 'string' && !isVolumeGuidPath(x)),
            ]),
          ];
          const state: PartitionInfo['bitlocker'] = bl
            ? bitlockerStateOf(bl)
            : blError
              ? 'unknown'
              : inv.BitLockerAvailable !== false && vol?.FileSystem
                ? 'none'
                : 'unknown';
          // A locked BitLocker volume keeps its letter, but nothing can have files open on it.
          if (state !== 'locked') inUse.push(...mounts);
          const method = bl ? encryptionMethodOf(bl.EncryptionMethod) : undefined;
          return {
            path: String(p.PartitionNumber),
            sizeBytes: Number(p.Size ?? 0),
            fsType: vol?.FileSystem || undefined,
            label: vol?.FileSystemLabel || undefined,
            mountpoints: mounts,
            ...(letter ? { driveLetter: letter } : {}),
            bitlocker: state,
            ...(blError ? { bitlockerError: String(blError.Error ?? 'failed') } : {}),
            ...(method ? { encryptionMethod: method } : {}),
            ...(typeof p.Type === 'string' ? { type: p.Type } : {}),
          } satisfies PartitionInfo;
        });
      const blPart = parts.find((p) => p.bitlocker !== 'none' && p.bitlocker !== 'unknown');
      return {
        path: `\\\\.\\PHYSICALDRIVE${d.Number}`,
        number: d.Number,
        serial: cleanSerial(pd?.SerialNumber) ?? cleanSerial(d.SerialNumber),
        model: (d.FriendlyName ?? d.Model ?? 'unknown').trim(),
        sizeBytes: Number(d.Size ?? 0),
        bus,
        media: mediaOf(pd?.MediaType),
        removable,
        kind: bus === 'virtual' ? 'virtual' : 'disk',
        system: d.IsSystem === true,
        boot: d.IsBoot === true,
        mountpoints: inUse,
        identity: {
          uniqueId: typeof d.UniqueId === 'string' ? d.UniqueId : '',
          serialNumber: typeof d.SerialNumber === 'string' ? d.SerialNumber : '',
        },
        partitionStyle: partitionStyleOf(d.PartitionStyle),
        bitlocker:
          blPart?.bitlocker ?? (parts.some((p) => p.bitlocker === 'unknown') ? 'unknown' : 'none'),
        partitions: parts,
      } satisfies DiskInfo;
    });
  // A page file is where Windows swaps: the disk holding one is in use however it looks.
  for (const f of pageFiles) {
    const d = diskHolding(disks, f, true);
    if (d) d.pageFiles = [...(d.pageFiles ?? []), f];
  }
  return disks;
}
