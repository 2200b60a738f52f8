/**
 * What diskprep knows about a disk, on any platform, and what {@link openDrive} hands back.
 */

/** Bus a disk hangs on, as the OS reports it. */
export type Bus =
  'SATA' | 'SAS' | 'RAID' | 'USB' | 'NVMe' | 'SCSI' | 'ATA' | 'virtual' | 'loop' | 'unknown';

/** Spinning or solid state. */
export type Media = 'HDD' | 'SSD' | 'unknown';

/** BitLocker as seen from outside the volume. */
export type BitLockerState = 'none' | 'encrypted' | 'locked' | 'unlocked' | 'unknown';

/** One partition (or the whole-disk volume on Linux when the disk has no partition table). */
export interface PartitionInfo {
  /** `/dev/sdb1`, or `2` (partition number) on Windows. */
  path: string;
  sizeBytes: number;
  /** File system type as reported (`ntfs`, `BitLocker`, `ext4`...), undefined when none. */
  fsType: string | undefined;
  label: string | undefined;
  mountpoints: string[];
  /** Windows drive letter without colon. */
  driveLetter?: string;
  /** BitLocker state of the volume on this partition. */
  bitlocker: BitLockerState;
  /** Windows: why Get-BitLockerVolume failed for this volume (its state is then `unknown`). */
  bitlockerError?: string;
  /** Windows: BitLocker's EncryptionMethod of the volume (`XtsAes128`...), when encrypted. */
  encryptionMethod?: string;
  /** Windows: Get-Partition Type (`Basic`, `System`, `Reserved`, `Recovery`, `IFS`...). */
  type?: string;
}

/** One disk as {@link listDisks} reports it. */
export interface DiskInfo {
  /** `/dev/sdb` on Linux, `\\.\PHYSICALDRIVE2` on Windows. */
  path: string;
  /** Windows disk number (Get-Disk Number). */
  number?: number;
  /** Drive id for Azure: the hardware serial without spaces; undefined when the device reports none. */
  serial: string | undefined;
  model: string;
  sizeBytes: number;
  bus: Bus;
  media: Media;
  /** Removable media (USB stick, card reader). */
  removable: boolean;
  /** `disk` for physical disks; `loop`, `virtual` for the rest (listed with `--all`). */
  kind: 'disk' | 'loop' | 'virtual';
  /** Holds /, /boot, /boot/efi or swap (Linux); IsSystem (Windows). */
  system: boolean;
  /** Boot disk (Windows IsBoot; Linux: same as system). */
  boot: boolean;
  /**
   * Any mountpoint on the disk or its partitions / holders. Windows: every drive letter and
   * folder access path, except those of locked BitLocker volumes (nothing can use them).
   */
  mountpoints: string[];
  /** Windows: page files on this disk (Win32_PageFileUsage Name). */
  pageFiles?: string[];
  /** What diskprep itself keeps on this disk (the staging location, the journal): never erased. */
  holds?: string[];
  /**
   * Windows: the disk's identity as Get-Disk reported it when listed (raw, unnormalised), re-checked
   * by the script that clears it: disk numbers change when drives come and go.
   */
  identity?: { uniqueId: string; serialNumber: string };
  /** Windows: Get-Disk PartitionStyle (`RAW` = never initialised, so nothing to leave readable). */
  partitionStyle?: 'RAW' | 'MBR' | 'GPT' | 'unknown';
  /** File system / volume type on the whole disk (no partition table), e.g. `BitLocker`. */
  fsType?: string;
  /** Overall BitLocker state: the disk's own volume or its first BitLocker partition. */
  bitlocker: BitLockerState;
  partitions: PartitionInfo[];
}

/**
 * What tells one drive from another, recorded in the journal before the first byte is copied
 * onto it, so a resume unlocks the same drive and never formats it. Every field is optional:
 * loop devices and some USB bridges report no serial, and the NTFS serial is only readable
 * once the volume is unlocked.
 */
