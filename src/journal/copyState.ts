/**
 * The copy journal, in the staging location's journal folder (`<staging>/.diskprep/journal/<job>/`):
 *
 *   copy-state.json     cursor + per-drive records (holds BitLocker keys: mode 0600, atomic writes)
 *   drive-<n>.blobs.xml the `<Blob>` elements of drive n's manifest, committed prefix only
 *   <driveId>.xml       drive-info XML for the portal (mode 0600), once the drive is complete
 *
 * The walk order is deterministic (sorted depth-first), so the state is a cursor: the last
 * committed file's path and counts. Memory does not grow with the number of files.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { journalDir } from './layout.ts';
import { DISPOSITIONS } from '../model/job.ts';
import { bitLockerKeyProblem } from '../model/bitlockerKey.ts';
import { recordedDriveIdProblem } from '../model/driveId.ts';
import { MAX_DRIVES } from '../model/driveId.ts';
import { MANIFEST_FILE } from '../model/names.ts';
import { isValidSessionId } from '../model/sessionId.ts';
import type { RecordedDrive } from '../disk/types.ts';

/** What identified the disk a drive was filled on (src/disk/identity.ts); older journals have none. */
const DriveIdentitySchema = z.object({
  serial: z.string().optional(),
  model: z.string().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  bitlockerGuid: z.string().optional(),
  ntfsSerial: z.string().optional(),
});

/** Walk-order files after `after` (exclusive; null: from the first) up to `last` (null: the end). */
const FileRangeSchema = z.object({ after: z.string().nullable(), last: z.string().nullable() });
/** A range of the walk: see {@link FileRangeSchema}. */
export type FileRange = z.infer<typeof FileRangeSchema>;

const DriveRecordSchema = z.object({
  index: z.number().int(),
  driveId: z.string(),
  bitLockerKey: z.string(),
  /** Where the volume was mounted when it was filled (informational). */
  target: z.string(),
  /** Committed length of `drive-<index>.blobs.xml`. */
  blobsBytes: z.number().int(),
  files: z.number().int(),
  bytes: z.number(),
  complete: z.boolean(),
  manifestFile: z.string(),
  manifestHash: z.string().optional(),
  /** BitLocker's cipher on the drive (`XtsAes128`), when diskprep encrypted or read it. */
  encryptionMethod: z.string().optional(),
  /** The disk and volume, recorded before the first byte is copied onto it (resume checks it). */
  disk: DriveIdentitySchema.optional(),
  /**
   * The files planned for this drive: walk-order ranges (after, last] (last null: to the end,
   * as far as the drive holds). Absent in journals written before drives were filled in
   * parallel: their drives follow one another (engine/lanePlan.ts reads them so).
   */
  ranges: z.array(FileRangeSchema).optional(),
  /** The last file committed to this drive, in walk order (null before the first). */
  cursor: z.string().nullable().optional(),
  /** Why this drive stopped before its plan (an I/O error, the drive gone): resumed as it is. */
  failed: z.string().optional(),
  /**
   * When the operator gave the drive up (`--give-up-drive`: dead, lost): its files went back to
   * the plan for other drives; it is in no import job and never resumed. `files` and `bytes`
   * stay as what it held.
   */
  givenUp: z.iso.datetime({ offset: true }).optional(),
});
/** One drive of a job, as the journal records it. */
export type DriveRecord = z.infer<typeof DriveRecordSchema>;

const count = z.number().int().nonnegative();

/**
 * What the drive records must be besides their shapes: each at its own index, ids and keys by
 * the rules they were typed with, counts whole and not negative, the hash hex.
 */
function checkDriveRecords(drives: DriveRecord[], ctx: z.RefinementCtx): void {
  drives.forEach((d, i) => {
    const problems: [string, string | undefined][] = [
      ['index', d.index === i ? undefined : `must be ${i}, its place in the list`],
      ['driveId', recordedDriveIdProblem(d.driveId)],
      ['bitLockerKey', bitLockerKeyProblem(d.bitLockerKey)],
      ['blobsBytes', count.safeParse(d.blobsBytes).success ? undefined : 'must be a byte count'],
      ['files', count.safeParse(d.files).success ? undefined : 'must be a file count'],
      ['bytes', count.safeParse(d.bytes).success ? undefined : 'must be a byte count'],
      ['manifestFile', d.manifestFile === MANIFEST_FILE ? undefined : `must be ${MANIFEST_FILE}`],
      [
        'manifestHash',
        d.manifestHash === undefined || /^[0-9A-F]{32}$/i.test(d.manifestHash)
          ? undefined
          : 'must be an MD5 in hex',
      ],
    ];
    for (const [field, message] of problems) {
      if (message) ctx.addIssue({ code: 'custom', path: [i, field], message });
    }
  });
}

/**
 * The schema of `copy-state.json`: the writer checks what it writes with it, the reader what it
 * reads back.
 */
