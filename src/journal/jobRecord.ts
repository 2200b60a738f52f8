/**
 * The journal's record that the import job was created (`<journal>/job.json`): written
 * atomically right after the service accepted the job and before success is printed, so an
 * interrupted or repeated `s:` never creates the job twice. Holds no secret (drive ids and
 * manifest hashes only).
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile, stringByRule } from '../fsutil/readJsonFile.ts';
import { recordedDriveIdProblem } from '../model/driveId.ts';
import { MAX_DRIVES } from '../model/driveId.ts';
import { journalDir } from './layout.ts';
import { SERVICES } from '../model/job.ts';

/** The schema of `job.json`, for the writer and the reader alike. */
const JobRecordSchema = z.object({
  version: z.literal(1),
  job: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a job name'),
  service: z.enum(SERVICES),
  location: z.string().max(100),
  /** When the service accepted the job (ISO). */
  createdAt: z.iso.datetime({ offset: true }),
  /** The job's state as the service reported it then. */
  serviceState: z.string().max(100),
  drives: z
    .array(
      z.object({
        driveId: stringByRule(recordedDriveIdProblem),
        manifestHash: z
          .string()
          .regex(/^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{64})?$/, 'must be a hash in hex'),
      }),
    )
    .max(MAX_DRIVES),
});
/** What the journal keeps about a created job. */
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** `<staging>/.diskprep/journal/<job>/job.json`. */
export function jobRecordPath(staging: string, job: string): string {
  return path.join(journalDir(staging, job), 'job.json');
}

/** The record, or undefined when the job was not created from this staging location. */
export async function readJobRecord(
  deps: Pick<Deps, 'fs'>,
  staging: string,
  job: string,
): Promise<JobRecord | undefined> {
  const file = jobRecordPath(staging, job);
  const ofThisJob = JobRecordSchema.refine((r) => r.job === job, {
    path: ['job'],
    message: `must be "${job}", the job of its folder`,
  });
  return readJsonFile(deps.fs, file, ofThisJob, {
    what: "the journal's job record",
    hint: 'check the job with diskprep status; if it exists, restore the file from a backup, else delete it and run the same command again',
  });
}

/** Writes the record atomically. */
export async function writeJobRecord(
  deps: Pick<Deps, 'fs'>,
  staging: string,
  record: JobRecord,
): Promise<string> {
  const file = jobRecordPath(staging, record.job);
  await deps.fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(
    deps.fs,
    file,
    `${JSON.stringify(JobRecordSchema.parse(record), null, 2)}\n`,
  );
  return file;
}
