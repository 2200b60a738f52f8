/**
 * The copy engine: copies a job's data onto one or more mounted volumes in walk order, one
 * pass per byte, writes each drive's manifest, and keeps a resumable journal in the staging
 * location.
 *
 * Commit protocol (the journal is the truth; a file counts only once committed):
 * 1. each file is written (a large one under a temporary name, renamed when complete; a small
 *    one at its name: see copyFile.ts);
 * 2. a batch of files (≤ {@link COMMIT_FILES} files, ≤ 256 MiB, ≤ 2 s) is made durable: large
 *    files were fdatasync'ed as they finished, small ones get one barrier (syncfs on Linux, an
 *    fsync per file elsewhere);
 * 3. the batch's `<Blob>` elements are appended to the drive's blob file and fdatasync'ed;
 * 4. the state (cursor, counts, blob-file length) is replaced atomically.
 * A crash before 4 leaves the old state: the blob file is cut back to its recorded length and
 * the uncommitted files are copied again (same bytes, same hashes; a small file cut short at
 * its name is written over). Nothing half-written is ever listed, and counters only move at 4.
 *
 * Targets come from a {@link NextTarget} provider, so the CLI can hand over `--target` folders
 * or ask for one, and the drive backends can hand over volumes they just unlocked.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { count, formatBytes, plural } from '../format.ts';
import { DiskError, DiskprepError, ExitCode, InterruptedError, UsageError } from '../errors.ts';
import { rootContainerProblem } from '../model/names.ts';
import {
  DEFAULT_DISPOSITION,
  type Disposition,
  type JobDescriptor,
  type JobSecrets,
  type ScannedFile,
} from '../model/job.ts';
import { containerSasValue } from '../model/containerSas.ts';
import type { DriveIdentity } from '../disk/types.ts';
import { describeIdentity, identityMismatch } from '../disk/identity.ts';
import { bitLockerKeyProblem } from '../model/bitlockerKey.ts';
import { type CopiedFile, copyFile, NoSpaceError, SMALL_FILE } from './copyFile.ts';
import { dataExtents } from './dataExtents.ts';
import {
  createInlineCopier,
  createWorkerCopier,
  DEFAULT_COPY_WORKERS,
  type ChunkCopier,
} from './chunkCopier.ts';
import { journalDir } from '../journal/layout.ts';
import {
  type CopyState,
  type DriveRecord,
  type PreparedDrive,
  readCopyState,
  toPrepared,
  writeCopyState,
} from '../journal/copyState.ts';
import { blobProblem } from './limits.ts';
import { MAX_DRIVES } from '../model/driveId.ts';
import { MANIFEST_FILE, MANIFEST_NAME } from '../model/names.ts';
import {
  blobXml,
  blobXmlEstimate,
  driveInfoXml,
  manifestCarriesCredential,
  type ManifestCredential,
  writeDriveManifest,
} from './manifest.ts';
import { driveManifestParts } from './journalManifest.ts';
import { sessionIdFor } from '../model/sessionId.ts';
import { identityChange, sourceIdentity } from './sourceIdentity.ts';
import { SourceLedger } from '../journal/sourceLedger.ts';
import { compareWalkPaths } from './walkOrder.ts';
import { walkJobFilesSync } from './walkSync.ts';
import { FreeSpace, isSparse } from './freeSpace.ts';
import { openBlobList, writeDriveInfo } from '../journal/driveFiles.ts';

/** Files per commit at most (bounds the list of unsynced paths and the work redone after a crash). */
export const COMMIT_FILES = 1000;
const COMMIT_BYTES = 256 * 1024 * 1024;
const COMMIT_MS = 2000;
const FUSE_SUPER_MAGIC = 0x65735546;

/** A mounted, unlocked volume to fill, and the drive it is. */
export interface TargetSpec {
  /** Root of the mounted volume. */
  path: string;
  /** The drive's hardware serial, no spaces. */
  driveId: string;
  /** The drive's 48-digit BitLocker recovery password. */
  bitLockerKey: string;
  /** BitLocker's cipher on the drive (`XtsAes128`), when the provider knows it. */
  encryptionMethod?: string;
  /** What identifies the disk and volume (drive backends); recorded before the first byte. */
  identity?: DriveIdentity;
}