const CopyStateSchema = z.object({
  version: z.literal(1),
  /** Job names of every service are letters, digits, - and _ (the reader also wants its folder's). */
  job: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a job name'),
  sessionId: z
    .string()
    .refine(isValidSessionId, 'must be a session id (3-30 letters, digits, _ - #)'),
  /** The last committed file in walk order (null before the first) and counts up to it. */
  cursor: z.object({ relPath: z.string().nullable(), files: count, bytes: count }),
  drives: z.array(DriveRecordSchema).max(MAX_DRIVES).superRefine(checkDriveRecords),
  complete: z.boolean(),
  /**
   * `<ImportDisposition>` of every blob of the job, fixed when the copy begins so a resumed
   * copy writes the same one (absent in journals written before diskprep recorded it).
   */
  disposition: z.enum(DISPOSITIONS).optional(),
  /**
   * Files not planned for any drive yet (ranges in walk order); absent before the first plan
   * and in journals of drives filled one after another.
   */
  pending: z.array(FileRangeSchema).optional(),
});
/** The whole copy state of a job. */
export type CopyState = z.infer<typeof CopyStateSchema>;

/** A prepared drive, as the Azure job services need it. */
export interface PreparedDrive {
  driveId: string;
  bitLockerKey: string;
  manifestFile: string;
  /** MD5 of the manifest, uppercase hex; undefined until the drive is complete. */
  manifestHash: string | undefined;
  files: number;
  bytes: number;
  /** The manifest is written and no more files go on this drive. */
  complete: boolean;
}

/** `copy-state.json` of a job. */
export function copyStatePath(staging: string, job: string): string {
  return path.join(journalDir(staging, job), 'copy-state.json');
}

/** The committed `<Blob>` elements of drive `index`. */
export function blobsPath(staging: string, job: string, index: number): string {
  return path.join(journalDir(staging, job), `drive-${index + 1}.blobs.xml`);
}

/** The drive-info XML of a drive. */
export function driveInfoPath(staging: string, job: string, driveId: string): string {
  return path.join(journalDir(staging, job), driveInfoFileName(driveId));
}

/** File name of a drive's drive-info XML in the journal (`<DriveID>.xml`, as WAImportExport v2 names it). */
export function driveInfoFileName(driveId: string): string {
  return `${driveId}.xml`;
}

/** Reads a job's copy state; undefined when no copy has started. Registers the keys as secrets. */
export async function readCopyState(
  deps: Deps,
  staging: string,
  job: string,
): Promise<CopyState | undefined> {
  const file = copyStatePath(staging, job);
  const state = await readJsonFile(
    deps.fs,
    file,
    CopyStateSchema.refine((s) => s.job === job, {
      path: ['job'],
      message: `must be "${job}", the job of its folder`,
    }),
    {
      what: 'the copy journal',
      hint: 'restore it from a backup, or delete the journal folder and the copied data and start over',
    },
  );
  if (!state) return undefined;
  for (const d of state.drives) deps.redactor.add(d.bitLockerKey);
  return state;
}

/** Writes a job's copy state atomically, mode 0600 (it holds BitLocker keys). */
export async function writeCopyState(deps: Deps, staging: string, state: CopyState): Promise<void> {
  await deps.fs.mkdir(journalDir(staging, state.job), { recursive: true });
  await writeFileAtomic(
    deps.fs,
    copyStatePath(staging, state.job),
    JSON.stringify(CopyStateSchema.parse(state), null, 1),
    {
      mode: 0o600,
    },
  );
}

/**
 * The drives prepared for a job, in order, for the Azure job services: `[]` when no copy
 * has started. Incomplete drives (a copy still running or interrupted) have `complete: false`;
 * drives given up are not among them.
 */
export async function readPreparedDrives(
  deps: Deps,
  staging: string,
  job: string,
): Promise<PreparedDrive[]> {
  const state = await readCopyState(deps, staging, job);
  return (state?.drives ?? []).filter((d) => d.givenUp === undefined).map(toPrepared);
}

/** A journal drive record as a {@link PreparedDrive}. */
export function toPrepared(d: DriveRecord): PreparedDrive {
  return {
    driveId: d.driveId,
    bitLockerKey: d.bitLockerKey,
    manifestFile: d.manifestFile,
    manifestHash: d.manifestHash,
    files: d.files,
    bytes: d.bytes,
    complete: d.complete,
  };
}

/**
 * Every drive the journals of a staging location record, with the job it belongs to: the
 * drives a run must never format or fill for another job. A journal that cannot be read is
 * skipped with a warning.
 */
export async function readRecordedDrives(deps: Deps, staging: string): Promise<RecordedDrive[]> {
  const root = path.dirname(journalDir(staging, 'x'));
  const entries = await deps.fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const jobs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const out: RecordedDrive[] = [];
  for (const job of jobs.sort()) {
    let state: CopyState | undefined;
    try {
      state = await readCopyState(deps, staging, job);
    } catch (err) {
      deps.terminal.warn(
        `cannot read the copy journal of job "${job}" (${(err as Error).message}): its drives are not recognised`,
      );
      continue;
    }
    for (const d of state?.drives ?? [])
      out.push({
        job: state!.job,
        driveId: d.driveId,
        index: d.index,
        complete: d.complete || state!.complete,
        files: d.files,
        identity: d.disk,
      });
  }
  return out;
}
