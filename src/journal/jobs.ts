/**
 * Job descriptors in a staging location: list, read, pick.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { parseContainerSas } from '../model/containerSas.ts';
import { sasSignature } from '../model/credentialRules.ts';
import { jobDescriptorPath, jobsDir, journalDir } from './layout.ts';
import {
  type JobDescriptor,
  JobDescriptorSchema,
  type JobSecrets,
  JobSecretsSchema,
} from '../model/job.ts';

/** Names of the jobs recorded in `staging`, sorted; [] when none. */
export async function listJobs(fs: Deps['fs'], staging: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(jobsDir(staging));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => e.endsWith('.json') && !e.startsWith('.'))
    .map((e) => e.slice(0, -'.json'.length))
    .sort();
}

/** Reads and validates one job descriptor (by the rules `diskprep init` wrote it with). */
export async function readJobDescriptor(
  fs: Deps['fs'],
  staging: string,
  name: string,
): Promise<JobDescriptor> {
  // Every service's job names are letters, digits, - and _: anything else (a path) names no job.
  const file = /^[A-Za-z0-9_-]{1,64}$/.test(name) ? jobDescriptorPath(staging, name) : undefined;
  const job =
    file &&
    (await readJsonFile(
      fs,
      file,
      JobDescriptorSchema.refine((d) => d.name === name, {
        path: ['name'],
        message: `must be "${name}", the name of the file`,
      }),
      { what: 'job descriptor', hint: 'recreate it with diskprep init --force' },
    ));
  if (!job) {
    throw new UsageError(`no job "${name}" in ${staging}`, {
      hint: 'see the jobs with diskprep status, or create one with diskprep init',
    });
  }
  return job;
}

/**
 * Picks the job of a staging location: the one named, else the only one, else asks
 * (flag `--job`). No job at all is a usage error pointing at `diskprep init`.
 */
export async function selectJob(
  deps: Deps,
  staging: string,
  wanted: string | undefined,
): Promise<JobDescriptor> {
  await assertStagingExists(deps, staging);
  if (wanted) return readJobDescriptor(deps.fs, staging, wanted);
  const names = await listJobs(deps.fs, staging);
  if (names.length === 0) {
    throw new UsageError(`no import job is recorded in ${staging}`, {
      hint: 'record one with diskprep init s:<staging> --job <name> --service ... (see diskprep init --help)',
    });
  }
  if (names.length === 1) return readJobDescriptor(deps.fs, staging, names[0]!);
  const jobs = await Promise.all(names.map((n) => readJobDescriptor(deps.fs, staging, n)));
  const name = await deps.prompt.select({
    message: `${staging} holds ${jobs.length} import jobs. Which one?`,
    flag: '--job',
    choices: jobs.map((j) => ({
      name: j.name,
      value: j.name,
      description: `${j.service}, ${j.storageAccount}/${j.container}${j.prefix ? `/${j.prefix}` : ''}${j.data ? `, data: ${j.data}` : ''}`,
    })),
  });
  return jobs.find((j) => j.name === name)!;
}

/** Throws a usage error unless `staging` is an existing directory. */
export async function assertStagingExists(deps: Deps, staging: string): Promise<void> {
  try {
    const st = await deps.fs.stat(staging);
    if (!st.isDirectory())
      throw new UsageError(`staging location ${staging} is not a directory`, {
        hint: 'give the folder that holds the backup',
      });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read staging location ${staging}${code ? ` (${code})` : ''}`, {
      hint:
        code === 'EACCES'
          ? 'run as a user that can read it'
          : 'check the path (use the same full network path as on the source computer)',
    });
  }
}

/** Absolute path of the folder holding a job's data. */
export function jobDataRoot(staging: string, job: JobDescriptor): string {
  return job.data ? path.resolve(staging, job.data) : path.resolve(staging);
}

/** `<staging>/.diskprep/journal/<job>/secrets.json`. */
export function jobSecretsPath(staging: string, job: string): string {
  return path.join(journalDir(staging, job), 'secrets.json');
}

/** Writes a job descriptor atomically (creating `.diskprep/jobs`). */
export async function writeJobDescriptor(
  fs: Deps['fs'],
  staging: string,
  job: JobDescriptor,
): Promise<string> {
  const file = jobDescriptorPath(staging, job.name);
  await fs.mkdir(jobsDir(staging), { recursive: true });
  await writeFileAtomic(fs, file, `${JSON.stringify(JobDescriptorSchema.parse(job), null, 2)}\n`);
  return file;
}

/**
 * Reads a job's secrets (storage account key, container SAS) and registers them with the
 * redactor. A job without a secrets file has none: `{}`.
 */
export async function readJobSecrets(
  deps: Deps,
  staging: string,
  job: string,
): Promise<JobSecrets> {
  const file = jobSecretsPath(staging, job);
  const secrets =
    (await readJsonFile(deps.fs, file, JobSecretsSchema, {
      what: 'secrets file',
      hint: 'record the key again with diskprep init --force --storage-account-key ...',
    })) ?? {};
  deps.redactor.add(secrets.storageAccountKey);
  deps.redactor.add(secrets.containerSas);
  // Files written before the token alone was the stored form may hold `<container>?<token>`.
  if (secrets.containerSas !== undefined) {
    secrets.containerSas = parseContainerSas(secrets.containerSas).token;
    deps.redactor.add(secrets.containerSas);
  }
  // The signature alone, decoded, as it may appear in a URL the SDK or a log prints.
  deps.redactor.add(sasSignature(secrets.containerSas ?? ''));
  return secrets;
}

/** Writes a job's secrets atomically with mode 0600 (its folder 0700). */
export async function writeJobSecrets(
  fs: Deps['fs'],
  staging: string,
  job: string,
  secrets: JobSecrets,
): Promise<string> {
  const dir = journalDir(staging, job);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = jobSecretsPath(staging, job);
  await writeFileAtomic(fs, file, `${JSON.stringify(JobSecretsSchema.parse(secrets), null, 2)}\n`, {
    mode: 0o600,
  });
  return file;
}
