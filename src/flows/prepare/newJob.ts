/**
 * `prepare` on a staging location where no job is recorded yet: interactively, `init`'s
 * questions are asked inline (the job's name and container here; the subscription, storage
 * account, resource group, location and, for a classic job, the manifest credential are listed
 * from Azure by init's discovery), so the operator does not have to leave and come back. A run
 * that cannot ask, or a dry run, exits 3 naming init's flags.
 */
import type { Deps } from '../../deps/types.ts';
import { askValid } from '../../deps/askValid.ts';
import { NeedsAnswerError } from '../../errors.ts';
import { listJobs } from '../../journal/jobs.ts';
import type { AzureOptions } from '../../model/importJob.ts';
import type { ServiceKind } from '../../model/job.ts';
import { containerProblem, jobNameProblem } from '../../model/names.ts';
import { DEFAULT_SERVICE } from '../../model/retiredServices.ts';
import type { PrepareOptions } from './options.ts';
import { withArticle } from '../../format.ts';

/** What `init` is given when `prepare` records a job inline (the rest it discovers or asks). */
export interface InlineInit {
  staging: string;
  job: string;
  container: string;
  service: ServiceKind;
  subscription?: string;
  azure: AzureOptions;
  proxy?: string;
}

/** Records a job the way `diskprep init` does (the command layer hands it in). */
export type InitJob = (o: InlineInit) => Promise<void>;

/**
 * The job to prepare when the staging location holds none: recorded inline and returned;
 * undefined when jobs are recorded (the usual choice applies then).
 *
 * @throws NeedsAnswerError (exit 3) naming `--job` and `--container` when it cannot ask
 */
export async function recordJobInline(
  deps: Deps,
  o: PrepareOptions,
  initJob: InitJob | undefined,
): Promise<string | undefined> {
  if ((await listJobs(deps.fs, o.staging)).length > 0) return undefined;
  const record = `diskprep init s:${o.staging} --job <name> --container <name>`;
  // A dry run writes nothing, so it records no job either.
  if (!deps.prompt.interactive || !initJob || deps.exec.dryRun)
    throw new NeedsAnswerError(
      `no import job is recorded in ${o.staging}; missing --job, --container`,
      '--job',
      {
        hint: `record it first: ${record} (the subscription, storage account, resource group and location are listed from Azure when left out)`,
        details: { flags: ['--job', '--container'] },
      },
    );
  const service: ServiceKind = o.publishSettings ? 'classic' : DEFAULT_SERVICE;
  deps.terminal.info(
    `no import job is recorded in ${o.staging}: recording ${withArticle(service)} job now (as ${record} would)`,
  );
  const job =
    o.job ??
    (await askValid(deps, {
      message: 'Name of the new import job',
      flag: '--job',
      check: (v) => jobNameProblem(service, v) ?? true,
    }));
  const container = await askValid(deps, {
    message: 'Container the data goes to',
    flag: '--container',
    check: (v) => containerProblem(v) ?? true,
  });
  await initJob({
    staging: o.staging,
    job,
    container,
    service,
    ...(o.subscription && !o.publishSettings ? { subscription: o.subscription } : {}),
    azure: o.azure,
    ...(o.proxy ? { proxy: o.proxy } : {}),
  });
  return job;
}
