/**
 * Finds the job `diskprep u:` / `diskprep status` works on: from the staging location when
 * `s:` is given, else from this computer's own list of the jobs it created (the way
 * AzureOfflineBackupDiskPrep `u:` finds "the import job it waits on" on the source computer).
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import {
  jobsAwaitingShipment,
  type LocalJob,
  readLocalJobs,
  recordLocalJob,
} from '../../registry/localJobs.ts';
import { readJobDescriptor, selectJob } from '../../journal/jobs.ts';
import type { ShipJob } from '../../model/shipping.ts';

/** A job found, with where it was found. */
export interface LocatedJob {
  job: ShipJob;
  /** The staging location, when known and readable (its journal is then used). */
  staging: string | undefined;
  /** The entry of this computer's list, when the job is in it. */
  local: LocalJob | undefined;
}

/** Options of {@link locateJob}. */
export interface LocateOptions {
  staging?: string;
  job?: string;
  /** `ship`: only jobs still waiting for shipping details; `status`: every job. */
  purpose: 'ship' | 'status';
}

const SHIP_HINT =
  'pass s:<staging> (and p:<file.publishsettings> for a classic job), e.g. diskprep u: s:D:\\staging p:C:\\keys\\my.publishsettings';
const STATUS_HINT =
  'pass s:<staging> (and p:<file.publishsettings> for a classic job), e.g. diskprep status s:D:\\staging';

/** Finds the job; asks (flag `--job`) when several fit. */
export async function locateJob(deps: Deps, options: LocateOptions): Promise<LocatedJob> {
  if (options.staging) {
    // Absolute, so the saved file's path and this computer's list name it the same way.
    const staging = path.resolve(deps.cwd, options.staging);
    const job = await selectJob(deps, staging, options.job);
    const local = (await readLocalJobs(deps)).find(
      (j) =>
        j.name === job.name &&
        j.staging !== undefined &&
        path.resolve(deps.cwd, j.staging) === staging,
    );
    return { job, staging, local };
  }
  const hint = options.purpose === 'ship' ? SHIP_HINT : STATUS_HINT;
  const all = (await readLocalJobs(deps)).filter((j) => j.service !== 'offline').reverse();
  const candidates = options.purpose === 'ship' ? await jobsAwaitingShipment(deps) : all;
  let local: LocalJob | undefined;
  if (options.job) {
    local =
      candidates.find((j) => j.name === options.job) ?? all.find((j) => j.name === options.job);
    if (!local)
      throw new UsageError(`job "${options.job}" is not in this computer's list of jobs`, { hint });
  } else if (candidates.length === 0 && options.purpose === 'ship' && all.length === 1) {
    // Nothing waits for shipping details: the one job created here is shown where it is.
    local = all[0]!;
  } else if (candidates.length === 0) {
    throw new UsageError(
      options.purpose === 'ship'
        ? 'no job created on this computer is waiting for shipping details'
        : 'no job was created on this computer',
      { hint },
    );
  } else if (candidates.length === 1) {
    local = candidates[0]!;
  } else {
    const pick = await deps.prompt.select({
      message:
        options.purpose === 'ship'
          ? `${candidates.length} jobs created here wait for shipping details. Which one?`
          : `${candidates.length} jobs were created here. Which one?`,
      flag: '--job',
      choices: candidates.map((j, i) => ({
        name: j.name,
        value: i,
        description: `${j.service}, created ${j.createdAt.slice(0, 10)}, ${j.staging ? `staging ${j.staging}` : 'adopted (no staging location)'}`,
      })),
    });
    local = candidates[pick]!;
  }
  return fromLocal(deps, local);
}

/**
 * Marks a job in this computer's list (its entry, else a new one from the job and its staging
 * location) with `mark` (`shippedAt`, `cancelledAt`); a job known neither way is not listed.
 * Returns the list's path, or undefined (a failure to write is a warning, not an error).
 */
export async function markLocalJob(
  deps: Deps,
  located: Pick<LocatedJob, 'job' | 'local' | 'staging'>,
  mark: Pick<LocalJob, 'shippedAt' | 'cancelledAt'>,
): Promise<string | undefined> {
  const { job, local, staging } = located;
  if (!local && !staging) return undefined;
  try {
    return await recordLocalJob(deps, {
      ...(local ?? {
        name: job.name,
        service: job.service,
        staging,
        createdAt: job.createdAt,
        ...(job.subscription ? { subscription: job.subscription } : {}),
        ...(job.resourceGroup ? { resourceGroup: job.resourceGroup } : {}),
        ...(job.storageAccount ? { storageAccount: job.storageAccount } : {}),
      }),
      ...mark,
    });
  } catch (err) {
    deps.terminal.warn(`cannot update this computer's list of jobs: ${(err as Error).message}`);
    return undefined;
  }
}

/** The job of a local entry: its descriptor when the staging location is readable. */
async function fromLocal(deps: Deps, local: LocalJob): Promise<LocatedJob> {
  try {
    if (!local.staging) throw new Error('adopted: no staging location');
    const job = await readJobDescriptor(deps.fs, local.staging, local.name);
    return { job, staging: local.staging, local };
  } catch {
    deps.terminal.verbose(
      `cannot read job ${local.name}'s descriptor in ${local.staging}; using this computer's record of it`,
    );
    return {
      job: {
        name: local.name,
        service: local.service,
        createdAt: local.createdAt,
        ...(local.storageAccount ? { storageAccount: local.storageAccount } : {}),
        ...(local.subscription ? { subscription: local.subscription } : {}),
        ...(local.resourceGroup ? { resourceGroup: local.resourceGroup } : {}),
      },
      staging: undefined,
      local,
    };
  }
}
