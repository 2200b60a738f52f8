/**
 * One drive being filled: its files (its ranges of the walk, engine/lanePlan.ts), its batch not
 * yet committed, its blob file, its source ledger and its cursor. Several lanes run at once
 * when several drives are given; each commits on its own (copyJob.ts describes the protocol),
 * and a lane that stops short gives the files after its cursor back to the plan.
 *
 * How a lane ends:
 * - `done`: every file of its ranges is on the drive, the manifest written;
 * - `full`: a file did not fit (free space, or ENOSPC): the drive is closed with what it holds
 *   (manifest written) and the files after it go back to the plan;
 * - `failed`: an I/O error, or the drive went away: nothing more is written to it, the drive
 *   stays open in the journal (the same command resumes it, removes what it was writing when it
 *   failed and writes its manifest), and the files after its cursor go back to the plan.
 * Anything else (the source changed, Ctrl-C, a usage error) stops the whole copy.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Deps } from '../deps/types.ts';
import { count, formatBytes, plural } from '../format.ts';
import { DiskError, type DiskprepError, InterruptedError, UsageError } from '../errors.ts';
import { rootContainerProblem } from '../model/names.ts';
import type { Disposition, JobDescriptor, ScannedFile } from '../model/job.ts';
import { type CopiedFile, copyFile, NoSpaceError, SMALL_FILE } from './copyFile.ts';
import { dataExtents } from './dataExtents.ts';
import { chunkShare, type ChunkCopier } from './chunkCopier.ts';
import { journalDir } from '../journal/layout.ts';
import {
  type DriveRecord,
  type FileRange,
  type PreparedDrive,
  toPrepared,
} from '../journal/copyState.ts';
import {
  blobXml,
  blobXmlEstimate,
  driveInfoXml,
  type ManifestCredential,
  writeDriveManifest,
} from './manifest.ts';
import { driveManifestParts } from './journalManifest.ts';
import { identityChange, sourceIdentity } from './sourceIdentity.ts';
import { SourceLedger, sourcesPath } from '../journal/sourceLedger.ts';
import { compareWalkPaths } from './walkOrder.ts';
import { compareNames } from '../staging/scan.ts';
import { walkJobFilesSync, type WalkedFile } from './walkSync.ts';
import { openBlobList, writeDriveInfo } from '../journal/driveFiles.ts';
import { FreeSpace, isSparse } from './freeSpace.ts';
import { blobProblem } from './limits.ts';
import { FUSE_SUPER_MAGIC } from '../fsutil/localFs.ts';
import { inRanges, rangesAfter, rangesTouchFolder, rangesUpTo } from './lanePlan.ts';
import { READ_AHEAD_BYTES, READ_AHEAD_FILES, type ReadAhead, readAhead } from './smallReadAhead.ts';

/** Files per commit at most (bounds the list of unsynced paths and the work redone after a crash). */
export const COMMIT_FILES = 1000;
const COMMIT_BYTES = 256 * 1024 * 1024;
const COMMIT_MS = 2000;

/** Files an earlier run committed whose source changed since (at most {@link MAX_CHANGED_LISTED} named). */
export interface ChangedSinceCopied {
  count: number;
  /** `path (what changed)`, in walk order. */
  files: string[];
}

/** Names kept of files changed since an earlier run copied them (the count goes on). */
export const MAX_CHANGED_LISTED = 1000;

/** What a lane needs of the copy it is part of. */
export interface LaneHost {
  readonly deps: Deps;
  readonly staging: string;
  readonly job: JobDescriptor;
  readonly sessionId: string;
  readonly credential: ManifestCredential | undefined;
  readonly disposition: Disposition;
  readonly copier: ChunkCopier;
  readonly directIo: boolean;
  readonly checkFreeSpace: boolean;
  readonly commitEvery: { files?: number; bytes?: number; ms?: number } | undefined;
  readonly changedSinceCopied: ChangedSinceCopied;
  /** Several lanes run: each yields to the others after every file. */
  readonly shared: boolean;
  /** Drives being filled now. */
  readonly drivesFilling: number;
  afterFileRead?: (file: { relPath: string; absPath: string }) => void;
  /** Writes the copy state (all lanes' records) atomically, one write at a time. */
  saveState(): Promise<void>;
  /** A commit moved `files` and `bytes`, up to `last`, into the journal. */
  committed(files: number, bytes: number, last: string): void;
  /** Progress of this lane (`extra`: bytes of the large file being copied). */
  progress(lane: DriveLane, extra: number): void;
  /** Another lane stopped the copy (the error it will end with). */
  stopped(): boolean;
  onDriveComplete?: (d: PreparedDrive, target: string) => void;
}

