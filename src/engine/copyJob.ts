/**
 * The copy engine: copies a job's data onto one or more mounted volumes in walk order, one
 * pass per byte, writes each drive's manifest, and keeps a resumable journal in the staging
 * location.
 *
 * Several drives can be filled at once (`drivesAtOnce`): the plan gives each drive ranges of
 * the walk (lanePlan.ts) and each is a lane (driveLane.ts) with its own batch, blob file,
 * source ledger and cursor; one drive stopping short gives its rest back to the plan.
 *
 * Commit protocol, per drive (the journal is the truth; a file counts only once committed):
 * 1. each file is written (a large one under a temporary name, renamed when complete; a small
 *    one at its name: see copyFile.ts);
 * 2. a batch of files (≤ {@link COMMIT_FILES} files, ≤ 256 MiB, ≤ 2 s) is made durable: large
 *    files were fdatasync'ed as they finished, small ones get one barrier (syncfs on Linux, an
 *    fsync per file elsewhere);
 * 3. the batch's `<Blob>` elements are appended to the drive's blob file and fdatasync'ed;
 * 4. the state (the drive's cursor, counts, blob-file length; every drive's record) is replaced
 *    atomically, one write at a time.
 * Steps 2-4 of a batch run while the drive's next batch is copied (one commit in flight per
 * drive): the files of that next batch are past the cursor until their own commit.
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
import { DiskprepError, ExitCode, UsageError } from '../errors.ts';
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
  type FileRange,
  type PreparedDrive,
  readCopyState,
  toPrepared,
  writeCopyState,
} from '../journal/copyState.ts';
import { blobProblem } from './limits.ts';
import { MAX_DRIVES } from '../model/driveId.ts';
import { MANIFEST_FILE, MANIFEST_NAME } from '../model/names.ts';
import { blobXmlEstimate, manifestCarriesCredential, type ManifestCredential } from './manifest.ts';
import { sessionIdFor } from '../model/sessionId.ts';
import { walkJobFilesSync } from './walkSync.ts';
import { compareWalkPaths } from './walkOrder.ts';
import { type ChangedSinceCopied, DriveLane, type LaneEnd, type LaneHost } from './driveLane.ts';
import { giveUpDrives, openDrives } from './giveUp.ts';
import {
  fileSpace,
  inRanges,
  mergeRanges,
  planLanes,
  rangesTouchFolder,
  sequentialRanges,
  WHOLE_WALK,
} from './lanePlan.ts';

export { COMMIT_FILES, MAX_CHANGED_LISTED, blobPathFor } from './driveLane.ts';
export type { ChangedSinceCopied } from './driveLane.ts';

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
  /**
   * The drive that just ended, when this request follows one: `full` (no room for the next
   * file), `done` (its part of the plan copied) or `failed` (its own failure; what it committed
   * stays on it).
   */
  previous?: { driveId: string; path: string; ended: LaneEnd['kind'] };
  /** What is left to copy (including the file that did not fit). */
  remaining: { files: number; bytes: number };
}

/** Supplies the next volume; undefined when there is none (the copy then stops, resumable). */
export type NextTarget = (request: TargetRequest) => Promise<TargetSpec | undefined>;

/** One drive's part of {@link CopyProgress}. */
export interface DriveProgress {
  index: number;
  driveId: string;
  /** On the drive (committed or not). */
  files: number;
  bytes: number;
  /** Bytes the plan gave it, when it was planned (the drive taking what remains has none). */
  planned?: number;
}

/** Progress after each file and each large chunk. */
export interface CopyProgress {
  /** The drive this report is about. */
  drive: DriveProgress;
  /** Every drive being filled. */
  drives?: DriveProgress[];
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
  /**
   * Drives to fill at the same time (default 1: one after another). The plan splits the files
   * between the drives given at once; drives left open by an earlier run are resumed first.
   */
  drivesAtOnce?: number;
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
  /**
   * The job's totals from a {@link JobTally} the caller fed from a walk made just before: the
   * copy does not walk the data for them again.
   */
  scanned?: { files: number; bytes: number };
  /**
   * `--give-up-drive`: open drives (failed or interrupted) the operator gives up; their files go
   * back to the plan before the copy resumes (giveUp.ts). Checked and confirmed by the caller.
   */
  giveUp?: readonly string[];
}

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