/** What the engine asks a {@link NextTarget} provider for. */
export interface TargetRequest {
  /** 0-based drive number within the job. */
  index: number;
  /** Set when an interrupted drive is resumed: the provider must give that drive's volume. */
  resumeDriveId?: string;
  /** The resumed drive's recorded identity (undefined: recorded before identities were kept, or a --target). */
  resumeIdentity?: DriveIdentity;
  /** The drive just filled, when this request follows a full drive. */
  previous?: { driveId: string; path: string };
  /** What is left to copy (including the file that did not fit). */
  remaining: { files: number; bytes: number };
}

/** Supplies the next volume; undefined when there is none (the copy then stops, resumable). */
export type NextTarget = (request: TargetRequest) => Promise<TargetSpec | undefined>;

/** Progress after each file and each large chunk. */
export interface CopyProgress {
  drive: { index: number; driveId: string; files: number; bytes: number };
  done: { files: number; bytes: number };
  total: { files: number; bytes: number };
  /** Files skipped because an earlier run committed them. */
  resumedFiles: number;
}

/** Options of {@link copyJob}. */
export interface CopyJobOptions {
  staging: string;
  job: JobDescriptor;
  secrets: JobSecrets;
  nextTarget: NextTarget;
  /** Copy workers for large files; 0 copies on the main thread (default: {@link DEFAULT_COPY_WORKERS}). */
  copyWorkers?: number;
  /** Chunks each copy worker (or the main thread) has in flight (default: 8 in flight in all, see chunkCopier.ts). */
  chunksPerWorker?: number;
  /** Direct (unbuffered) I/O for large files where the file systems take it (default true). */
  directIo?: boolean;
  /** Check free space before each file (default). Off, only ENOSPC decides when a drive is full. */
  checkFreeSpace?: boolean;
  onProgress?: (p: CopyProgress) => void;
  /** Commit cadence (defaults: {@link COMMIT_FILES} files, 256 MiB, 2 s). */
  commitEvery?: { files?: number; bytes?: number; ms?: number };
  /** Called when a drive is complete (manifest written). */
  onDriveComplete?: (d: PreparedDrive, target: string) => void;
  /**
   * Test seam: runs for each file after its bytes were read and written, before its source is
   * stat'ed again (where another program's write would land unseen by the copy).
   */
  afterFileRead?: (file: { relPath: string; absPath: string }) => void;
}

/** Files an earlier run committed whose source changed since (at most {@link MAX_CHANGED_LISTED} named). */
export interface ChangedSinceCopied {
  count: number;
  /** `path (what changed)`, in walk order. */
  files: string[];
}

/** Names kept of files changed since an earlier run copied them (the count goes on). */
export const MAX_CHANGED_LISTED = 1000;

/** What {@link copyJob} did. */
export interface CopyJobResult {
  sessionId: string;
  drives: PreparedDrive[];
  /** Files and bytes of the whole job. */
  files: number;
  bytes: number;
  /** Files an earlier run had committed. */
  resumedFiles: number;
  /** Of those, the ones whose source changed since: the drive holds them as they were. */
  changedSinceCopied: ChangedSinceCopied;
}

/**
 * The manifest's credential from the job's secrets: none for a service that does not read one
 * ({@link manifestCarriesCredential}); else the key, or the SAS as `<container>?<token>`.
 */
export function manifestCredential(
  secrets: JobSecrets,
  job: Pick<JobDescriptor, 'name' | 'service' | 'container'>,
): ManifestCredential | undefined {
  if (!manifestCarriesCredential(job.service)) return undefined;
  if (secrets.storageAccountKey) return { storageAccountKey: secrets.storageAccountKey };
  if (secrets.containerSas)
    return { containerSas: containerSasValue(job.container, secrets.containerSas) };
  throw new UsageError(`job "${job.name}" has no storage account key or container SAS recorded`, {
    hint: 'the drive manifest of a classic job needs one: record it with diskprep init --force (--container-sas <container>?<sas>, or --storage-account-key <key>)',
  });
}