/** How a lane ended (see the module comment). */
export type LaneEnd =
  | { kind: 'done' }
  | { kind: 'full'; rest: FileRange[]; file: string }
  | { kind: 'failed'; rest: FileRange[]; reason: string };

/** The files copied since the last commit: on their drive, not yet in the journal. */
interface Batch {
  xml: string[];
  xmlBytes: number;
  files: number;
  bytes: number;
  last: string | null;
  /** Copied files not yet made durable (small files: one barrier at the commit). */
  unsynced: string[];
  started: number;
}

/** A small file whose source is being read ahead of its turn. */
interface Ahead {
  f: ScannedFile;
  read: ReadAhead | undefined;
}

function emptyBatch(started: number): Batch {
  return { xml: [], xmlBytes: 0, files: 0, bytes: 0, last: null, unsynced: [], started };
}

/** One drive being filled (see the module comment). */
export class DriveLane {
  readonly drive: DriveRecord;
  readonly target: string;
  /** Bytes planned for this drive (for its ETA); undefined when it takes what remains. */
  planned: number | undefined;
  private readonly host: LaneHost;
  private readonly ranges: FileRange[];
  private blobsFh: fsp.FileHandle | undefined;
  private readonly fuse: boolean;
  private readonly space: FreeSpace;
  private batch: Batch;
  /** The batch sealed for the commit in flight: on the drive, not yet in the journal. */
  private sealed: Batch | undefined;
  /** The commit in flight (one at a time), while the next batch is copied. */
  private committing: Promise<void> | undefined;
  private skipped = 0;
  private skipChecked: boolean;
  private ledger: SourceLedger | undefined;
  /** The target's device when the lane started: another one later means its mount is gone. */
  private readonly device: number | undefined;

  constructor(host: LaneHost, drive: DriveRecord, target: string) {
    this.host = host;
    this.drive = drive;
    this.target = target;
    this.ranges = drive.ranges ?? [];
    this.skipChecked = (drive.cursor ?? null) === null;
    this.space = new FreeSpace(target);
    this.batch = emptyBatch(host.deps.clock.monotonic());
    let fuse = false;
    try {
      fuse = fs.statfsSync(target).type === FUSE_SUPER_MAGIC;
    } catch {
      // not mounted any more: the first write says so
    }
    this.fuse = fuse;
    this.device = deviceOf(target);
  }

  /**
   * Why the target is no longer the volume the lane started on (unmounted, even lazily: writes
   * would land in the empty mount-point folder on another disk), or undefined while it is.
   */
  private mountGone(): string | undefined {
    if (this.device === undefined) return undefined;
    const now = deviceOf(this.target);
    if (now === this.device) return undefined;
    return `the drive went away (its mount is gone): ${this.target} is no longer the volume the copy started on`;
  }

  /** Files and bytes on the drive, committed or in the batch. */
  get onDrive(): { files: number; bytes: number } {
    return {
      files: this.drive.files + (this.sealed?.files ?? 0) + this.batch.files,
      bytes: this.drive.bytes + (this.sealed?.bytes ?? 0) + this.batch.bytes,
    };
  }