/**
 * Totals of the job's files, and every file the service could not import, counted as a walk
 * passes them: {@link scanJob} walks for it, and prepare feeds it from the walk that checks
 * the names (staging/validate.ts), so a first copy walks the data once before copying, not twice.
 */
export class JobTally {
  files = 0;
  bytes = 0;
  private readonly problems: string[] = [];
  private more = 0;
  private readonly job: Pick<JobDescriptor, 'container'>;
  constructor(job: Pick<JobDescriptor, 'container'>) {
    this.job = job;
  }

  /** Counts one file of the walk. */
  add(f: Pick<ScannedFile, 'relPath' | 'size' | 'blobType'>): void {
    this.files++;
    this.bytes += f.size;
    const root = rootContainerProblem(this.job.container, f.relPath);
    const p = blobProblem(f.relPath, f.size, f.blobType) ?? (root && `${f.relPath}: ${root}`);
    if (p) {
      if (this.problems.length < 5) this.problems.push(p);
      else this.more++;
    }
  }

  /** The totals; throws a usage error naming the first files that cannot be imported. */
  totals(): { files: number; bytes: number } {
    const { problems, more } = this;
    if (problems.length > 0) {
      throw new UsageError(
        `${count(problems.length + more, 'file')} cannot be imported: ${problems.join('; ')}${more ? `; and ${more} more` : ''}`,
        {
          hint: 'fix them in the staging location, then run the same command again; nothing was copied',
        },
      );
    }
    return { files: this.files, bytes: this.bytes };
  }
}

/** Walks the job once: totals, and every file the service could not import, before copying. */
export async function scanJob(
  deps: Deps,
  staging: string,
  job: JobDescriptor,
): Promise<{ files: number; bytes: number }> {
  const tally = new JobTally(job);
  for (const f of walkJobFilesSync(staging, job)) tally.add(f);
  return tally.totals();
}

/** Copies (or resumes copying) a job onto the volumes `nextTarget` supplies. */
export async function copyJob(deps: Deps, opts: CopyJobOptions): Promise<CopyJobResult> {
  const session = await CopySession.open(deps, opts);
  return session.run();
}

/**
 * One run of the copy: the journal's state, the drives being filled (one {@link DriveLane}
 * each, several at once when several drives are given) and the plan of the files no drive has
 * yet. Each lane commits on its own; the state file holds every lane's record.
 */
class CopySession implements LaneHost {
  readonly deps: Deps;
  private readonly opts: CopyJobOptions;
  /** The journal's copy state: each drive's record moves only at its lane's commits. */
  private readonly state: CopyState;
  readonly credential: ManifestCredential | undefined;
  /** Every blob of the copy gets the disposition recorded when it began. */
  readonly disposition: Disposition;
  readonly staging: string;
  readonly job: JobDescriptor;
  readonly sessionId: string;
  readonly directIo: boolean;
  readonly checkFreeSpace: boolean;
  readonly commitEvery: CopyJobOptions['commitEvery'];
  readonly changedSinceCopied: ChangedSinceCopied = { count: 0, files: [] };
  readonly afterFileRead: CopyJobOptions['afterFileRead'];
  readonly onDriveComplete: CopyJobOptions['onDriveComplete'];
  /** Files an earlier run committed. */
  private readonly resumedFiles: number;
  /** Drives filled at once. */
  private readonly width: number;
  private total = { files: 0, bytes: 0 };
  copier!: ChunkCopier;
  private readonly lanes = new Set<DriveLane>();
  /** The first error that stops the whole copy (the lanes then stop after their file). */
  private stopError: { error: unknown } | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** Drives that failed in this run. */
  private readonly failures: { drive: DriveRecord; reason: string }[] = [];
  /**
   * The provider had no more drives when asked for the first ones: asked again only when a
   * drive completes (interactively, the operator then attaches the next).
   */
  private noMoreDrives = false;
  /**
   * The hint of the provider's "one more drive is needed" (a script given no more `--drive`),
   * met while other drives filled (noDriveNow): said at the end, once they have finished.
   */
  private needsDriveHint: string | undefined;
  /**
   * Drives given that the plan left empty (the others had room for all): taken first when files
   * come back to the plan (a drive failed), before the provider is asked for another.
   */
  private readonly spares: { spec: TargetSpec; root: string }[] = [];

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
    this.sessionId = state.sessionId;
    this.directIo = opts.directIo ?? true;
    this.checkFreeSpace = opts.checkFreeSpace !== false;
    this.commitEvery = opts.commitEvery;
    this.afterFileRead = opts.afterFileRead;
    this.onDriveComplete = opts.onDriveComplete;
    this.resumedFiles = state.cursor.files;
    this.width = Math.max(1, Math.min(MAX_DRIVES, opts.drivesAtOnce ?? 1));
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