/**
 * The disposition of a copy: the one its journal recorded when the copy began (a resumed copy
 * keeps it, so every blob of a drive has the same), else the job's.
 */
function copyDisposition(
  deps: Deps,
  job: JobDescriptor,
  recorded: Disposition | undefined,
): Disposition {
  const wanted = job.disposition ?? DEFAULT_DISPOSITION;
  if (recorded !== undefined && recorded !== wanted) {
    deps.terminal.warn(
      `job "${job.name}" now says --disposition ${wanted}, but its copy began with ${recorded}: the copy keeps ${recorded} (start the copy over to change it)`,
    );
  }
  return recorded ?? wanted;
}

/** Walks the job once: totals, and every file the service could not import, before copying. */
export async function scanJob(
  deps: Deps,
  staging: string,
  job: JobDescriptor,
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const problems: string[] = [];
  let more = 0;
  for (const f of walkJobFilesSync(staging, job)) {
    files++;
    bytes += f.size;
    const root = rootContainerProblem(job.container, f.relPath);
    const p = blobProblem(f.relPath, f.size, f.blobType) ?? (root && `${f.relPath}: ${root}`);
    if (p) {
      if (problems.length < 5) problems.push(p);
      else more++;
    }
  }
  if (problems.length > 0) {
    throw new UsageError(
      `${count(problems.length + more, 'file')} cannot be imported: ${problems.join('; ')}${more ? `; and ${more} more` : ''}`,
      {
        hint: 'fix them in the staging location, then run the same command again; nothing was copied',
      },
    );
  }
  return { files, bytes };
}

/** Copies (or resumes copying) a job onto the volumes `nextTarget` supplies. */
export async function copyJob(deps: Deps, opts: CopyJobOptions): Promise<CopyJobResult> {
  const session = await CopySession.open(deps, opts);
  return session.run();
}

/** The files copied since the last commit: on their drive, not yet in the journal. */
interface Batch {
  /** Their `<Blob>` elements, appended to the drive's blob file at the commit. */
  xml: string[];
  xmlBytes: number;
  files: number;
  bytes: number;
  /** The last one in walk order (the cursor after the commit). */
  last: string | null;
  /** Copied files not yet made durable (small files: one barrier at the commit). */
  unsynced: string[];
  /** When the batch began (monotonic ms). */
  started: number;
}

function emptyBatch(started: number): Batch {
  return { xml: [], xmlBytes: 0, files: 0, bytes: 0, last: null, unsynced: [], started };
}

/**
 * One run of the copy: the journal's state, the drive being filled and the batch not yet
 * committed live in fields; each phase of the commit protocol is a method.
 */
class CopySession {
  private readonly deps: Deps;
  private readonly opts: CopyJobOptions;
  /** The journal's copy state: the cursor and counters move only at a commit. */
  private readonly state: CopyState;
  private readonly credential: ManifestCredential | undefined;
  /** Every blob of the copy gets the disposition recorded when it began. */
  private readonly disposition: Disposition;
  private readonly staging: string;
  private readonly job: JobDescriptor;
  /** Files an earlier run committed. */
  private readonly resumedFiles: number;
  private readonly changedSinceCopied: ChangedSinceCopied = { count: 0, files: [] };
  private total = { files: 0, bytes: 0 };
  // The drive being filled.
  private drive: DriveRecord | undefined;
  private target = '';
  private blobsFh: fsp.FileHandle | undefined;
  private fuse = false;
  private space: FreeSpace | undefined;
  private batch: Batch = emptyBatch(0);
  // Committed files of an earlier run, walked past again before copying goes on.
  private skipped = 0;
  private skipChecked: boolean;
  private ledger!: SourceLedger;
  private copier!: ChunkCopier;

  private constructor(
    deps: Deps,
    opts: CopyJobOptions,
    state: CopyState & { disposition: Disposition },
    credential: ManifestCredential | undefined,
  ) {
    this.deps = deps;
    this.opts = opts;
    this.state = state;
    this.credential = credential;
    this.disposition = state.disposition;
    this.staging = opts.staging;
    this.job = opts.job;
    this.resumedFiles = state.cursor.files;
    this.skipChecked = state.cursor.relPath === null;
  }