  /** Fills the drive with its files; never throws a drive's own failure (see {@link LaneEnd}). */
  async run(): Promise<LaneEnd> {
    try {
      this.blobsFh = await openBlobList(
        this.host.staging,
        this.host.job.name,
        this.drive.index,
        this.drive.blobsBytes,
      );
      this.ledger = SourceLedger.open(
        sourcesPath(this.host.staging, this.host.job.name, this.drive.index),
        this.drive.files,
      );
      if (this.drive.failed !== undefined)
        dropUncommitted(
          path.join(this.target, this.host.sessionId),
          this.drive.cursor ?? null,
          (m) => this.host.deps.terminal.warn(`drive ${this.drive.driveId}: ${m}`),
        );
      const full = await this.fill();
      if (full) return await this.stopFull(full);
      await this.close();
      return { kind: 'done' };
    } catch (err) {
      // Ctrl-C first: its cleanup unmounts the volumes under the copy, which is not a failure.
      if (this.host.deps.signal.aborted) throw err;
      const reason =
        this.mountGone() ?? driveFailure(err, this.target) ?? unanswered(err, this.target);
      if (reason === undefined) throw err;
      return await this.stopFailed(reason);
    } finally {
      // A commit still in flight (the copy stopped for another reason) ends before its files close.
      await this.committing?.catch(() => {});
      await this.blobsFh?.close().catch(() => {});
      this.ledger?.close();
    }
  }

  /**
   * Copies the lane's files; returns the file that did not fit, if one did not. Small files are
   * read ahead (smallReadAhead.ts) and copied in walk order.
   */
  private async fill(): Promise<string | undefined> {
    const { host } = this;
    const ahead: Ahead[] = [];
    let aheadBytes = 0;
    // Copies the files read ahead, in walk order, until no more than `files` and `bytes` are left.
    const copyAhead = async (files: number, bytes: number): Promise<string | undefined> => {
      while (ahead.length > files || aheadBytes > bytes) {
        const a = ahead.shift()!;
        aheadBytes -= a.f.size;
        const full = await this.copyInTurn(a.f, a.read);
        if (full !== undefined) return full;
      }
      return undefined;
    };
    try {
      const walk = walkJobFilesSync(host.staging, host.job, {
        identity: true,
        enterFolder: (dir) => rangesTouchFolder(dir, this.ranges),
      });
      for (const f of walk) {
        if (!inRanges(f.relPath, this.ranges) || this.skipCommitted(f)) continue;
        // The totals' walk checked every file; one put there since is checked in its turn.
        const limit = blobProblem(f.relPath, f.size, f.blobType);
        if (limit !== undefined) throw stagingChanged(limit);
        let full: string | undefined;
        if (f.size > SMALL_FILE) {
          full = (await copyAhead(0, 0)) ?? (await this.copyInTurn(f, undefined));
        } else {
          ahead.push({ f, read: readAhead(f.relPath, f.absPath, f.identity) });
          aheadBytes += f.size;
          full = await copyAhead(READ_AHEAD_FILES, READ_AHEAD_BYTES);
        }
        if (full !== undefined) return full;
      }
      const full = await copyAhead(0, 0);
      if (full !== undefined) return full;
    } finally {
      // Stopped early: the reads ahead are dropped (nothing of them was written).
      ahead.length = 0;
    }
    if (!this.skipChecked) this.checkSkip();
    return undefined;
  }

  /** Copies one file in its turn; returns its path when it did not fit. */
  private async copyInTurn(
    f: ScannedFile,
    read: ReadAhead | undefined,
  ): Promise<string | undefined> {
    const { host } = this;
    if (host.deps.signal.aborted || host.stopped()) {
      await this.commit();
      throw new InterruptedError('interrupted: the copy stopped after the last finished file', {
        hint: 'run the same command again to resume',
      });
    }
    if (!(await this.hasRoom(f)) || !(await this.copyOne(f, read))) {
      if (this.onDrive.files === 0) throw tooBig(f.relPath, f.size, this.target);
      // A run that died may have left this file cut short at its name on this drive.
      fs.rmSync(this.destination(f), { force: true });
      return f.relPath;
    }
    host.progress(this, 0);
    if (this.commitDue()) await this.commitBehind();
    // Other drives' copies go on between files (small files are copied with sync calls).
    if (host.shared) await nextTurn();
    return undefined;
  }

  /** Full before its plan: commit, close with what it holds, give the rest back. */
  private async stopFull(file: string): Promise<LaneEnd> {
    await this.commit();
    const rest = this.cutAtCursor();
    await this.close();
    return { kind: 'full', rest, file };
  }

  /** Failed: nothing more on it; the drive stays open (resumable), the rest goes back. */
  private async stopFailed(reason: string): Promise<LaneEnd> {
    // A commit in flight counts its batch if it made it durable; what came after it does not.
    await this.committing?.catch(() => {});
    this.committing = undefined;
    this.sealed = undefined;
    this.batch = emptyBatch(this.host.deps.clock.monotonic());
    const rest = this.cutAtCursor();
    this.drive.failed = reason;
    await this.host.saveState();
    return { kind: 'failed', rest, reason };
  }

