/**
 * Does the next file fit on a drive? Free space is read with statfs(2) once per commit, not
 * once per file (one syscall per small file is a measurable share of their copy), and what was
 * placed since is subtracted from it; a file that does not fit by that count is checked
 * against a fresh reading before the drive is called full. ENOSPC stays the last word: a file
 * that meets it moves to the next drive all the same (copyFile.ts NoSpaceError).
 */
import fs from 'node:fs';
import { statSource } from './sourceIdentity.ts';

/** What the space check needs of a file. */
export interface SpaceFile {
  relPath: string;
  absPath: string;
  size: number;
  blobType: 'page' | 'block';
}

/** Slack kept free besides the manifest. */
const SLACK = 64 * 1024;

/** The free space of one mounted target. */
export class FreeSpace {
  private readonly target: string;
  private free = 0;
  private bsize = 4096;
  /** Bytes placed since the last reading. */
  private spent = 0;
  private fresh = false;

  constructor(target: string) {
    this.target = target;
  }

  /** The next check reads statfs again (after a commit, when what was placed is on the disk). */
  invalidate(): void {
    this.fresh = false;
  }

  /**
   * True when `f` fits with a folder entry and the manifest as it will be with it
   * (`manifestBytes`, + 64 KiB slack); counts it as placed when it does.
   */
  fits(f: SpaceFile, manifestBytes: number): boolean {
    if (!this.fresh) this.read();
    let need = f.size;
    if (f.blobType === 'page') {
      // A sparse page file needs only its data on a sparse target: count what the source allocates.
      const allocated = allocatedBytes(f);
      if (allocated !== undefined && allocated < f.size) need = allocated;
    }
    const file = this.round(need) + this.bsize;
    const room = (): boolean => this.free - this.spent >= file + this.round(manifestBytes) + SLACK;
    let ok = room();
    if (!ok && this.spent > 0) {
      this.read();
      ok = room();
    }
    if (ok) this.spent += file;
    return ok;
  }

  private read(): void {
    const s = fs.statfsSync(this.target);
    this.free = s.bavail * s.bsize;
    this.bsize = s.bsize;
    this.spent = 0;
    this.fresh = true;
  }

  private round(n: number): number {
    return Math.ceil(n / this.bsize) * this.bsize;
  }
}

/** The file allocates less than its length (it has holes). */
export function isSparse(f: { relPath: string; absPath: string; size: number }): boolean {
  const allocated = allocatedBytes(f);
  return allocated !== undefined && allocated < f.size;
}

/** Bytes the source file allocates (undefined where the platform does not say). */
function allocatedBytes(f: { relPath: string; absPath: string }): number | undefined {
  const blocks = Number(statSource(f).blocks);
  return Number.isFinite(blocks) ? blocks * 512 : undefined;
}