  get shared(): boolean {
    return this.lanes.size > 1;
  }

  get drivesFilling(): number {
    return this.lanes.size;
  }

  /** Copies what is left, on as many drives at once as were given, and marks the copy complete. */
  async run(): Promise<CopyJobResult> {
    if (this.state.complete) return this.result();
    await this.start();
    try {
      await this.fillAll();
    } finally {
      await this.copier.close();
    }
    this.checkAllPlaced();
    this.state.complete = true;
    await this.saveState();
    return this.result();
  }

  /** Totals (refusing files the service could not import), the plan so far, the copier. */
  private async start(): Promise<void> {
    const { deps, staging, job, opts, state } = this;
    this.total = opts.scanned ?? (await scanJob(deps, staging, job));
    if (this.total.files === 0) {
      throw new UsageError(`job "${job.name}" has no files to copy`, {
        hint: 'check the staging location (and the job descriptor\'s "data" folder)',
      });
    }
    fs.mkdirSync(journalDir(staging, job.name), { recursive: true });
    if (state.drives.some((d) => d.ranges === undefined)) {
      // A journal of drives filled one after another: each drive's files are the next ones.
      const seq = sequentialRanges(walkJobFilesSync(staging, job), state.drives);
      state.drives.forEach((d, i) => {
        d.ranges = seq.ranges[i]!;
        d.cursor = seq.cursors[i]!;
      });
      state.pending = seq.pending;
    }
    state.pending ??= [...WHOLE_WALK];
    await this.giveUp();
    this.copier =
      (opts.copyWorkers ?? DEFAULT_COPY_WORKERS) === 0
        ? createInlineCopier(opts.chunksPerWorker)
        : createWorkerCopier(opts.copyWorkers ?? DEFAULT_COPY_WORKERS, opts.chunksPerWorker);
  }

  /** Gives up the drives the operator named, saved before anything else happens. */
  private async giveUp(): Promise<void> {
    const gone = giveUpDrives(this.state, this.opts.giveUp ?? [], this.deps.clock.now());
    if (gone.length === 0) return;
    await this.saveState();
    for (const d of gone)
      this.deps.terminal.warn(
        `drive ${d.index + 1} (${d.driveId}) given up: the ${count(d.files, 'file')} it holds go to the drives still to come; it is in no import job`,
      );
  }