  /** The drive keeps its ranges up to its cursor; returns the ranges after it. */
  private cutAtCursor(): FileRange[] {
    const cursor = this.drive.cursor ?? null;
    const rest = rangesAfter(this.ranges, cursor);
    this.drive.ranges = rangesUpTo(this.ranges, cursor);
    return rest;
  }

  /**
   * True for a file an earlier run committed to this drive (walked past, checked against the
   * ledger). The first file past the cursor checks that as many came before it as were committed.
   */
  private skipCommitted(f: WalkedFile): boolean {
    if (this.skipChecked) return false;
    if (compareWalkPaths(f.relPath, this.drive.cursor!) <= 0) {
      this.skipped++;
      this.checkCommitted(f);
      return true;
    }
    this.checkSkip();
    return false;
  }

  private checkSkip(): void {
    const { drive } = this;
    if (this.skipped !== drive.files)
      throw stagingChanged(
        `${count(this.skipped, 'file')} of drive ${drive.driveId} ${plural(this.skipped, 'comes', 'come')} before ${drive.cursor} now, ${drive.files} did then`,
      );
    this.skipChecked = true;
  }

  /** A file an earlier run committed: is it still what the drive holds? */
  private checkCommitted(f: WalkedFile): void {
    const rec = this.ledger!.nextCommitted();
    if (!rec) return;
    if (rec.relPath !== f.relPath)
      throw stagingChanged(`${f.relPath} is where ${rec.relPath}, which is on the drive, was`);
    // Size and times only: inode and device numbers change when the share is mounted again.
    const what = identityChange(rec.source, f.identity ?? sourceIdentity(f.relPath, f.absPath), {
      sameMount: false,
    });
    if (!what) return;
    const changed = this.host.changedSinceCopied;
    changed.count++;
    if (changed.files.length < MAX_CHANGED_LISTED) changed.files.push(`${f.relPath} (${what})`);
  }

  /** Free space for the file and the manifest as it will be with it (unless not checked). */
  private async hasRoom(f: ScannedFile): Promise<boolean> {
    if (!this.host.checkFreeSpace) return true;
    const estimate = blobXmlEstimate(Buffer.byteLength(f.relPath), f.size);
    try {
      const listed = this.drive.blobsBytes + (this.sealed?.xmlBytes ?? 0) + this.batch.xmlBytes;
      return this.space.fits(f, listed + estimate);
    } catch (err) {
      // The source went away since the walk: the files copied so far still count.
      await this.commit();
      throw err;
    }
  }

  /** Copies the file onto the drive into the batch; false when the drive ran out of space. */
  private async copyOne(f: ScannedFile, read: ReadAhead | undefined): Promise<boolean> {
    const { host } = this;
    const { deps } = host;
    const dst = this.destination(f);
    try {
      const extents =
        f.blobType === 'page' && f.size > SMALL_FILE && isSparse(f)
          ? await dataExtents(deps, f.absPath)
          : undefined;
      const copied = await copyFile(
        {
          relPath: f.relPath,
          src: f.absPath,
          dst,
          kind: f.blobType,
          signal: deps.signal,
          ...(read ? { readAhead: read } : {}),
          ...(extents ? { dataExtents: extents } : {}),
          ...(host.afterFileRead ? { afterRead: () => host.afterFileRead!(f) } : {}),
        },
        {
          copier: chunkShare(host.copier, host.drivesFilling),
          directIo: host.directIo,
          onBytes: (n) => host.progress(this, n),
          clock: deps.clock,
        },
      );
      this.addToBatch(f, dst, copied);
      return true;
    } catch (err) {
      if (err instanceof NoSpaceError) return false;
      // The drive's own failure: its batch is not trusted (see stopFailed).
      if (this.mountGone() === undefined && driveFailure(err, this.target) === undefined)
        await this.commit();
      throw err;
    }
  }

  /** Where `f` goes on this drive. */
  private destination(f: ScannedFile): string {
    return path.join(this.target, this.host.sessionId, ...f.relPath.split('/'));
  }

