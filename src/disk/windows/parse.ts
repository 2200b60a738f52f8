/**
 * Turns the storage and BitLocker cmdlets' JSON into {@link DiskInfo}s. Windows PowerShell 5.1
 * serialises the raw CIM values (BusType 11, MediaType 4, VolumeStatus 1...) where no type-file
 * script property applies, and the display strings ("SATA", "SSD", "FullyEncrypted") where one
 * does, depending on the property and on how it was selected, so every enum is read both ways.
 */
import type { BitLockerState, Bus, DiskInfo, Media, PartitionInfo } from '../types.ts';
import { jsonArray } from './powershell.ts';

/** MSFT_Disk / MSFT_PhysicalDisk BusType values (Storage Management API). */
const BUS_BY_NUMBER: Record<number, Bus> = {
  1: 'SCSI',
  2: 'ATA',
  3: 'ATA',
  6: 'SCSI',
  7: 'USB',
  8: 'unknown',
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
  raid: 'unknown',
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
  KeyProtector?: WinKeyProtector[] | WinKeyProtector | null;
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
  /** False when Get-BitLockerVolume failed (not elevated, or an edition without BitLocker). */
  BitLockerAvailable?: boolean;
}

interface WinDisk {
  Number: number;
  FriendlyName?: string;
  Model?: string;
  SerialNumber?: string | null;
  Size?: number;
  BusType?: number | string;
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

/** Turns the inventory into disks. */
export function parseWindowsInventory(inv: WinInventory): DiskInfo[] {
  const physical = jsonArray<WinPhysicalDisk>(inv.PhysicalDisk);
  const partitions = jsonArray<WinPartition>(inv.Partition);
  const volumes = jsonArray<WinVolume>(inv.Volume);
  const bitlocker = jsonArray<WinBitLockerVolume>(inv.BitLocker);
  return jsonArray<WinDisk>(inv.Disk)
    .filter((d) => typeof d.Number === 'number')
    .sort((a, b) => a.Number - b.Number)
    .map((d) => {
      const pd = physical.find((p) => String(p.DeviceId) === String(d.Number));
      const bus = busOf(d.BusType ?? pd?.BusType);
      let removable =
        bus === 'USB' && ['sd', 'mmc', '12', '13'].includes(String(d.BusType).toLowerCase());
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
          return {
            path: String(p.PartitionNumber),
            sizeBytes: Number(p.Size ?? 0),
            fsType: vol?.FileSystem || undefined,
            label: vol?.FileSystemLabel || undefined,
            mountpoints: letter ? [`${letter}:\\`] : [],
            ...(letter ? { driveLetter: letter } : {}),
            bitlocker: bl
              ? bitlockerStateOf(bl)
              : inv.BitLockerAvailable !== false && vol?.FileSystem
                ? 'none'
                : 'unknown',
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
        // Every Windows volume is "mounted" (has a letter); what matters is system/boot.
        mountpoints: [],
        bitlocker:
          blPart?.bitlocker ?? (parts.some((p) => p.bitlocker === 'unknown') ? 'unknown' : 'none'),
        partitions: parts,
      } satisfies DiskInfo;
    });
}