  /**
   * The drives left open by an earlier run first (each asked for), then new drives for the
   * files no drive has, up to {@link width} at once; when a drive ends and files remain
   * unplanned, the next drive is asked for while the others go on.
   */
  private async fillAll(): Promise<void> {
    const running = new Map<DriveLane, Promise<{ lane: DriveLane; end?: LaneEnd }>>();
    const launch = (lane: DriveLane): void => {
      this.lanes.add(lane);
      running.set(
        lane,
        lane.run().then(
          (end) => ({ lane, end }),
          (error: unknown) => {
            this.stopError ??= { error };
            return { lane };
          },
        ),
      );
    };
    try {
      // Every interrupted drive is opened before any starts: a lane copying small files keeps
      // the event loop busy, and the next drive's unlock and mount (or its question) would wait
      // for the first to finish, one drive after the other.
      const resumed: DriveLane[] = [];
      for (const d of openDrives(this.state)) {
        const lane = await this.resumeLane(d);
        this.lanes.add(lane); // seen by checkedTarget: one drive is not given twice
        resumed.push(lane);
      }
      resumed.forEach(launch);
      if (this.lanes.size < this.width && this.hasPending())
        for (const l of await this.newLanes(this.width - this.lanes.size)) launch(l);
    } catch (err) {
      this.stopError ??= { error: err };
    }
    while (running.size > 0) {
      const { lane, end } = await Promise.race(running.values());
      running.delete(lane);
      this.lanes.delete(lane);
      if (end) await this.laneEnded(lane, end);
      if (this.stopError || !this.hasPending()) continue;
      try {
        const previous = { drive: lane.drive, ended: end?.kind ?? 'failed' };
        for (const l of await this.newLanes(1, previous)) launch(l);
      } catch (err) {
        this.stopError ??= { error: err };
      }
    }
    warnChangedSinceCopied(this.deps, this.changedSinceCopied);
    if (this.stopError) throw this.stopError.error;
  }

  /**
   * The provider's "one more drive is needed" (a script given no more `--drive`) while drives
   * are filling, were just given, or one failed: no drive now (undefined, as a provider with no
   * more), not a reason to stop the others; checkAllPlaced then ends the run with exit 5 naming
   * the failed drive, or with the drive needed and the provider's hint. Else `err` is thrown.
   */
  private noDriveNow(err: unknown, given: number): undefined {
    const needs = err instanceof DiskprepError && err.code === 'ERR_DISKPREP_NEEDS_DRIVE';
    if (!needs || given + this.lanes.size + this.failures.length === 0) throw err;
    this.needsDriveHint = err.hint;
    return undefined;
  }

  /** A lane's end: what it did not copy goes back to the plan. */
  private async laneEnded(lane: DriveLane, end: LaneEnd): Promise<void> {
    if (end.kind === 'done') return;
    this.state.pending = mergeRanges(this.state.pending ?? [], end.rest);
    const d = lane.drive;
    const name = `drive ${d.index + 1} (${d.driveId})`;
    this.deps.terminal.clearStatus();
    if (end.kind === 'failed') {
      this.failures.push({ drive: d, reason: end.reason });
      this.deps.terminal.error(
        `${name} failed: ${end.reason}; the ${count(d.files, 'file')} committed on it stay, the rest of its files go to the drives still to come`,
      );
    } else if (lane.planned !== undefined) {
      // Full before its plan (ENOSPC, or less room than statfs said): closed with what it holds.
      const reason = `ran out of space at ${end.file}, before the files planned for it`;
      this.failures.push({ drive: d, reason });
      this.deps.terminal.warn(
        `${name} ${reason}: closed with ${count(d.files, 'file')}; the rest of its files go to the drives still to come`,
      );
    }
    await this.saveState();
  }

  private hasPending(): boolean {
    return (this.state.pending ?? []).length > 0;
  }

  /** An interrupted drive of an earlier run, asked for and checked. */
  private async resumeLane(d: DriveRecord): Promise<DriveLane> {
    const spec = await this.opts.nextTarget({
      index: d.index,
      resumeDriveId: d.driveId,
      ...(d.disk ? { resumeIdentity: d.disk } : {}),
      remaining: this.remaining(),
    });
    if (!spec) throw noMoreTargets(d.index, this.remaining());
    const root = await this.checkedTarget(spec);
    await this.resumeDrive(spec, d, root);
    return new DriveLane(this, d, root);
  }