  private addToBatch(f: ScannedFile, dst: string, copied: CopiedFile): void {
    const { host } = this;
    const xml = blobXml({
      blobPath: blobPathFor(host.job, f.relPath),
      filePath: `\\${host.sessionId}\\${f.relPath.split('/').join('\\')}`,
      length: copied.size,
      disposition: host.disposition,
      kind: f.blobType,
      ranges: copied.ranges,
    });
    const b = this.batch;
    b.xml.push(xml);
    b.xmlBytes += Buffer.byteLength(xml);
    b.files++;
    b.bytes += copied.size;
    b.last = f.relPath;
    this.ledger!.add(f.relPath, copied.source);
    if (copied.unsynced) b.unsynced.push(dst);
  }

  private commitDue(): boolean {
    const every = this.host.commitEvery;
    return (
      this.batch.files >= (every?.files ?? COMMIT_FILES) ||
      this.batch.bytes >= (every?.bytes ?? COMMIT_BYTES) ||
      this.host.deps.clock.monotonic() - this.batch.started >= (every?.ms ?? COMMIT_MS)
    );
  }

  /** Commits every file copied so far, and waits for it. */
  private async commit(): Promise<void> {
    await this.commitBehind();
    await this.settleCommit();
  }

  /**
   * Seals the batch and commits it while the next batch is copied: its barrier (syncfs) waits
   * for the drive, and the copy goes on meanwhile (30,000 × 4 KiB: 30 commits, about a second
   * of waiting when each was awaited). One commit at a time: the one before is waited for first.
   */
  private async commitBehind(): Promise<void> {
    await this.settleCommit();
    if (this.batch.files === 0) return;
    const sealed = this.batch;
    this.sealed = sealed;
    this.batch = emptyBatch(this.host.deps.clock.monotonic());
    const p = this.commitSealed(sealed);
    // Awaited by the next commit, by the lane's end or failure: never unhandled.
    p.catch(() => {});
    this.committing = p;
  }

  /** Waits for the commit in flight; throws its error. */
  private async settleCommit(): Promise<void> {
    const p = this.committing;
    this.committing = undefined;
    if (p) await p;
  }

  /** Steps 2-4 of the commit protocol for a sealed batch (see copyJob.ts). */
  private async commitSealed(batch: Batch): Promise<void> {
    const { drive, host } = this;
    await this.barrier(batch).catch(notStored);
    // Nothing written since the mount went away is recorded (run() reports the drive failed).
    const gone = this.mountGone();
    if (gone) throw new Error(gone);
    const data = Buffer.from(batch.xml.join(''), 'utf8');
    await this.blobsFh!.write(data);
    await this.blobsFh!.datasync();
    // Only this batch's records: the next batch's files are not durable yet.
    this.ledger!.flush(batch.files);
    drive.blobsBytes += data.length;
    drive.files += batch.files;
    drive.bytes += batch.bytes;
    drive.cursor = batch.last;
    this.sealed = undefined;
    host.committed(batch.files, batch.bytes, batch.last!);
    await host.saveState();
    this.space.invalidate();
  }

  /** Makes the batch's small files durable. */
  private async barrier(batch: Batch): Promise<void> {
    if (batch.unsynced.length === 0) return;
    if (this.host.deps.platform === 'linux' && !this.fuse) {
      // syncfs(2) of the target: one call makes the whole batch (data, folder entries) durable.
      // LC_ALL=C: its error is read below.
      const r = await this.host.deps.exec.run('sync', ['-f', this.target], {
        reject: false,
        env: { LC_ALL: 'C' },
      });
      if (r.exitCode === 0) {
        batch.unsynced = [];
        return;
      }
      // syncfs said the drive lost data it had taken. Not necessarily this batch's: the error is
      // the file system's, and the commit before may have met it while it wrote this batch's
      // first files back (commits run behind the copy). An fsync of each of this batch's files
      // would then pass over the lost ones (it happened: 14 files listed, their bytes lost), so
      // the drive fails. Only a `sync` that could not run at all falls back to them.
      const lost = syncfsError(r.stderr);
      if (lost) throw Object.assign(new Error(`sync -f: ${lost.text}`), { code: lost.code });
    }
    const dirs = new Set<string>();
    for (const file of batch.unsynced) {
      const fh = await fsp.open(file, 'r+');
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
      dirs.add(path.dirname(file));
    }
    for (const dir of dirs) await syncDirQuiet(dir);
    batch.unsynced = [];
  }