export interface DriveIdentity {
  /** Hardware serial as the OS reports it (spaces removed). */
  serial?: string;
  model?: string;
  /** Size of the disk in bytes. */
  sizeBytes?: number;
  /** GUID of the BitLocker volume (lowercase), from its metadata. */
  bitlockerGuid?: string;
  /** NTFS volume serial (boot sector offset 0x48, 64-bit little-endian), 16 uppercase hex digits. */
  ntfsSerial?: string;
}

/** A drive a journal records, which must not be formatted or filled by another run. */
export interface RecordedDrive {
  job: string;
  driveId: string;
  /** 0-based drive number within its job. */
  index: number;
  complete: boolean;
  /** Files copied onto it so far. */
  files: number;
  identity: DriveIdentity | undefined;
}

/** Why a disk may not be used, and what to be careful of. */
export interface Eligibility {
  /** Empty when the disk may be prepared. */
  reasons: string[];
  warnings: string[];
}

/** A disk with its eligibility, as `diskprep drives` prints it. */
export interface ListedDisk extends DiskInfo, Eligibility {
  eligible: boolean;
}

/** A folder diskprep keeps, and what it is ("the staging location"). */
export interface KeepPath {
  what: string;
  path: string;
}

/** Options of {@link openDrive}. */
export interface OpenDriveOptions {
  /** Serial, device path (`/dev/sdb`, `\\.\PHYSICALDRIVE2`) or drive letter (`E`, `E:`). */
  spec: string;
  /** The drive is BitLocker-encrypted already: unlock it with {@link OpenDriveOptions.bitlockerKey}. */
  alreadyEncrypted: boolean;
  /** Keep the NTFS inside an already encrypted drive. */
  alreadyFormatted: boolean;
  /** 48-digit recovery password of an already encrypted drive. */
  bitlockerKey?: string;
  /** Drive id to use when the device reports no serial (or the serial is a USB bridge's). */
  driveId?: string;
  /** NTFS label for a fresh file system (default `DISKPREP`). */
  label?: string;
  /** Folders diskprep keeps (staging location, journal): the disks holding them are refused. */
  keep?: readonly KeepPath[];
  /**
   * Set when the drive is one a journal records as partly filled (a resume): the disk must show
   * this identity (BitLocker GUID before unlocking, NTFS serial after), and it is never
   * formatted, cleared or encrypted again.
   */
  expect?: DriveIdentity;
  /** Drives that must not be opened for writing (other drives of the journals): refused when the disk is one of them. */
  protectedDrives?: readonly RecordedDrive[];
  /** A lock on the disk the caller already holds (else openDrive takes one for the volume's life). */
  claim?: DiskClaim;
  /** Asked once the disk is resolved and checked, before anything changes; false aborts. */
  /**
   * The operator picked this disk from the list diskprep offered (not named with `--drive`):
   * a warning then says so rather than "named by path".
   */
  pickedFromList?: boolean;
  confirm: (disk: DiskInfo) => Promise<boolean>;
}

/** A BitLocker-protected NTFS volume, unlocked and mounted read-write, ready to fill. */
export interface PreparedVolume {
  /** Directory to write into (Linux mount point, `E:\` on Windows). */
  mountPath: string;
  driveId: string;
  /** The 48-digit recovery password (a secret: registered with the redactor). */
  bitlockerKey: string;
  model: string;
  /** Size of the disk. */
  sizeBytes: number;
  /** Size of the NTFS file system the caller can fill (smaller than the disk on Linux-formatted volumes). */
  fileSystemBytes: number;
  /** BitLocker EncryptionMethod of the volume (`XtsAes128`...), when diskprep knows it. */
  encryptionMethod?: string;
  /** The drive as it is now (its NTFS serial read after formatting or unlocking). */
  identity: DriveIdentity;
  /** True under `--dry-run`: nothing was mounted, mountPath does not exist. */
  dryRun: boolean;
  /** Unmounts / locks and removes temporary files. Idempotent; also runs when deps.signal aborts. */
  release(): Promise<void>;
}

/** A disk held by this process (src/disk/diskClaim.ts): no other diskprep run may open it. */
export interface DiskClaim {
  /** Records where this run mounts the disk, so a run taking over after a crash finds it. */
  note(extra: Record<string, string>): Promise<void>;
  /** Frees the disk. Idempotent. */
  release(): Promise<void>;
}