  /**
   * Up to `n` new drives for the unplanned files (asked for one after the other; fewer when
   * the provider has no more). With several, the plan splits the files between them by the
   * space each has; one takes them all. Drives the plan leaves empty are not recorded: they are
   * kept as spares.
   */
  private async newLanes(
    n: number,
    previous?: { drive: DriveRecord; ended: LaneEnd['kind'] },
  ): Promise<DriveLane[]> {
    const specs: { spec: TargetSpec; root: string }[] = [];
    // After a drive completes the provider is asked again (see noMoreDrives).
    let askAgain = previous !== undefined;
    while (specs.length < n) {
      const spare = this.spares.shift();
      if (spare) {
        specs.push(spare);
        continue;
      }
      if (this.noMoreDrives && !askAgain) break;
      askAgain = false;
      const index = this.state.drives.length + specs.length;
      if (index >= MAX_DRIVES) {
        if (specs.length > 0) break;
        throw tooManyDrives(this.job.name, this.remaining());
      }
      const spec = await this.opts
        .nextTarget({
          index,
          remaining: this.remaining(),
          ...(previous && specs.length === 0
            ? {
                previous: {
                  driveId: previous.drive.driveId,
                  path: previous.drive.target,
                  ended: previous.ended,
                },
              }
            : {}),
        })
        .catch((err: unknown) => this.noDriveNow(err, specs.length));
      if (!spec) {
        this.noMoreDrives = true;
        break;
      }
      const root = await this.checkedTarget(spec);
      await this.checkNewDrive(spec, root, specs);
      specs.push({ spec, root });
    }
    if (specs.length === 0) return [];
    const plan = this.plan(specs.map((s) => s.root));
    this.state.pending = [];
    const lanes: DriveLane[] = [];
    for (const [i, { spec, root }] of specs.entries()) {
      if (plan.ranges[i]!.length === 0) {
        this.spares.push({ spec, root });
        continue;
      }
      const d = this.recordDrive(spec, root, plan.ranges[i]!);
      const lane = new DriveLane(this, d, root);
      if (specs.length > 1 && i < specs.length - 1) lane.planned = plan.bytes[i];
      lanes.push(lane);
    }
    // Recorded, with their plan, before the first byte lands on them.
    await this.saveState();
    return lanes;
  }

  /**
   * Splits the unplanned files between the volumes at `roots` (lanePlan.ts). When they hold
   * more than is left, each gets a share in proportion to its room, so all of them fill at once
   * (filled in order, the first drives would take everything and the others idle).
   */
  private plan(roots: string[]): { ranges: FileRange[][]; bytes: number[] } {
    const pending = this.state.pending ?? [];
    if (roots.length === 1) return { ranges: [pending], bytes: [0] };
    const rooms = roots.map((root) => {
      const s = fs.statfsSync(root);
      return { free: Math.max(0, s.bavail * s.bsize - PLAN_SLACK), bsize: s.bsize };
    });
    const manifestBytes = (f: ScannedFile): number =>
      blobXmlEstimate(Buffer.byteLength(f.relPath), f.size);
    // What the pending files take, counted as planLanes counts them (an estimate of 2 clusters a
    // file over their bytes split 600 files of 4 KiB 423/177 over two equal drives, and left a
    // drive with 6 MiB free idle beside one with 48 MiB).
    const bsize = rooms[0]?.bsize ?? 4096;
    let need = 0;
    for (const f of walkJobFilesSync(this.staging, this.job, {
      enterFolder: (dir) => rangesTouchFolder(dir, pending),
    })) {
      if (inRanges(f.relPath, pending)) need += fileSpace(f.size, bsize) + manifestBytes(f);
    }
    const room = rooms.reduce((sum, x) => sum + x.free, 0);
    const share = room > need ? need / room : 1;
    return planLanes(
      walkJobFilesSync(this.staging, this.job),
      pending,
      share < 1 ? rooms.map((x) => ({ ...x, share: x.free * share })) : rooms,
      manifestBytes,
    );
  }

