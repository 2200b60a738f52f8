/**
 * The answers a job's runs were given (`<journal>/answers.json`): the location of a job
 * recorded without one, the return contact and address, the return carrier, the ship-now
 * decision and the carrier taking the drives. The next `prepare` offers them as defaults, and a
 * run that cannot ask (`--yes`, no terminal) takes them as if given, so an answer is typed once
 * per job. Written atomically, mode 0600 (personal contact data); the return carrier's ACCOUNT
 * NUMBER is never written (the schema has no field for it and is strict).
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { RememberedAddressSchema } from '../model/importJob.ts';
import { journalDir } from './layout.ts';

const AnswersRecordSchema = z
  .object({
    version: z.literal(1),
    job: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a job name'),
    savedAt: z.iso.datetime({ offset: true }),
    location: z.string().min(1).max(100).optional(),
    returnAddress: RememberedAddressSchema.partial().strict().optional(),
    returnCarrier: z.string().min(1).max(100).optional(),
    shipNow: z.boolean().optional(),
    /** The carrier taking the drives to the datacenter (`--carrier`). */
    carrier: z.string().min(1).max(100).optional(),
  })
  .strict();

/** What the journal remembers of a job's answers. */
export type AnswersRecord = z.infer<typeof AnswersRecordSchema>;
/** The answers to remember (the file's bookkeeping fields are added on writing). */
export type RememberedAnswers = Omit<AnswersRecord, 'version' | 'job' | 'savedAt'>;

/** `<staging>/.diskprep/journal/<job>/answers.json`. */
export function answersRecordPath(staging: string, job: string): string {
  return path.join(journalDir(staging, job), 'answers.json');
}

/**
 * The remembered answers of `job`; `{}` when none were kept.
 *
 * @throws UsageError (exit 2) naming the file and the field when it breaks the writer's rules
 */
export async function readAnswers(
  deps: Pick<Deps, 'fs'>,
  staging: string,
  job: string,
): Promise<RememberedAnswers> {
  const ofThisJob = AnswersRecordSchema.refine((r) => r.job === job, {
    path: ['job'],
    message: `must be "${job}", the job of its folder`,
  });
  const record = await readJsonFile(deps.fs, answersRecordPath(staging, job), ofThisJob, {
    what: "the journal's remembered answers",
    hint: 'delete it: diskprep asks the questions again and remembers the answers anew',
  });
  if (!record) return {};
  const answers: RememberedAnswers & Partial<AnswersRecord> = { ...record };
  delete answers.version;
  delete answers.job;
  delete answers.savedAt;
  return answers;
}

/** Merges `answers` into the job's remembered answers and writes them atomically (0600). */
export async function rememberAnswers(
  deps: Pick<Deps, 'fs' | 'clock'>,
  staging: string,
  job: string,
  answers: RememberedAnswers,
): Promise<string> {
  const before = await readAnswers(deps, staging, job);
  const dir = journalDir(staging, job);
  await deps.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = answersRecordPath(staging, job);
  const record = AnswersRecordSchema.parse({
    ...before,
    ...answers,
    version: 1,
    job,
    savedAt: deps.clock.now().toISOString(),
  });
  await writeFileAtomic(deps.fs, file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return file;
}