  /** Commits, writes the drive's manifest and drive-info XML, and marks the drive complete. */
  private async close(): Promise<void> {
    const { host, drive, target } = this;
    const { deps, staging, job } = host;
    await this.commit();
    await this.blobsFh?.close();
    this.blobsFh = undefined;
    let hash: string;
    try {
      hash = await writeDriveManifest({
        target,
        ...driveManifestParts(deps, staging, job.name, drive, host.credential),
      });
    } catch (err) {
      throw new DiskError(`cannot write the drive manifest on ${target}: ${errText(err)}`, {
        hint: 'free some space on that drive (nothing else than this job should be on it), then run the same command again',
        cause: err,
      });
    }
    drive.manifestHash = hash;
    await writeDriveInfo(
      deps.fs,
      journalDir(staging, job.name),
      drive.driveId,
      driveInfoXml({
        driveId: drive.driveId,
        bitLockerKey: drive.bitLockerKey,
        manifestFile: drive.manifestFile,
        manifestHash: hash,
      }),
    );
    drive.complete = true;
    delete drive.failed;
    await host.saveState();
    host.onDriveComplete?.(toPrepared(drive), target);
  }
}

/**
 * A failed drive plugged back takes no more files (its rest went back to the plan): what it was
 * writing when it failed, after its cursor in walk order, is removed from its `folder` before it
 * is closed. Never listed, such a file may be cut short, hold bytes the drive lost, or be
 * unreadable (a pulled BitLocker drive: ntfs-3g answers EIO, even to a recursive rm, yet
 * unlinks it). Folders wholly before the cursor are not walked; one that cannot be removed is
 * said (`warn`) and left: the import copies only what the manifest lists.
 */
function dropUncommitted(folder: string, cursor: string | null, warn: (m: string) => void): void {
  const at = cursor === null ? [] : cursor.split('/');
  const visit = (dir: string, depth: number, after: boolean): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const c = after || depth >= at.length ? 1 : compareNames(e.name, at[depth]!);
      if (c < 0 || (c === 0 && !e.isDirectory())) continue;
      try {
        if (e.isDirectory()) visit(p, depth + 1, c > 0);
        if (c > 0) (e.isDirectory() ? fs.rmdirSync : fs.unlinkSync)(p);
      } catch (err) {
        // A folder left with what could not be removed was said already.
        if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY')
          warn(`${path.relative(folder, p)} cannot be removed (${errText(err)}); it is not listed`);
      }
    }
  };
  if (fs.existsSync(folder)) visit(folder, 0, false);
}

/** strerror texts of `sync -f` (coreutils: "error syncing '<path>': <strerror>") and their codes. */
const SYNC_ERRORS: [RegExp, string][] = [
  [/Input\/output error/, 'EIO'],
  [/No space left on device/, 'ENOSPC'],
  [/Read-only file system/, 'EROFS'],
  [/Disk quota exceeded/, 'EDQUOT'],
  [/Transport endpoint is not connected/, 'ENOTCONN'],
  [/No such device/, 'ENODEV'],
];

/**
 * The error `sync -f` reported about the file system (it ran, and syncfs failed), or undefined
 * when it did not get that far (no `sync`, an option it does not know): then each file is
 * fsync'ed instead.
 */
export function syncfsError(stderr: string): { code: string; text: string } | undefined {
  const line = stderr.split('\n').find((l) => /error syncing/.test(l));
  if (line === undefined) return undefined;
  const code = SYNC_ERRORS.find(([re]) => re.test(line))?.[1] ?? 'EIO';
  return { code, text: line.replace(/^sync: /, '').trim() };
}

/** The device a path is on, or undefined when it cannot be read. */
function deviceOf(p: string): number | undefined {
  try {
    return fs.statSync(p).dev;
  } catch {
    return undefined;
  }
}

