/**
 * Real small file systems for engine tests (root only): a size-limited tmpfs and ext4 on a loop
 * device, which both really run out of space and take O_DIRECT (tmpfs since Linux 6.6), and
 * ramfs, which has no size limit and refuses O_DIRECT at open (EINVAL).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The kinds of volume, for `describe.each`. */
export const VOLUME_KINDS = ['tmpfs', 'ext4', 'ramfs'] as const;
export type VolumeKind = (typeof VOLUME_KINDS)[number];

/** Mounts volumes and removes them again ({@link cleanup} in afterEach). */
export class Volumes {
  private readonly mounts: string[] = [];
  private readonly files: string[] = [];

  /**
   * A fresh mounted volume of `sizeMiB` MiB (ramfs: unlimited); ext4 without a journal, so its
   * space is predictable.
   */
  make(kind: VolumeKind, sizeMiB: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dp-vol-${kind}-`));
    if (kind === 'ramfs') {
      execFileSync('mount', ['-t', 'ramfs', 'ramfs', dir]);
    } else if (kind === 'tmpfs') {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
    } else {
      const image = `${dir}.img`;
      this.files.push(image);
      fs.writeFileSync(image, '');
      fs.truncateSync(image, sizeMiB * 1024 * 1024);
      execFileSync('mkfs.ext4', ['-q', '-F', '-O', '^has_journal', '-m', '0', image]);
      execFileSync('mount', ['-o', 'loop', image, dir]);
    }
    this.mounts.push(dir);
    return dir;
  }

  /** Unmounts and deletes everything made. */
  cleanup(): void {
    for (const m of this.mounts.splice(0).reverse()) {
      execFileSync('umount', [m]);
      fs.rmSync(m, { recursive: true, force: true });
    }
    for (const f of this.files.splice(0)) fs.rmSync(f, { force: true });
  }
}
