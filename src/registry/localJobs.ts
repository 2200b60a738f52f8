/**
 * This computer's own list of the import jobs it created, so `diskprep u:` run on the same
 * computer finds the job waiting for shipping details without being told the staging location
 * (as AzureOfflineBackupDiskPrep's `u:` does on the source computer).
 *
 * Location: `%APPDATA%\diskprep\jobs.json` on Windows, `$XDG_CONFIG_HOME/diskprep/jobs.json`
 * (default `~/.config/diskprep/jobs.json`) elsewhere; override with DISKPREP_HOME. Holds no
 * secret.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { SERVICES } from '../model/job.ts';

/** One job this computer created. */
export const LocalJobSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a job name'),
  service: z.enum(SERVICES),
  /**
   * Absolute path (or UNC path) of the staging location; absent for a job created elsewhere
   * (portal, Azure Backup's agent) and adopted by name without one.
   */
  staging: z
    .string()
    .min(1)
    .max(4096)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f]*$/, 'must be a path without control characters')
    .optional(),
  subscription: z.string().max(100).optional(),
  resourceGroup: z.string().max(100).optional(),
  storageAccount: z.string().max(100).optional(),
  createdAt: z.iso.datetime({ offset: true }),
  /** Set once shipping details were committed. */
  shippedAt: z.iso.datetime({ offset: true }).optional(),
  /** Set once `diskprep cancel` had the service cancel the job. */
  cancelledAt: z.iso.datetime({ offset: true }).optional(),
});
export type LocalJob = z.infer<typeof LocalJobSchema>;

const FileSchema = z.object({ version: z.literal(1), jobs: z.array(LocalJobSchema) });

/** Folder of diskprep's per-computer files. */
export function localHome(deps: Pick<Deps, 'env' | 'platform'>): string {
  const { env } = deps;
  if (env.DISKPREP_HOME) return env.DISKPREP_HOME;
  if (deps.platform === 'win32') {
    return path.win32.join(
      env.APPDATA ?? path.win32.join(env.USERPROFILE ?? 'C:\\', 'AppData', 'Roaming'),
      'diskprep',
    );
  }
  return path.join(env.XDG_CONFIG_HOME ?? path.join(env.HOME ?? '/root', '.config'), 'diskprep');
}

function registryFile(deps: Pick<Deps, 'env' | 'platform'>): string {
  return path.join(localHome(deps), 'jobs.json');
}

/**
 * The jobs this computer created, oldest first; [] when none.
 *
 * @throws UsageError (exit 2) naming the file and the field when the file is damaged (it is
 *   not silently replaced: the jobs it lists would be forgotten)
 */
export async function readLocalJobs(
  deps: Pick<Deps, 'env' | 'platform' | 'fs'>,
): Promise<LocalJob[]> {
  const file = registryFile(deps);
  const data = await readJsonFile(deps.fs, file, FileSchema, {
    what: "this computer's job list",
    hint: `restore ${file} from a backup, or delete it (u: then needs s:<staging> to find a job)`,
  });
  return data?.jobs ?? [];
}

/** Adds or replaces (by name + staging; an adopted job without staging by name) one job, atomically. */
export async function recordLocalJob(
  deps: Pick<Deps, 'env' | 'platform' | 'fs'>,
  job: LocalJob,
): Promise<string> {
  const file = registryFile(deps);
  const jobs = (await readLocalJobs(deps)).filter(
    (j) => !(j.name === job.name && j.staging === job.staging),
  );
  jobs.push(job);
  await deps.fs.mkdir(path.dirname(file), { recursive: true });
  const data = FileSchema.parse({ version: 1, jobs });
  await writeFileAtomic(deps.fs, file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

/** The jobs created here that still wait for shipping details, newest first. */
export async function jobsAwaitingShipment(
  deps: Pick<Deps, 'env' | 'platform' | 'fs'>,
): Promise<LocalJob[]> {
  return (await readLocalJobs(deps))
    .filter((j) => !j.shippedAt && !j.cancelledAt && j.service !== 'offline')
    .reverse();
}
