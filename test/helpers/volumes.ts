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

  /**
   * A thin drive: ext4 (with its journal) on a loop device whose sparse `sizeMiB` backing file
   * lives on a tmpfs with room for only `roomMiB` more than mkfs wrote. The file system reports
   * `sizeMiB` nearly free; past the room the loop device fails its writes (the kernel's
   * BLK_STS_NOSPC: fsync and syncfs answer ENOSPC after write() took the data), as a
   * thin-provisioned or failing disk does. Its image is `<dir>.thin/back.img`.
   */
  makeThin(sizeMiB: number, roomMiB: number): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-vol-thin-'));
    const store = `${dir}.thin`;
    fs.mkdirSync(store);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB + 16}m`, 'tmpfs', store]);
    this.mounts.push(store);
    const image = path.join(store, 'back.img');
    fs.writeFileSync(image, '');
    fs.truncateSync(image, sizeMiB * 1024 * 1024);
    // Inode tables and journal written now, through a loop device (on a tmpfs file mke2fs
    // zeroes by punching holes), so that only data and new folder blocks need room.
    const loop = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
    try {
      execFileSync('mkfs.ext4', [
        '-q',
        '-F',
        '-m',
        '0',
        '-E',
        'lazy_itable_init=0,lazy_journal_init=0',
        loop,
      ]);
    } finally {
      execFileSync('losetup', ['-d', loop]);
    }
    this.setRoom(dir, roomMiB);
    execFileSync('mount', ['-o', 'loop', image, dir]);
    this.mounts.push(dir);
    return dir;
  }

  /** Gives the thin drive at `dir` room for `roomMiB` more than its backing file holds now. */
  setRoom(dir: string, roomMiB: number): void {
    const store = `${dir}.thin`;
    const used = Number(
      execFileSync('du', ['-k', '-s', store], { encoding: 'utf8' }).split('\t')[0],
    );
    execFileSync('mount', ['-o', `remount,size=${used + roomMiB * 1024}k`, store]);
  }

  /** Unmounts and deletes everything made. */
  cleanup(): void {
    for (const m of this.mounts.splice(0).reverse()) {
      // A thin drive's folder may already be unmounted (pulled) by its test.
      if (isMounted(m)) execFileSync('umount', [m]);
      fs.rmSync(m, { recursive: true, force: true });
    }
    for (const f of this.files.splice(0)) fs.rmSync(f, { force: true });
  }
}

/** True when `dir` is a mount point (per /proc/mounts). */
export function isMounted(dir: string): boolean {
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === dir);
}
