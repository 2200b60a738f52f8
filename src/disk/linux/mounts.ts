/**
 * Unmounting the FUSE mounts diskprep makes on Linux (dislocker, ntfs-3g), also the ones a run
 * killed with SIGKILL left behind.
 */
import type { Deps } from '../../deps/types.ts';

/** True when `dir` is a mount point in /proc/mounts text. */
export function isMounted(mounts: string, dir: string): boolean {
  return mounts.split('\n').some((l) => l.split(' ')[1] === dir.replaceAll(' ', '\\040'));
}

/** Unmounts `dir` if it is mounted, retrying while a FUSE daemon still holds it. */
export async function unmount(deps: Deps, dir: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const mounts = await deps.fs.readFile('/proc/mounts', 'utf8').catch(() => '');
    if (!isMounted(mounts, dir)) return;
    const r = await deps.exec.run('umount', [dir], { reject: false });
    if (r.exitCode === 0) continue;
    if (attempt >= 20) {
      // Still busy after ~5 s (a writer that ignored the abort): detach lazily so nothing stays
      // visible; the kernel finishes when the last file closes.
      await deps.exec.run('umount', ['-l', dir], { reject: false });
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
