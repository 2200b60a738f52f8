/**
 * The copy engine: copies a job's data onto one or more mounted volumes in walk order, one
 * pass per byte, writes each drive's manifest, and keeps a resumable journal in the staging
 * location.
 *
 * Commit protocol (the journal is the truth; a file counts only once committed):
 * 1. each file is written under a temporary name and renamed when complete;
 * 2. a batch of files (≤ {@link COMMIT_FILES} files, ≤ 256 MiB, ≤ 2 s) is made durable: large
 *    files were fdatasync'ed as they finished, small ones get one barrier (syncfs on Linux, an
 *    fsync per file elsewhere);
 * 3. the batch's `<Blob>` elements are appended to the drive's blob file and fdatasync'ed;
 * 4. the state (cursor, counts, blob-file length) is replaced atomically.
 * A crash before 4 leaves the old state: the blob file is cut back to its recorded length and
 * the uncommitted files are copied again (same bytes, same hashes). Nothing half-written is
 * ever listed, and counters only move at 4.
 *
 * Targets come from a {@link NextTarget} provider, so the CLI can hand over `--target` folders
 * or ask for one, and the drive backends can hand over volumes they just unlocked.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { DiskError, DiskprepError, ExitCode, InterruptedError, UsageError } from '../errors.ts';
import { rootContainerProblem } from '../model/names.ts';
import {
  DEFAULT_DISPOSITION,
  type Disposition,
  type JobDescriptor,
  type JobSecrets,
} from '../model/job.ts';
import { containerSasValue } from '../model/containerSas.ts';
import type { DriveIdentity } from '../disk/types.ts';
import { describeIdentity, identityMismatch } from '../disk/identity.ts';
import { bitLockerKeyProblem } from '../model/bitlockerKey.ts';
import { copyFile, NoSpaceError, SMALL_FILE } from './copyFile.ts';
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
import { openBlobList, writeDriveInfo } from '../journal/driveFiles.ts';
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
import { identityChange, sourceIdentity, statSource } from './sourceIdentity.ts';
import { SourceLedger } from '../journal/sourceLedger.ts';
import { compareWalkPaths } from './walkOrder.ts';
import { walkJobFilesSync } from './walkSync.ts';

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
      `${problems.length + more} file(s) cannot be imported: ${problems.join('; ')}${more ? `; and ${more} more` : ''}`,
      {
        hint: 'fix them in the staging location, then run the same command again; nothing was copied',
      },
    );
  }
  return { files, bytes };
}

/** Copies (or resumes copying) a job onto the volumes `nextTarget` supplies. */
export async function copyJob(deps: Deps, opts: CopyJobOptions): Promise<CopyJobResult> {
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
  state.disposition = copyDisposition(deps, job, existing?.disposition);
  const disposition = state.disposition;
  const resumedFiles = state.cursor.files;
  const changedSinceCopied: ChangedSinceCopied = { count: 0, files: [] };
  if (state.complete) {
    return {
      sessionId: state.sessionId,
      drives: state.drives.map(toPrepared),
      files: state.cursor.files,
      bytes: state.cursor.bytes,
      resumedFiles,
      changedSinceCopied,
    };
  }
  const total = await scanJob(deps, staging, job);
  if (total.files === 0) {
    throw new UsageError(`job "${job.name}" has no files to copy`, {
      hint: 'check the staging location (and the job descriptor\'s "data" folder)',
    });
  }

  // Open drive and the batch not yet committed.
  let drive: DriveRecord | undefined;
  let target = '';
  let blobsFh: fsp.FileHandle | undefined;
  let fuse = false;
  let pendingXml: string[] = [];
  let pendingXmlBytes = 0;
  let pendingFiles = 0;
  let pendingBytes = 0;
  let pendingLast: string | null = null;
  let unsynced: string[] = [];
  let batchStarted = deps.clock.monotonic();

  const progress = (extraBytes = 0): void => {
    if (!opts.onProgress || !drive) return;
    opts.onProgress({
      drive: {
        index: drive.index,
        driveId: drive.driveId,
        files: drive.files + pendingFiles,
        bytes: drive.bytes + pendingBytes + extraBytes,
      },
      done: {
        files: state.cursor.files + pendingFiles,
        bytes: state.cursor.bytes + pendingBytes + extraBytes,
      },
      total,
      resumedFiles,
    });
  };

  const remaining = (): { files: number; bytes: number } => ({
    files: total.files - state.cursor.files - pendingFiles,
    bytes: total.bytes - state.cursor.bytes - pendingBytes,
  });

  const barrier = async (): Promise<void> => {
    if (unsynced.length === 0) return;
    if (deps.platform === 'linux' && !fuse) {
      // syncfs(2) of the target: one call makes the whole batch (data, renames) durable.
      const r = await deps.exec.run('sync', ['-f', target], { reject: false });
      if (r.exitCode === 0) {
        unsynced = [];
        return;
      }
    }
    const dirs = new Set<string>();
    for (const file of unsynced) {
      const fh = await fsp.open(file, 'r+');
      try {
        await fh.datasync();
      } finally {
        await fh.close();
      }
      dirs.add(path.dirname(file));
    }
    for (const dir of dirs) await syncDirQuiet(dir);
    unsynced = [];
  };

  const commit = async (): Promise<void> => {
    if (!drive || pendingFiles === 0) return;
    await barrier();
    const data = Buffer.from(pendingXml.join(''), 'utf8');
    await blobsFh!.write(data);
    await blobsFh!.datasync();
    ledger.flush();
    drive.blobsBytes += data.length;
    drive.files += pendingFiles;
    drive.bytes += pendingBytes;
    state.cursor = {
      relPath: pendingLast,
      files: state.cursor.files + pendingFiles,
      bytes: state.cursor.bytes + pendingBytes,
    };
    await writeCopyState(deps, staging, state);
    pendingXml = [];
    pendingXmlBytes = 0;
    pendingFiles = 0;
    pendingBytes = 0;
    batchStarted = deps.clock.monotonic();
  };

  const openBlobs = async (d: DriveRecord): Promise<void> => {
    blobsFh = await openBlobList(staging, job.name, d.index, d.blobsBytes);
  };

  const closeDrive = async (): Promise<void> => {
    if (!drive) return;
    await commit();
    await blobsFh?.close();
    blobsFh = undefined;
    let hash: string;
    try {
      hash = await writeDriveManifest({
        target,
        ...driveManifestParts(deps, staging, job.name, drive, credential),
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
    await writeCopyState(deps, staging, state);
    opts.onDriveComplete?.(toPrepared(drive), target);
    drive = undefined;
  };

  const useTarget = async (spec: TargetSpec, d: DriveRecord | undefined): Promise<void> => {
    const root = path.resolve(deps.cwd, spec.path);
    await checkTarget(deps, root, staging);
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
    const sessionDir = path.join(root, state.sessionId);
    if (d) {
      // Resuming an interrupted drive: it must be the same drive, with this job's folder on it.
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
      if (d.files > 0 && !(await exists(sessionDir))) {
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
        await writeCopyState(deps, staging, state);
      }
      drive = d;
    } else {
      const index = state.drives.length;
      if (state.drives.some((x) => x.driveId === spec.driveId)) {
        throw new UsageError(
          `drive ${spec.driveId} is already drive ${state.drives.find((x) => x.driveId === spec.driveId)!.index + 1} of this job`,
          {
            hint: 'give another drive (each drive has its own --drive-id)',
          },
        );
      }
      if (await exists(sessionDir)) {
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
      drive = {
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
      state.drives.push(drive);
      // Recorded before the first byte lands on the drive.
      await writeCopyState(deps, staging, state);
    }
    target = root;
    try {
      fuse = fs.statfsSync(root).type === FUSE_SUPER_MAGIC;
    } catch {
      fuse = false;
    }
    await openBlobs(drive);
  };

  const nextDrive = async (previous?: DriveRecord): Promise<void> => {
    const index = state.drives.length;
    if (index >= MAX_DRIVES) {
      const r = remaining();
      throw new DiskprepError(
        `job "${job.name}" needs more than ${MAX_DRIVES} drives: ${r.files} files (${formatBytes(r.bytes)}) remain after drive ${MAX_DRIVES}`,
        ExitCode.failure,
        {
          code: 'ERR_DISKPREP_TOO_MANY_DRIVES',
          hint: 'an import job takes at most 10 drives: use larger drives, or split the data into two jobs (diskprep init with --data)',
          details: { remainingFiles: r.files, remainingBytes: r.bytes },
        },
      );
    }
    const spec = await opts.nextTarget({
      index,
      remaining: remaining(),
      ...(previous ? { previous: { driveId: previous.driveId, path: previous.target } } : {}),
    });
    if (!spec) throw noMoreTargets(index, remaining());
    await useTarget(spec, undefined);
  };

  fs.mkdirSync(journalDir(staging, job.name), { recursive: true });
  const ledger = SourceLedger.open(staging, job.name, state.cursor.files);
  const copier: ChunkCopier =
    (opts.copyWorkers ?? DEFAULT_COPY_WORKERS) === 0
      ? createInlineCopier(opts.chunksPerWorker)
      : createWorkerCopier(opts.copyWorkers ?? DEFAULT_COPY_WORKERS, opts.chunksPerWorker);
  try {
    const open = state.drives.find((d) => !d.complete);
    if (open) {
      const spec = await opts.nextTarget({
        index: open.index,
        resumeDriveId: open.driveId,
        ...(open.disk ? { resumeIdentity: open.disk } : {}),
        remaining: remaining(),
      });
      if (!spec) throw noMoreTargets(open.index, remaining());
      await useTarget(spec, open);
    }
    let skipped = 0;
    let skipChecked = state.cursor.relPath === null;
    const checkSkip = (): void => {
      if (skipped !== state.cursor.files)
        throw stagingChanged(
          `${skipped} files come before ${state.cursor.relPath} now, ${state.cursor.files} did then`,
        );
      skipChecked = true;
      warnChangedSinceCopied(deps, changedSinceCopied);
    };
    /** A file an earlier run committed: is it still what the drive holds? */
    const checkCommitted = (f: { relPath: string; absPath: string }): void => {
      const rec = ledger.nextCommitted();
      if (!rec) return;
      if (rec.relPath !== f.relPath)
        throw stagingChanged(`${f.relPath} is where ${rec.relPath}, which is on the drive, was`);
      // Size and times only: inode and device numbers change when the share is mounted again.
      const what = identityChange(rec.source, sourceIdentity(f.relPath, f.absPath), {
        sameMount: false,
      });
      if (!what) return;
      changedSinceCopied.count++;
      if (changedSinceCopied.files.length < MAX_CHANGED_LISTED)
        changedSinceCopied.files.push(`${f.relPath} (${what})`);
    };
    for (const f of walkJobFilesSync(staging, job)) {
      if (!skipChecked) {
        if (compareWalkPaths(f.relPath, state.cursor.relPath!) <= 0) {
          skipped++;
          checkCommitted(f);
          continue;
        }
        checkSkip();
      }
      if (deps.signal.aborted) {
        await commit();
        throw new InterruptedError('interrupted: the copy stopped after the last finished file', {
          hint: 'run the same command again to resume',
        });
      }
      for (;;) {
        if (!drive) await nextDrive();
        const d = drive!;
        const dst = path.join(target, state.sessionId, ...f.relPath.split('/'));
        const estimate = blobXmlEstimate(Buffer.byteLength(f.relPath), f.size);
        const onDrive = d.files + pendingFiles;
        let room = true;
        try {
          if (opts.checkFreeSpace !== false)
            room = fits(target, f, d.blobsBytes + pendingXmlBytes + estimate);
        } catch (err) {
          // The source went away since the walk: the files copied so far still count.
          await commit();
          throw err;
        }
        if (!room) {
          if (onDrive === 0) throw tooBig(f.relPath, f.size, target);
          const full = d;
          await closeDrive();
          await nextDrive(full);
          continue;
        }
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
              copier,
              directIo: opts.directIo ?? true,
              onBytes: (n) => progress(n),
              clock: deps.clock,
            },
          );
          const xml = blobXml({
            blobPath: blobPathFor(job, f.relPath),
            filePath: `\\${state.sessionId}\\${f.relPath.split('/').join('\\')}`,
            length: copied.size,
            disposition,
            kind: f.blobType,
            ranges: copied.ranges,
          });
          pendingXml.push(xml);
          pendingXmlBytes += Buffer.byteLength(xml);
          pendingFiles++;
          pendingBytes += copied.size;
          pendingLast = f.relPath;
          ledger.add(f.relPath, copied.source);
          if (copied.unsynced) unsynced.push(dst);
          break;
        } catch (err) {
          if (!(err instanceof NoSpaceError)) {
            await commit();
            throw err;
          }
          if (onDrive === 0) throw tooBig(f.relPath, f.size, target);
          const full = d;
          await closeDrive();
          await nextDrive(full);
        }
      }
      progress();
      if (
        pendingFiles >= (opts.commitEvery?.files ?? COMMIT_FILES) ||
        pendingBytes >= (opts.commitEvery?.bytes ?? COMMIT_BYTES) ||
        deps.clock.monotonic() - batchStarted >= (opts.commitEvery?.ms ?? COMMIT_MS)
      ) {
        await commit();
      }
    }
    if (!skipChecked) checkSkip();
    await closeDrive();
    state.complete = true;
    await writeCopyState(deps, staging, state);
  } finally {
    await blobsFh?.close();
    await copier.close();
    ledger.close();
  }
  return {
    sessionId: state.sessionId,
    drives: state.drives.map(toPrepared),
    files: state.cursor.files,
    bytes: state.cursor.bytes,
    resumedFiles,
    changedSinceCopied,
  };
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
    `${changed.count} file(s) copied in an earlier run changed in the staging location since: ${shown}${more}; the drive holds them as they were, and its manifest lists that content`,
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

function fits(
  target: string,
  f: { relPath: string; absPath: string; size: number; blobType: 'page' | 'block' },
  manifestBytes: number,
): boolean {
  const s = fs.statfsSync(target);
  const free = s.bavail * s.bsize;
  let need = f.size;
  if (f.blobType === 'page') {
    // A sparse page file needs only its data on a sparse target: count what the source allocates.
    const allocated = allocatedBytes(f);
    if (allocated !== undefined && allocated < f.size) need = allocated;
  }
  const round = (n: number): number => Math.ceil(n / s.bsize) * s.bsize;
  // The file, a folder entry, and the manifest as it will be with this file (+64 KiB slack).
  return free >= round(need) + s.bsize + round(manifestBytes) + 64 * 1024;
}

/** The file allocates less than its length (it has holes). */
function isSparse(f: { relPath: string; absPath: string; size: number }): boolean {
  const allocated = allocatedBytes(f);
  return allocated !== undefined && allocated < f.size;
}

/** Bytes the source file allocates (undefined where the platform does not say). */
function allocatedBytes(f: { relPath: string; absPath: string }): number | undefined {
  const blocks = Number(statSource(f).blocks);
  return Number.isFinite(blocks) ? blocks * 512 : undefined;
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
    `drive ${index + 1} is needed: ${r.files} files (${formatBytes(r.bytes)}) remain to copy`,
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

/** `1.5 GiB`-style sizes for messages. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}
