/**
 * The job `status` and `cancel` work on, and its service: by `--subscription`,
 * `--resource-group` and `--job` a Data Box job straight from the service (one created elsewhere
 * needs no local record), else the staging location's job or one of this computer's list
 * ({@link locateJob}) through the one connect module.
 */
import type { Deps } from '../../deps/types.ts';
import {
  type ConnectOptions,
  connectDataBoxJobs,
  connectJobService,
} from '../../importjob/connect.ts';
import type { ImportJobService } from '../../model/importJob.ts';
import { readLocalJobs } from '../../registry/localJobs.ts';
import { type LocatedJob, locateJob } from './locateJob.ts';

/** Options of {@link reachJob}. */
export interface ReachOptions extends Omit<ConnectOptions, 'subscription'> {
  staging?: string | undefined;
  job?: string | undefined;
  subscription?: string | undefined;
  /** `--resource-group`: with `--job` and `--subscription`, the Data Box job by name. */
  resourceGroup?: string | undefined;
}

/** The job found and its service (none for an offline job). */
export interface ReachedJob extends LocatedJob {
  service: ImportJobService | undefined;
  /** True when the job was named by subscription, resource group and name (not from a record). */
  byName: boolean;
}

/** Finds the job and connects to its service. */
export async function reachJob(deps: Deps, o: ReachOptions): Promise<ReachedJob> {
  if (o.job && o.resourceGroup && !o.staging) {
    const service = connectDataBoxJobs(deps, o);
    const local = (await readLocalJobs(deps)).find(
      (j) => j.name === o.job && j.resourceGroup === o.resourceGroup && j.service === 'databox',
    );
    return {
      job: {
        name: o.job,
        service: 'databox',
        createdAt: local?.createdAt ?? deps.clock.now().toISOString(),
        subscription: o.subscription!,
        resourceGroup: o.resourceGroup,
      },
      staging: local?.staging,
      local,
      service,
      byName: true,
    };
  }
  const located = await locateJob(deps, {
    purpose: 'status',
    ...(o.staging ? { staging: o.staging } : {}),
    ...(o.job ? { job: o.job } : {}),
  });
  if (located.job.service === 'offline') return { ...located, service: undefined, byName: false };
  const { service } = await connectJobService(deps, located.job, o);
  return { ...located, service, byName: false };
}
