/**
 * The `--drive` list checked as a whole before the first disk is touched: two entries naming one
 * disk, or two drives that would carry one drive id (the same `--drive-id`, or the same serial),
 * are refused here, while every disk is still as it was. The datacenter matches each drive to its
 * manifest by id, so two drives with one id cannot both be imported.
 */
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import { resolveDisk } from '../../disk/selectDisk.ts';
import { usableSerial } from '../../disk/serial.ts';
import type { DiskInfo } from '../../disk/types.ts';

/** Throws a UsageError when two `--drive` entries share a disk or a drive id. */
export async function checkNamedDrives(
  deps: Deps,
  disks: DiskInfo[],
  lists: { drives: readonly string[]; driveIds: readonly string[] },
): Promise<void> {
  const byDisk = new Map<string, number>();
  const byId = new Map<string, number>();
  for (let i = 0; i < lists.drives.length; i++) {
    const spec = lists.drives[i]!;
    // A drive not attached yet is checked when it is asked for.
    const disk = await resolveDisk(deps, disks, spec).catch(() => undefined);
    if (disk) {
      const j = byDisk.get(disk.path);
      if (j !== undefined) {
        throw new UsageError(
          `--drive ${lists.drives[j]} and --drive ${spec} name the same disk ${disk.path}`,
          { code: 'ERR_DISKPREP_DUPLICATE_DRIVE', hint: 'name each disk once' },
        );
      }
      byDisk.set(disk.path, i);
    }
    const id = lists.driveIds[i] ?? usableSerial(disk?.serial);
    if (id === undefined) continue;
    const j = byId.get(id.toLowerCase());
    if (j !== undefined) {
      throw new UsageError(
        `--drive ${lists.drives[j]} and --drive ${spec} would both be drive ${id}: the datacenter tells drives apart by id`,
        {
          code: 'ERR_DISKPREP_DUPLICATE_DRIVE_ID',
          hint:
            lists.driveIds[i] !== undefined && lists.driveIds[j] !== undefined
              ? "give each --drive-id the serial printed on that drive's own label"
              : "pass --drive-id for each with the serial printed on that drive's label",
        },
      );
    }
    byId.set(id.toLowerCase(), i);
  }
}
