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
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { journalDir } from '../staging/layout.ts';
import { SERVICES } from '../staging/types.ts';

const JobRecordSchema = z.object({
  version: z.literal(1),
  job: z.string(),
  service: z.enum(SERVICES),
  location: z.string(),
  /** When the service accepted the job (ISO). */
  createdAt: z.string(),
  /** The job's state as the service reported it then. */
  serviceState: z.string(),
  drives: z.array(z.object({ driveId: z.string(), manifestHash: z.string() })),
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
  return readJsonFile(deps.fs, file, JobRecordSchema, {
    message: `the journal's job record ${file} is damaged`,
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