/** Errors of the drive itself (it failed or went away), as a reason; undefined for the others. */
const DRIVE_ERRORS: Record<string, string> = {
  EIO: 'I/O error',
  ENODEV: 'the drive went away',
  ENXIO: 'the drive went away',
  ENOTCONN: 'the drive went away (its mount is gone)',
  // A FUSE mount (ntfs-3g over dislocker) whose daemon died with requests in flight.
  ECONNABORTED: 'the drive went away (its mount was cut off)',
  ESTALE: 'the drive went away (stale mount)',
  EROFS: 'the volume turned read-only',
  EREMOTEIO: 'I/O error',
  EUCLEAN: 'the file system is damaged',
};

/**
 * Making the batch durable failed: write() had taken the data, the drive did not store it (a
 * thin or failing disk answers ENOSPC or EIO only at fsync/syncfs, and the pages are dropped).
 * Whatever its errno, that is the drive's own failure, not a full drive nor the staging's.
 */
class NotStoredError extends Error {
  readonly code: string;
  constructor(cause: unknown) {
    super(errText(cause), { cause });
    this.name = 'NotStoredError';
    this.code = (cause as NodeJS.ErrnoException | null)?.code ?? 'EIO';
  }
}

function notStored(err: unknown): never {
  throw new NotStoredError(err);
}

/** Why `err` is the drive's own failure, or undefined when it is not. */
export function driveFailure(err: unknown, target: string): string | undefined {
  if (err instanceof NotStoredError)
    return `${DRIVE_ERRORS[err.code] ?? 'the drive could not store data it had accepted'} (${err.code} on sync): ${err.message}`;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const cause = (err as { cause?: NodeJS.ErrnoException } | null)?.cause?.code;
  for (const c of [code, cause]) {
    if (c !== undefined && DRIVE_ERRORS[c] !== undefined)
      return `${DRIVE_ERRORS[c]} (${c}): ${errText(err)}`;
  }
  if (code === 'ENOENT' && !fs.existsSync(target)) return `the drive went away: ${target} is gone`;
  if (err instanceof DiskError && err.message.startsWith('cannot write the drive manifest'))
    return err.message;
  return undefined;
}

/**
 * An fs error the table does not name, from a drive that no longer stores a test file (created,
 * synced, removed): the drive's own failure. A dying FUSE stack (a pulled BitLocker drive:
 * dislocker gone, ntfs-3g still up) answers what it likes, EBUSY among them. A drive that
 * still takes the test file leaves the error to stop the copy.
 */
function unanswered(err: unknown, target: string): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  const probe = path.join(target, `.diskprep-probe-${process.pid}`);
  try {
    const fd = fs.openSync(probe, 'w');
    try {
      fs.writeSync(fd, 'diskprep');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(probe);
    return undefined;
  } catch (p) {
    return `the drive stopped answering (${code}): ${errText(err)}; a test file on it failed too: ${errText(p)}`;
  }
}

/**
 * `<BlobPath>`: `container/prefix/relPath`. In the root container the format wants `$root/name`
 * ("if the blob is in root container, it must begin with $root"), and a root blob's name
 * cannot hold "/": no prefix, no folder (validation refuses both before a copy starts).
 */
export function blobPathFor(job: JobDescriptor, relPath: string): string {
  const name = [job.prefix, relPath].filter((s) => s !== undefined && s !== '').join('/');
  const root = rootContainerProblem(job.container, name);
  if (root) {
    throw new UsageError(`cannot import ${relPath} into the root container: ${root}`, {
      hint: "use another container, or put the file at the top of the job's data",
    });
  }
  return `${job.container}/${name}`;
}

function stagingChanged(detail: string): UsageError {
  return new UsageError(`the staging data changed since the copy began: ${detail}`, {
    hint: 'restore the staging location as it was, or start the job over (delete its journal folder and the copied data)',
  });
}

function tooBig(relPath: string, size: number, target: string): DiskprepError {
  return new DiskError(
    `${relPath} (${formatBytes(size)}) does not fit on the empty drive at ${target}`,
    {
      code: 'ERR_DISKPREP_FILE_TOO_BIG',
      hint: 'use a larger drive for it',
    },
  );
}

async function syncDirQuiet(dir: string): Promise<void> {
  try {
    const h = await fsp.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Windows cannot fsync a folder; NTFS journals the rename itself.
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
