/**
 * Which disk holds a path: the disk with the mount point that is the longest prefix of the path
 * (so `C:\mnt\data\x` is on the volume mounted at `C:\mnt\data\`, not on C:, and
 * `/srv/staging` on the disk mounted at `/srv` rather than the root disk). Used to refuse the
 * disk holding diskprep's own staging location and journal, and (Windows) a page file.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import type { DiskInfo, KeepPath } from './types.ts';

/** Windows paths compare case-insensitively with `\`; POSIX paths as they are with `/`. */
function normalise(p: string, win: boolean): string {
  const sep = win ? '\\' : '/';
  const s = win ? p.replaceAll('/', '\\').toLowerCase() : p;
  return s.endsWith(sep) ? s : s + sep;
}

/** Every mount point of a disk and its partitions (locked volumes included: they still hold). */
const mountsOf = (d: DiskInfo): string[] => [
  ...d.mountpoints.filter((m) => m !== '[SWAP]'),
  ...d.partitions.flatMap((p) => p.mountpoints),
];

/** The disk holding `p` (an absolute, resolved path), or undefined (a network share, a RAM disk). */
export function diskHolding(
  disks: readonly DiskInfo[],
  p: string,
  win: boolean,
): DiskInfo | undefined {
  const target = normalise(p, win);
  let best: { disk: DiskInfo; len: number } | undefined;
  for (const disk of disks) {
    for (const m of mountsOf(disk)) {
      const mount = normalise(m, win);
      if (target.startsWith(mount) && (!best || mount.length > best.len))
        best = { disk, len: mount.length };
    }
  }
  return best?.disk;
}

/**
 * Marks the disks holding `keep` (the staging location, the journal) with what they hold, so
 * {@link checkEligible} refuses them. Each path is resolved first (symlinks, junctions, and on
 * Windows `subst` drives lead to the real volume); a path that does not exist yet counts as itself.
 */
export async function markHolders(
  deps: Pick<Deps, 'fs' | 'platform' | 'cwd'>,
  disks: DiskInfo[],
  keep: readonly KeepPath[],
): Promise<DiskInfo[]> {
  const win = deps.platform === 'win32';
  for (const k of keep) {
    const abs = win ? path.win32.resolve(deps.cwd, k.path) : path.posix.resolve(deps.cwd, k.path);
    const real = await deps.fs.realpath(abs).catch(() => abs);
    const disk = diskHolding(disks, real, win);
    if (disk) disk.holds = [...new Set([...(disk.holds ?? []), `${k.what} ${abs}`])];
  }
  return disks;
}