  /** Reads the job's journal (or starts one): the copy state and the disposition it keeps. */
  static async open(deps: Deps, opts: CopyJobOptions): Promise<CopySession> {
    const { staging, job } = opts;
    const sessionId = sessionIdFor(job.name);
    const credential = manifestCredential(opts.secrets, job);
    const existing = await readCopyState(deps, staging, job.name);
    const state: CopyState = existing ?? {
      version: 1,
      job: job.name,
      sessionId,
      cursor: { relPath: null, files: 0, bytes: 0 },
      drives: [],
      complete: false,
    };
    const disposition = copyDisposition(deps, job, existing?.disposition);
    return new CopySession(deps, opts, Object.assign(state, { disposition }), credential);
  }

  /** Copies what is left, drive after drive, and marks the copy complete. */
  async run(): Promise<CopyJobResult> {
    if (this.state.complete) return this.result();
    await this.start();
    try {
      await this.resumeOpenDrive();
      for (const f of walkJobFilesSync(this.staging, this.job)) {
        if (this.skipCommitted(f)) continue;
        if (this.deps.signal.aborted) {
          await this.commit();
          throw new InterruptedError('interrupted: the copy stopped after the last finished file', {
            hint: 'run the same command again to resume',
          });
        }
        await this.place(f);
        this.progress();
        if (this.commitDue()) await this.commit();
      }
      await this.finish();
    } finally {
      await this.blobsFh?.close();
      await this.copier.close();
      this.ledger.close();
    }
    return this.result();
  }

  /** Totals (refusing files the service could not import), the ledger and the copier. */
  private async start(): Promise<void> {
    const { deps, staging, job, opts } = this;
    this.total = await scanJob(deps, staging, job);
    if (this.total.files === 0) {
      throw new UsageError(`job "${job.name}" has no files to copy`, {
        hint: 'check the staging location (and the job descriptor\'s "data" folder)',
      });
    }
    this.batch = emptyBatch(deps.clock.monotonic());
    fs.mkdirSync(journalDir(staging, job.name), { recursive: true });
    this.ledger = SourceLedger.open(staging, job.name, this.state.cursor.files);
    this.copier =
      (opts.copyWorkers ?? DEFAULT_COPY_WORKERS) === 0
        ? createInlineCopier(opts.chunksPerWorker)
        : createWorkerCopier(opts.copyWorkers ?? DEFAULT_COPY_WORKERS, opts.chunksPerWorker);
  }

  /** The last run's drive that is not complete, if any: asked for first, to be filled on. */
  private async resumeOpenDrive(): Promise<void> {
    const open = this.state.drives.find((d) => !d.complete);
    if (!open) return;
    const spec = await this.opts.nextTarget({
      index: open.index,
      resumeDriveId: open.driveId,
      ...(open.disk ? { resumeIdentity: open.disk } : {}),
      remaining: this.remaining(),
    });
    if (!spec) throw noMoreTargets(open.index, this.remaining());
    await this.useTarget(spec, open);
  }

  /**
   * True for a file an earlier run committed (walked past, checked against the ledger). The
   * first file past the cursor checks that as many files came before it as were committed.
   */
  private skipCommitted(f: ScannedFile): boolean {
    if (this.skipChecked) return false;
    if (compareWalkPaths(f.relPath, this.state.cursor.relPath!) <= 0) {
      this.skipped++;
      this.checkCommitted(f);
      return true;
    }
    this.checkSkip();
    return false;
  }

  private checkSkip(): void {
    const { cursor } = this.state;
    if (this.skipped !== cursor.files)
      throw stagingChanged(
        `${count(this.skipped, 'file')} ${plural(this.skipped, 'comes', 'come')} before ${cursor.relPath} now, ${cursor.files} did then`,
      );
    this.skipChecked = true;
    warnChangedSinceCopied(this.deps, this.changedSinceCopied);
  }

