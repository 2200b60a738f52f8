/**
 * `diskprep jobs --subscription <id> [--resource-group <name>] [--json]`: the Data Box
 * customer-disk jobs of a subscription or resource group (name, state, location, drives, created),
 * every page the service returns; `--adopt <name>` takes a job created elsewhere (portal, Azure
 * Backup's agent) under diskprep's care so `u:`, `status` and `cancel` find it.
 */
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import { connectDataBoxJobs, type ServiceFactory } from '../../importjob/connect.ts';
import type { AzureOptions, JobSummary } from '../../model/importJob.ts';
import { adoptExternalJob } from '../../flows/ship/adoptExternal.ts';
import { count, screenColumns } from '../../format.ts';
import { jobsTable } from './table.ts';

/** Options of {@link jobs}. */
export interface JobsOptions {
  azure: AzureOptions;
  subscription?: string | undefined;
  resourceGroup?: string | undefined;
  /** `--adopt <name>`: record this job in this computer's job list. */
  adopt?: string | undefined;
  /** `--staging`: the staging location to file an adopted job under. */
  staging?: string | undefined;
  proxy?: string | undefined;
}

/** Lists the Data Box jobs, or adopts one. */
export async function jobs(
  options: JobsOptions,
  deps: Deps,
  seams: { createService?: ServiceFactory } = {},
): Promise<void> {
  const service = connectDataBoxJobs(deps, { ...options, createService: seams.createService });
  if (options.adopt) {
    if (!options.resourceGroup)
      throw new UsageError(`--adopt ${options.adopt} needs the job's resource group`, {
        hint: `pass --resource-group <name>, e.g. diskprep jobs --adopt ${options.adopt} --subscription ${options.subscription ?? '<id>'} --resource-group rg-backup`,
      });
    const adopted = await adoptExternalJob(deps, service, {
      name: options.adopt,
      subscription: options.subscription!,
      resourceGroup: options.resourceGroup,
      staging: options.staging,
    });
    const { job } = adopted;
    if (deps.output.jsonMode) {
      deps.output.json({
        adopted: { ...adopted.local },
        added: adopted.added,
        job,
        file: adopted.file,
      });
      return;
    }
    deps.output.line(
      `${adopted.added ? 'adopted' : "already in this computer's list:"} Data Box job ${job.name} (${job.serviceState}, ${count(job.drives.length, 'drive')}) — recorded in ${adopted.file}`,
    );
    deps.output.line(
      `next: diskprep status --job ${job.name}; ship with diskprep u: --job ${job.name}`,
    );
    return;
  }
  const spinner = deps.terminal.spinner('listing the Data Box jobs');
  let list: JobSummary[];
  try {
    list = await service.listJobs();
  } finally {
    spinner.stop();
  }
  if (deps.output.jsonMode) {
    deps.output.json({ jobs: list.map(jsonJob) });
    return;
  }
  const where = options.resourceGroup
    ? `resource group ${options.resourceGroup}`
    : `subscription ${options.subscription}`;
  if (list.length === 0) {
    deps.output.line(`no Data Box customer-disk jobs in ${where}`);
    return;
  }
  deps.output.line(`${count(list.length, 'Data Box customer-disk job')} in ${where}:`);
  for (const row of jobsTable(list, screenColumns(deps.terminal))) deps.output.line(row);
}

/** One job of `--json`: every field present (null when the service did not say). */
function jsonJob(j: JobSummary) {
  return {
    name: j.name,
    state: j.serviceState,
    location: j.location ?? null,
    resourceGroup: j.resourceGroup ?? null,
    drives: j.driveCount ?? null,
    createdAt: j.createdAt ?? null,
    cancellable: j.cancellable ?? null,
  };
}
