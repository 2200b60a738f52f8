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
import { SERVICES } from '../staging/types.ts';

/** One job this computer created. */
export const LocalJobSchema = z.object({
  name: z.string(),
  service: z.enum(SERVICES),
  staging: z.string(),
  subscription: z.string().optional(),
  resourceGroup: z.string().optional(),
  storageAccount: z.string().optional(),
  createdAt: z.string(),
  /** Set once shipping details were committed. */
  shippedAt: z.string().optional(),
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

/** The jobs this computer created, oldest first; [] when none or the file is unreadable. */
export async function readLocalJobs(
  deps: Pick<Deps, 'env' | 'platform' | 'fs'>,
): Promise<LocalJob[]> {
  try {
    const parsed = FileSchema.safeParse(
      JSON.parse(await deps.fs.readFile(registryFile(deps), 'utf8')),
    );
    return parsed.success ? parsed.data.jobs : [];
  } catch {
    return [];
  }
}

/** Adds or replaces (by name + staging) one job, atomically. */
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
  await writeFileAtomic(deps.fs, file, `${JSON.stringify({ version: 1, jobs }, null, 2)}\n`);
  return file;
}

/** The jobs created here that still wait for shipping details, newest first. */
export async function jobsAwaitingShipment(
  deps: Pick<Deps, 'env' | 'platform' | 'fs'>,
): Promise<LocalJob[]> {
  return (await readLocalJobs(deps))
    .filter((j) => !j.shippedAt && j.service !== 'offline')
    .reverse();
}
