/**
 * Taking a Data Box job created elsewhere (the portal, Azure Backup's agent) under diskprep's
 * care: the service is asked for the job by name first (so a typo is refused, not recorded), then
 * it is added to this computer's job list, where `u:`, `status` and `cancel` find it.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import type { ImportJobService, JobStatus } from '../../model/importJob.ts';
import { type LocalJob, readLocalJobs, recordLocalJob } from '../../registry/localJobs.ts';

/** Where the adopted job lives. */
export interface AdoptTarget {
  name: string;
  subscription: string;
  resourceGroup: string;
  /** The staging location to file it under (optional: an adopted job may have none). */
  staging?: string | undefined;
}

/** What {@link adoptExternalJob} did. */
export interface Adopted {
  job: JobStatus;
  local: LocalJob;
  /** The job list written. */
  file: string;
  /** False when this computer's list already had the job (it is kept as it was). */
  added: boolean;
}

/**
 * Looks the job up on the service (AzureError, exit 4, when it does not exist) and records it in
 * this computer's job list; a job already listed under the same name and staging is left as it is.
 */
export async function adoptExternalJob(
  deps: Deps,
  service: ImportJobService,
  target: AdoptTarget,
): Promise<Adopted> {
  const job = await service.getJob(target.name);
  const staging = target.staging ? path.resolve(deps.cwd, target.staging) : undefined;
  const existing = (await readLocalJobs(deps)).find(
    (j) =>
      j.name === target.name &&
      (j.staging === undefined ? undefined : path.resolve(deps.cwd, j.staging)) === staging,
  );
  const local: LocalJob = existing ?? {
    name: target.name,
    service: 'databox',
    ...(staging ? { staging } : {}),
    subscription: target.subscription,
    resourceGroup: target.resourceGroup,
    createdAt: deps.clock.now().toISOString(),
  };
  const file = await recordLocalJob(deps, local);
  return { job, local, file, added: !existing };
}
