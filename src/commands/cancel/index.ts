/**
 * `diskprep cancel [--job <name>] [--reason <text>] [--yes]`: asks the service to cancel an
 * import job, only while the service says it can be cancelled (Data Box `isCancellable`; the
 * other services: while the job waits for its drives). Interactively the job's name is typed back;
 * a script passes `--job` and `--yes`. The cancellation is recorded in this computer's job list.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError, NeedsAnswerError, needsChoice, UsageError } from '../../errors.ts';
import type { ServiceFactory } from '../../importjob/connect.ts';
import type { AzureOptions, JobStatus } from '../../model/importJob.ts';
import { reachJob } from '../../flows/ship/reachJob.ts';
import { markLocalJob } from '../../flows/ship/locateJob.ts';
import { readLocalJobs } from '../../registry/localJobs.ts';

/** Options of {@link cancel}. */
export interface CancelOptions {
  azure: AzureOptions;
  staging?: string | undefined;
  publishSettings?: string | undefined;
  subscription?: string | undefined;
  resourceGroup?: string | undefined;
  job?: string | undefined;
  reason?: string | undefined;
  yes: boolean;
  proxy?: string | undefined;
}

/** What the service is told when no `--reason` is given. */
export const DEFAULT_REASON = 'Cancelled by the operator with diskprep';

/** Cancels the job when the service allows it; otherwise one line naming the state (exit 1). */
export async function cancel(
  options: CancelOptions,
  deps: Deps,
  seams: { createService?: ServiceFactory } = {},
): Promise<void> {
  if (options.yes && !options.job) {
    // The candidates: this computer's jobs not yet cancelled (a script names one of them).
    const known = (await readLocalJobs(deps)).filter(
      (j) => !j.cancelledAt && j.service !== 'offline',
    );
    throw needsChoice(
      'which job to cancel (--yes cancels only a job named)',
      '--job',
      known.reverse().map((j) => j.name),
    );
  }
  const reached = await reachJob(deps, {
    ...options,
    command: 'diskprep cancel',
    createService: seams.createService,
  });
  const { job, service } = reached;
  if (!service)
    throw new UsageError(`job ${job.name} is offline: diskprep created no Azure job to cancel`, {
      hint: 'cancel it in the Azure portal',
    });
  const info = await service.getJob(job.name);
  if (!cancellable(info))
    throw new DiskprepError(
      `job ${job.name} cannot be cancelled in state ${info.serviceState}: the ${info.service} service no longer allows it`,
      undefined,
      {
        code: 'ERR_DISKPREP_NOT_CANCELLABLE',
        hint:
          info.state === 'cancelled'
            ? 'it is cancelled already'
            : 'once the drives are on their way, ask Azure support',
      },
    );
  await confirmCancel(deps, job.name, options.yes);
  const reason = options.reason?.trim() || DEFAULT_REASON;
  await service.cancel(job.name, reason);
  const after = await service.getJob(job.name);
  const cancelledAt = deps.clock.now().toISOString();
  const recorded = await markLocalJob(deps, reached, { cancelledAt });
  if (deps.output.jsonMode) {
    deps.output.json({
      job: job.name,
      service: info.service,
      cancelled: true,
      state: after.serviceState,
      reason,
      cancelledAt,
      recordedIn: recorded ?? null,
    });
    return;
  }
  deps.output.line(`job ${job.name} (${info.service}) cancelled: ${after.serviceState}`);
  deps.output.line(`  reason: ${reason}`);
  if (recorded) deps.output.line(`  recorded in ${recorded}`);
}

/** Whether the service says the job can be cancelled now. */
function cancellable(info: JobStatus): boolean {
  return info.cancellable ?? info.state === 'creating';
}

/** The job's name typed back; a script's `--yes` (with `--job`, checked before) stands for it. */
async function confirmCancel(deps: Deps, name: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!deps.prompt.interactive)
    throw new NeedsAnswerError(`cancel job ${name}`, '--yes', {
      hint: `pass --job ${name} --yes to cancel it from a script`,
    });
  const typed = await deps.prompt.text({
    message: `Type the job's name (${name}) to cancel it (anything else cancels nothing)`,
    flag: '--yes',
  });
  if (typed.trim() !== name)
    throw new DiskprepError(`"${typed.trim()}" is not ${name}: nothing was cancelled`, undefined, {
      code: 'ERR_DISKPREP_NOT_CONFIRMED',
      hint: `run diskprep cancel --job ${name} again and type ${name}`,
    });
}