  /** A file an earlier run committed: is it still what the drive holds? */
  private checkCommitted(f: { relPath: string; absPath: string }): void {
    const rec = this.ledger.nextCommitted();
    if (!rec) return;
    if (rec.relPath !== f.relPath)
      throw stagingChanged(`${f.relPath} is where ${rec.relPath}, which is on the drive, was`);
    // Size and times only: inode and device numbers change when the share is mounted again.
    const what = identityChange(rec.source, sourceIdentity(f.relPath, f.absPath), {
      sameMount: false,
    });
    if (!what) return;
    const changed = this.changedSinceCopied;
    changed.count++;
    if (changed.files.length < MAX_CHANGED_LISTED) changed.files.push(`${f.relPath} (${what})`);
  }

  /** Puts one file on a drive: the current one, else (full) the next one. */
  private async place(f: ScannedFile): Promise<void> {
    for (;;) {
      if (!this.drive) await this.nextDrive();
      const d = this.drive!;
      const onDrive = d.files + this.batch.files;
      if ((await this.hasRoom(f, d)) && (await this.copyOne(f))) return;
      if (onDrive === 0) throw tooBig(f.relPath, f.size, this.target);
      // A run that died may have left this file cut short at its name on this drive.
      fs.rmSync(this.destination(f), { force: true });
      await this.closeDrive();
      await this.nextDrive(d);
    }
  }

  /** Free space for the file and the manifest as it will be with it (unless not checked). */
  private async hasRoom(f: ScannedFile, d: DriveRecord): Promise<boolean> {
    if (this.opts.checkFreeSpace === false) return true;
    const estimate = blobXmlEstimate(Buffer.byteLength(f.relPath), f.size);
    try {
      return this.space!.fits(f, d.blobsBytes + this.batch.xmlBytes + estimate);
    } catch (err) {
      // The source went away since the walk: the files copied so far still count.
      await this.commit();
      throw err;
    }
  }

