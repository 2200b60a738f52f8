/** Lists disks on the platform in `deps.platform`. */
import type { Deps } from '../deps/types.ts';
import { DiskError } from '../errors.ts';
import { checkEligible } from './eligibility.ts';
import { listLinuxDisks } from './linux/lsblk.ts';
import type { DiskInfo, ListedDisk } from './types.ts';
import { listWindowsDisks } from './windows/listWindows.ts';

/** Every disk of this machine (loop and virtual devices included: filter on `kind`). */
export async function listDisks(deps: Deps): Promise<DiskInfo[]> {
  if (deps.platform === 'win32') return listWindowsDisks(deps);
  if (deps.platform === 'linux') return listLinuxDisks(deps);
  throw new DiskError(`diskprep cannot list drives on ${deps.platform}`, {
    code: 'ERR_DISKPREP_PLATFORM',
    hint: 'use Windows or Linux, or pass --target with a volume you unlocked and mounted yourself',
  });
}

/** Disks with their eligibility; `all` keeps loop and virtual devices. */
export async function listDisksWithEligibility(
  deps: Deps,
  options: { all: boolean },
): Promise<ListedDisk[]> {
  const disks = await listDisks(deps);
  return disks
    .filter((d) => options.all || (d.kind === 'disk' && d.sizeBytes > 0))
    .map((d) => {
      const e = checkEligible(d);
      return { ...d, ...e, eligible: e.reasons.length === 0 };
    });
}