  /** The target exists, is a folder apart from the staging location; its key and id are sound. */
  private async checkedTarget(spec: TargetSpec): Promise<string> {
    const root = path.resolve(this.deps.cwd, spec.path);
    await checkTarget(this.deps, root, this.staging);
    checkSpec(this.deps, spec);
    for (const lane of this.lanes) {
      if (lane.target === root || lane.drive.driveId === spec.driveId)
        throw new UsageError(
          `${root} (drive ${spec.driveId}) is already being filled as drive ${lane.drive.index + 1}`,
          { hint: 'give each drive once: its own --target and --drive-id' },
        );
    }
    return root;
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
    if (!d.disk && spec.identity) d.disk = spec.identity;
    await this.saveState();
  }

  /** A new drive: empty of this and other jobs, and not one given twice. */
  private async checkNewDrive(
    spec: TargetSpec,
    root: string,
    others: readonly { spec: TargetSpec; root: string }[],
  ): Promise<void> {
    const { state } = this;
    const same = state.drives.find((x) => x.driveId === spec.driveId);
    if (same || others.some((o) => o.spec.driveId === spec.driveId || o.root === root)) {
      throw new UsageError(
        same
          ? `drive ${spec.driveId} is already drive ${same.index + 1} of this job`
          : `drive ${spec.driveId} (${root}) is given twice`,
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
  }

  /** Adds a new drive to the journal's records (written by the caller before any byte). */
  private recordDrive(spec: TargetSpec, root: string, ranges: FileRange[]): DriveRecord {
    const d: DriveRecord = {
      index: this.state.drives.length,
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
      ranges,
      cursor: null,
    };
    this.state.drives.push(d);
    return d;
  }

  /** Every file is on a complete drive; else the error that says which drive is needed or failed. */
  private checkAllPlaced(): void {
    const open = openDrives(this.state).length > 0;
    if (open || (this.failures.length > 0 && this.hasPending()))
      throw drivesFailed(this.state, this.failures, this.remaining(), this.hasPending());
    if (this.hasPending())
      throw noMoreTargets(this.state.drives.length, this.remaining(), this.needsDriveHint);
  }

  saveState(): Promise<void> {
    const next = this.saving.then(() => writeCopyState(this.deps, this.staging, this.state));
    // One write at a time; a failed write fails its caller, not the next write.
    this.saving = next.catch(() => {});
    return next;
  }

  committed(files: number, bytes: number, last: string): void {
    const c = this.state.cursor;
    // The furthest file committed (with drives one after another: the last committed).
    const relPath = c.relPath !== null && compareWalkPaths(c.relPath, last) > 0 ? c.relPath : last;
    this.state.cursor = { relPath, files: c.files + files, bytes: c.bytes + bytes };
  }

  stopped(): boolean {
    return this.stopError !== undefined;
  }

  progress(lane: DriveLane, extra: number): void {
    if (!this.opts.onProgress) return;
    const { state } = this;
    let files = state.cursor.files;
    let bytes = state.cursor.bytes + extra;
    const lanes = [...this.lanes].map((l) => {
      const on = l.onDrive;
      files += on.files - l.drive.files;
      bytes += on.bytes - l.drive.bytes;
      return {
        index: l.drive.index,
        driveId: l.drive.driveId,
        files: on.files,
        bytes: on.bytes + (l === lane ? extra : 0),
        ...(l.planned !== undefined ? { planned: l.planned } : {}),
      };
    });
    const drive = lanes.find((l) => l.index === lane.drive.index)!;
    this.opts.onProgress({
      drive,
      drives: lanes,
      done: { files, bytes },
      total: this.total,
      resumedFiles: this.resumedFiles,
    });
  }

  private remaining(): { files: number; bytes: number } {
    let files = this.total.files - this.state.cursor.files;
    let bytes = this.total.bytes - this.state.cursor.bytes;
    for (const l of this.lanes) {
      files -= l.onDrive.files - l.drive.files;
      bytes -= l.onDrive.bytes - l.drive.bytes;
    }
    return { files, bytes };
  }

  private result(): CopyJobResult {
    const { state } = this;
    return {
      sessionId: state.sessionId,
      drives: state.drives.filter((d) => d.givenUp === undefined).map(toPrepared),
      files: state.cursor.files,
      bytes: state.cursor.bytes,
      resumedFiles: this.resumedFiles,
      changedSinceCopied: this.changedSinceCopied,
    };
  }
}

/** Space left free on each drive by the plan, besides the per-file estimate (manifest header, slack). */
const PLAN_SLACK = 1024 * 1024;

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

function noMoreTargets(
  index: number,
  r: { files: number; bytes: number },
  hint = 'run the same command again with one more --target, --drive-id and --bitlocker-key: it resumes where it stopped',
): DiskprepError {
  return new DiskprepError(
    `drive ${index + 1} is needed: ${count(r.files, 'file')} (${formatBytes(r.bytes)}) ${plural(r.files, 'remains', 'remain')} to copy`,
    ExitCode.needsAnswer,
    {
      code: 'ERR_DISKPREP_NEEDS_DRIVE',
      hint,
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

/** Exit 1: a job takes at most {@link MAX_DRIVES} drives. */
function tooManyDrives(job: string, r: { files: number; bytes: number }): DiskprepError {
  return new DiskprepError(
    `job "${job}" needs more than ${MAX_DRIVES} drives: ${count(r.files, 'file')} (${formatBytes(r.bytes)}) ${plural(r.files, 'remains', 'remain')} after drive ${MAX_DRIVES}`,
    ExitCode.failure,
    {
      code: 'ERR_DISKPREP_TOO_MANY_DRIVES',
      hint: 'an import job takes at most 10 drives: use larger drives, or split the data into two jobs (diskprep init with --data)',
      details: { remainingFiles: r.files, remainingBytes: r.bytes },
    },
  );
}

/**
 * Exit 5: a drive failed, or ran out of space before its plan, while the others finished; or
 * one is still open from an earlier failure. Names each, says what it holds and what to do;
 * `details.drives` lists them for --json.
 */
function drivesFailed(
  state: CopyState,
  failures: readonly { drive: DriveRecord; reason: string }[],
  r: { files: number; bytes: number },
  pending: boolean,
): DiskprepError {
  const failed = new Map(failures.map((f) => [f.drive.index, f.reason]));
  const named = state.drives.filter(
    (d) => d.givenUp === undefined && (failed.has(d.index) || !d.complete),
  );
  const what = named
    .map((d) => {
      const why = failed.get(d.index) ?? d.failed;
      const state = d.complete
        ? `closed with ${count(d.files, 'file')}`
        : `open, ${count(d.files, 'file')} committed`;
      return `drive ${d.index + 1} (${d.driveId}) ${why ? `failed: ${why}` : 'is not complete'} (${state})`;
    })
    .join('; ');
  const done = state.drives.filter((d) => d.complete && !failed.has(d.index)).map((d) => d.driveId);
  const open = named.filter((d) => !d.complete);
  const steps = [
    open.length > 0
      ? `check ${open.map((d) => d.driveId).join(', ')} (cable, power, dmesg) and attach ${plural(open.length, 'it', 'them')} again: ${plural(open.length, 'its', 'their')} committed files stay and the manifest is written (a dead drive: --give-up-drive ${open[0]!.driveId} hands its files to another drive)`
      : undefined,
    pending ? `attach another drive for the ${count(r.files, 'file')} left` : undefined,
  ].filter((x) => x !== undefined);
  return new DiskprepError(
    `${what}${done.length > 0 ? `; complete: ${done.join(', ')}` : ''}${pending ? `; ${count(r.files, 'file')} (${formatBytes(r.bytes)}) still need a drive` : ''}`,
    ExitCode.disk,
    {
      code: 'ERR_DISKPREP_DRIVE_FAILED',
      hint: `${steps.join('; ')}, then run the same command: it resumes where each drive stopped`,
      details: {
        drives: named.map((d) => ({
          drive: d.index + 1,
          driveId: d.driveId,
          files: d.files,
          complete: d.complete,
          reason: failed.get(d.index) ?? d.failed ?? 'not complete',
        })),
        remainingFiles: pending ? r.files : 0,
        remainingBytes: pending ? r.bytes : 0,
      },
    },
  );
}