  /** Copies the file onto the drive into the batch; false when the drive ran out of space. */
  private async copyOne(f: ScannedFile): Promise<boolean> {
    const { deps, opts } = this;
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
          ...(extents ? { dataExtents: extents } : {}),
          ...(opts.afterFileRead ? { afterRead: () => opts.afterFileRead!(f) } : {}),
        },
        {
          copier: this.copier,
          directIo: opts.directIo ?? true,
          onBytes: (n) => this.progress(n),
          clock: deps.clock,
        },
      );
      this.addToBatch(f, dst, copied);
      return true;
    } catch (err) {
      if (!(err instanceof NoSpaceError)) {
        await this.commit();
        throw err;
      }
      return false;
    }
  }

  /** Where `f` goes on the drive being filled. */
  private destination(f: ScannedFile): string {
    return path.join(this.target, this.state.sessionId, ...f.relPath.split('/'));
  }

  private addToBatch(f: ScannedFile, dst: string, copied: CopiedFile): void {
    const xml = blobXml({
      blobPath: blobPathFor(this.job, f.relPath),
      filePath: `\\${this.state.sessionId}\\${f.relPath.split('/').join('\\')}`,
      length: copied.size,
      disposition: this.disposition,
      kind: f.blobType,
      ranges: copied.ranges,
    });
    const b = this.batch;
    b.xml.push(xml);
    b.xmlBytes += Buffer.byteLength(xml);
    b.files++;
    b.bytes += copied.size;
    b.last = f.relPath;
    this.ledger.add(f.relPath, copied.source);
    if (copied.unsynced) b.unsynced.push(dst);
  }

  private commitDue(): boolean {
    const every = this.opts.commitEvery;
    return (
      this.batch.files >= (every?.files ?? COMMIT_FILES) ||
      this.batch.bytes >= (every?.bytes ?? COMMIT_BYTES) ||
      this.deps.clock.monotonic() - this.batch.started >= (every?.ms ?? COMMIT_MS)
    );
  }

  /** Steps 2-4 of the commit protocol for the batch (see the top of this file). */
  private async commit(): Promise<void> {
    const { drive, batch, state } = this;
    if (!drive || batch.files === 0) return;
    await this.barrier();
    const data = Buffer.from(batch.xml.join(''), 'utf8');
    await this.blobsFh!.write(data);
    await this.blobsFh!.datasync();
    this.ledger.flush();
    drive.blobsBytes += data.length;
    drive.files += batch.files;
    drive.bytes += batch.bytes;
    state.cursor = {
      relPath: batch.last,
      files: state.cursor.files + batch.files,
      bytes: state.cursor.bytes + batch.bytes,
    };
    await writeCopyState(this.deps, this.staging, state);
    this.batch = emptyBatch(this.deps.clock.monotonic());
    this.space?.invalidate();
  }

  /** Makes the batch's small files durable. */
  private async barrier(): Promise<void> {
    const { batch } = this;
    if (batch.unsynced.length === 0) return;
    if (this.deps.platform === 'linux' && !this.fuse) {
      // syncfs(2) of the target: one call makes the whole batch (data, renames) durable.
      const r = await this.deps.exec.run('sync', ['-f', this.target], { reject: false });
      if (r.exitCode === 0) {
        batch.unsynced = [];
        return;
      }
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

  /** Asks for the next drive (after `previous`, when that one is full). */
  private async nextDrive(previous?: DriveRecord): Promise<void> {
    const index = this.state.drives.length;
    if (index >= MAX_DRIVES) {
      const r = this.remaining();
      throw new DiskprepError(
        `job "${this.job.name}" needs more than ${MAX_DRIVES} drives: ${count(r.files, 'file')} (${formatBytes(r.bytes)}) ${plural(r.files, 'remains', 'remain')} after drive ${MAX_DRIVES}`,
        ExitCode.failure,
        {
          code: 'ERR_DISKPREP_TOO_MANY_DRIVES',
          hint: 'an import job takes at most 10 drives: use larger drives, or split the data into two jobs (diskprep init with --data)',
          details: { remainingFiles: r.files, remainingBytes: r.bytes },
        },
      );
    }
    const spec = await this.opts.nextTarget({
      index,
      remaining: this.remaining(),
      ...(previous ? { previous: { driveId: previous.driveId, path: previous.target } } : {}),
    });
    if (!spec) throw noMoreTargets(index, this.remaining());
    await this.useTarget(spec, undefined);
  }

  /** Makes `spec` the drive being filled: the resumed drive `d`, else a new drive of the job. */
  private async useTarget(spec: TargetSpec, d: DriveRecord | undefined): Promise<void> {
    const root = path.resolve(this.deps.cwd, spec.path);
    await checkTarget(this.deps, root, this.staging);
    checkSpec(this.deps, spec);
    if (d) await this.resumeDrive(spec, d, root);
    else await this.addDrive(spec, root);
    this.target = root;
    this.space = new FreeSpace(root);
    try {
      this.fuse = fs.statfsSync(root).type === FUSE_SUPER_MAGIC;
    } catch {
      this.fuse = false;
    }
    await this.openBlobs(this.drive!);
  }

  /** Resuming an interrupted drive: it must be the same drive, with this job's folder on it. */
  private async resumeDrive(spec: TargetSpec, d: DriveRecord, root: string): Promise<void> {
    const { job, state } = this;
    if (spec.driveId !== d.driveId) {
      throw new UsageError(
        `drive ${d.index + 1} of job "${job.name}" is ${d.driveId}, not ${spec.driveId}`,
        {
          hint: `mount drive ${d.driveId} and give it first (its --target and --drive-id)`,
        },
      );
    }
    const diff = spec.identity ? identityMismatch(d.disk, spec.identity) : undefined;
    if (diff !== undefined) {
      throw new UsageError(
        `the disk given for drive ${d.driveId} is not the one its copy began on (${diff})`,
        {
          hint: `attach drive ${d.driveId} (${describeIdentity(d.disk)}) and name it with --drive`,
        },
      );
    }
    if (spec.bitLockerKey !== d.bitLockerKey) {
      throw new UsageError(
        `the BitLocker key given for drive ${d.driveId} is not the one recorded when its copy began`,
        {
          hint: 'pass the same --bitlocker-key as the first run',
        },
      );
    }
    if (d.files > 0 && !(await exists(path.join(root, state.sessionId)))) {
      throw new UsageError(
        `${root} does not hold ${state.sessionId}${path.sep}, the folder drive ${d.driveId} was being filled with`,
        {
          hint: `mount drive ${d.driveId} there (is it the right drive, unlocked?)`,
        },
      );
    }
    d.target = root;
    // A drive recorded before identities were kept gets one now, before more is copied.
    if (!d.disk && spec.identity) {
      d.disk = spec.identity;
      await writeCopyState(this.deps, this.staging, state);
    }
    this.drive = d;
  }

  /** A new drive: empty of this and other jobs, recorded before the first byte lands on it. */
  private async addDrive(spec: TargetSpec, root: string): Promise<void> {
    const { state } = this;
    const index = state.drives.length;
    if (state.drives.some((x) => x.driveId === spec.driveId)) {
      throw new UsageError(
        `drive ${spec.driveId} is already drive ${state.drives.find((x) => x.driveId === spec.driveId)!.index + 1} of this job`,
        {
          hint: 'give another drive (each drive has its own --drive-id)',
        },
      );
    }
    if (await exists(path.join(root, state.sessionId))) {
      throw new UsageError(
        `${root} already holds a folder ${state.sessionId} that this job's journal has no record of`,
        {
          hint: 'give an empty drive, or remove that folder if it is left over from a copy you started over',
        },
      );
    }
    if (await exists(path.join(root, MANIFEST_NAME))) {
      throw new UsageError(
        `${root} already holds a drive manifest (${MANIFEST_NAME}), probably of another job`,
        {
          hint: 'give an empty drive: one drive carries one job',
        },
      );
    }
    this.drive = {
      index,
      driveId: spec.driveId,
      bitLockerKey: spec.bitLockerKey,
      target: root,
      blobsBytes: 0,
      files: 0,
      bytes: 0,
      complete: false,
      manifestFile: MANIFEST_FILE,
      ...(spec.encryptionMethod ? { encryptionMethod: spec.encryptionMethod } : {}),
      ...(spec.identity ? { disk: spec.identity } : {}),
    };
    state.drives.push(this.drive);
    // Recorded before the first byte lands on the drive.
    await writeCopyState(this.deps, this.staging, state);
  }

  /** The drive's blob file, cut back to what the journal committed. */
  private async openBlobs(d: DriveRecord): Promise<void> {
    this.blobsFh = await openBlobList(this.staging, this.job.name, d.index, d.blobsBytes);
  }

  /** Commits, writes the drive's manifest and drive-info XML, and marks the drive complete. */
  private async closeDrive(): Promise<void> {
    const { deps, staging, job, drive, target } = this;
    if (!drive) return;
    await this.commit();
    await this.blobsFh?.close();
    this.blobsFh = undefined;
    let hash: string;
    try {
      hash = await writeDriveManifest({
        target,
        ...driveManifestParts(deps, staging, job.name, drive, this.credential),
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
    await writeCopyState(deps, staging, this.state);
    this.opts.onDriveComplete?.(toPrepared(drive), target);
    this.drive = undefined;
  }

  /** Every file walked: the last checks, the last drive closed, the copy complete. */
  private async finish(): Promise<void> {
    if (!this.skipChecked) this.checkSkip();
    await this.closeDrive();
    this.state.complete = true;
    await writeCopyState(this.deps, this.staging, this.state);
  }

  private progress(extraBytes = 0): void {
    const { drive, batch, state } = this;
    if (!this.opts.onProgress || !drive) return;
    this.opts.onProgress({
      drive: {
        index: drive.index,
        driveId: drive.driveId,
        files: drive.files + batch.files,
        bytes: drive.bytes + batch.bytes + extraBytes,
      },
      done: {
        files: state.cursor.files + batch.files,
        bytes: state.cursor.bytes + batch.bytes + extraBytes,
      },
      total: this.total,
      resumedFiles: this.resumedFiles,
    });
  }

  private remaining(): { files: number; bytes: number } {
    return {
      files: this.total.files - this.state.cursor.files - this.batch.files,
      bytes: this.total.bytes - this.state.cursor.bytes - this.batch.bytes,
    };
  }

  private result(): CopyJobResult {
    const { state } = this;
    return {
      sessionId: state.sessionId,
      drives: state.drives.map(toPrepared),
      files: state.cursor.files,
      bytes: state.cursor.bytes,
      resumedFiles: this.resumedFiles,
      changedSinceCopied: this.changedSinceCopied,
    };
  }
}

/** A target's BitLocker key and drive id are well formed (the key is redacted from here on). */
function checkSpec(deps: Deps, spec: TargetSpec): void {
  const keyProblem = bitLockerKeyProblem(spec.bitLockerKey);
  if (keyProblem)
    throw new UsageError(`BitLocker key of drive ${spec.driveId}: ${keyProblem}`, {
      hint: "pass the drive's recovery password with --bitlocker-key",
    });
  deps.redactor.add(spec.bitLockerKey);
  if (/\s/.test(spec.driveId) || spec.driveId === '') {
    throw new UsageError(`drive id "${spec.driveId}" contains spaces`, {
      hint: 'give the hardware serial number without spaces (--drive-id)',
    });
  }
}

function stagingChanged(detail: string): UsageError {
  return new UsageError(`the staging data changed since the copy began: ${detail}`, {
    hint: 'restore the staging location as it was, or start the job over (delete its journal folder and the copied data)',
  });
}

/**
 * One warning naming the files an earlier run put on a drive whose source has changed since.
 * The drive and its manifest agree with each other (the service imports the earlier content),
 * so the copy goes on; the operator decides whether the new content must reach Azure.
 */
function warnChangedSinceCopied(deps: Deps, changed: ChangedSinceCopied): void {
  if (changed.count === 0) return;
  const shown = changed.files.slice(0, 3).join(', ');
  const more = changed.count > 3 ? ` and ${changed.count - 3} more (--json lists them)` : '';
  deps.terminal.warn(
    `${count(changed.count, 'file')} copied in an earlier run changed in the staging location since: ${shown}${more}; the drive holds ${plural(changed.count, 'it as it was', 'them as they were')}, and its manifest lists that content`,
  );
  deps.terminal.info(
    '    fix: if the new content must reach Azure, copy those files in a new job (diskprep init --data) or start this job over',
  );
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

function tooBig(relPath: string, size: number, target: string): DiskprepError {
  return new DiskError(
    `${relPath} (${formatBytes(size)}) does not fit on the empty drive at ${target}`,
    {
      code: 'ERR_DISKPREP_FILE_TOO_BIG',
      hint: 'use a larger drive for it',
    },
  );
}

function noMoreTargets(index: number, r: { files: number; bytes: number }): DiskprepError {
  return new DiskprepError(
    `drive ${index + 1} is needed: ${count(r.files, 'file')} (${formatBytes(r.bytes)}) ${plural(r.files, 'remains', 'remain')} to copy`,
    ExitCode.needsAnswer,
    {
      code: 'ERR_DISKPREP_NEEDS_DRIVE',
      hint: 'run the same command again with one more --target, --drive-id and --bitlocker-key: it resumes where it stopped',
      details: { remainingFiles: r.files, remainingBytes: r.bytes },
    },
  );
}

async function checkTarget(deps: Deps, root: string, staging: string): Promise<void> {
  let st;
  try {
    st = await deps.fs.stat(root);
  } catch {
    throw new UsageError(`target ${root} does not exist`, {
      hint: 'give the folder where the unlocked drive is mounted (--target)',
    });
  }
  if (!st.isDirectory())
    throw new UsageError(`target ${root} is not a folder`, {
      hint: 'give the mount point of the drive (--target)',
    });
  const s = path.resolve(staging);
  const inside = (a: string, b: string): boolean =>
    a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
  if (inside(root, s) || inside(s, root)) {
    throw new UsageError(`target ${root} and the staging location ${s} overlap`, {
      hint: 'the target must be a separate drive',
    });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
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
