/**
 * Which disks may be prepared. Azure takes SATA HDDs up to 10 TB and 2.5" SATA SSDs; USB-SATA
 * bridges are fine for preparation (reference/azure-importexport.md §5.4). A disk holding the
 * system, a page file, diskprep's own staging location or journal, or any volume in use (mounted;
 * on Windows: a drive letter or folder access path, locked BitLocker volumes aside) is never
 * touched.
 */
import { isPlaceholderSerial } from './serial.ts';
import type { DiskInfo, Eligibility } from './types.ts';

/** The largest drive the service takes: 10 TB (decimal, as drive vendors count). */
export const MAX_DRIVE_BYTES = 10 * 1000 ** 4;

/** Options of {@link checkEligible}. */
export interface CheckEligibleOptions {
  /**
   * The operator named this device by path (e.g. `/dev/loop3`): a non-SATA block device is then
   * accepted with a warning (image files and tests depend on it).
   */
  explicitPath?: boolean;
  /**
   * The operator picked the device from the list diskprep offered (`--all` widens it to loop and
   * virtual devices): accepted like a device named by path, and the warning says which it was.
   */
  pickedFromList?: boolean;
}

/** Reasons a disk cannot be prepared (empty when it can) and warnings worth showing. */
export function checkEligible(disk: DiskInfo, options: CheckEligibleOptions = {}): Eligibility {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const windows = disk.number !== undefined;
  if (disk.system || disk.boot) reasons.push('system or boot disk');
  for (const h of disk.holds ?? []) reasons.push(`holds ${h}`);
  if (disk.pageFiles?.length) reasons.push(`holds a page file (${disk.pageFiles.join(', ')})`);
  if (disk.mountpoints.length > 0) {
    if (!windows) reasons.push(`mounted at ${disk.mountpoints.join(', ')}`);
    else {
      // An unlocked BitLocker volume (a run killed before it locked the drive, or unlocked by
      // hand) is freed by locking it; any other volume by removing its letters.
      const system = disk.system || disk.boot;
      const unlocked = system
        ? []
        : disk.partitions.filter((p) => p.bitlocker === 'unlocked' && p.driveLetter);
      const unlockedMounts = new Set(unlocked.flatMap((p) => p.mountpoints));
      for (const p of unlocked)
        reasons.push(
          `BitLocker volume ${p.driveLetter}: is unlocked (lock it first: manage-bde -lock ${p.driveLetter}: -ForceDismount)`,
        );
      const others = disk.mountpoints.filter((m) => !unlockedMounts.has(m));
      if (others.length > 0)
        reasons.push(
          `in use: ${others.join(', ')} (to let diskprep erase it, save what is on it, then remove its drive letters in Disk Management: Change Drive Letter and Paths, Remove)`,
        );
    }
  }
  if (disk.sizeBytes > MAX_DRIVE_BYTES)
    reasons.push('larger than the service takes (at most 10 TB as drives are sold: 9.09 TiB)');
  if (disk.sizeBytes === 0) reasons.push('no medium (size 0)');
  if (disk.removable && disk.bus === 'USB') reasons.push('removable stick (not a SATA drive)');
  if (disk.bus === 'USB') {
    if (!disk.removable)
      warnings.push(
        "behind a USB bridge: the serial shown may be the bridge's, check it against the drive label (or pass --drive-id)",
      );
  } else if (disk.bus !== 'SATA') {
    const what = `not SATA (${disk.kind === 'disk' ? disk.bus : disk.kind})`;
    // A SATA drive on a RAID or SAS controller (HBA) reports the controller's bus.
    const behind =
      disk.bus === 'RAID' || disk.bus === 'SAS'
        ? `; a SATA drive behind a ${disk.bus} controller is accepted when named by path: --drive ${disk.path}`
        : '';
    if (options.pickedFromList)
      warnings.push(
        `${what}: accepted because it was picked from the list --all widens; the service takes SATA drives only`,
      );
    else if (options.explicitPath) warnings.push(`${what}: accepted because it was named by path`);
    else reasons.push(`${what}: the service takes SATA drives only${behind}`);
  }
  if (disk.serial === undefined) warnings.push('reports no serial number: pass --drive-id');
  else if (isPlaceholderSerial(disk.serial))
    warnings.push(
      `serial ${disk.serial} is a placeholder (a USB bridge's, not the drive's): pass --drive-id with the serial on the drive's label`,
    );
  for (const p of disk.partitions)
    if (p.bitlockerError)
      warnings.push(`BitLocker state of ${p.driveLetter ?? p.path}: unknown (${p.bitlockerError})`);
  return { reasons, warnings };
}
