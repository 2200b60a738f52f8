/**
 * What `s:` says about the job once the drives are prepared, true to the job's state on the
 * service: a job still waiting for its drives is told to ship them (and offered the shipping
 * details); a job run again after its details were entered, or later, is shown where it is and
 * what comes next, never "ship the drives".
 */
import type { Deps } from '../../deps/types.ts';
import type { ImportJobService, JobStatus } from '../../model/importJob.ts';
import type { ServiceKind } from '../../model/job.ts';
import { acceptsShippingDetails, explainState, nextStep } from '../ship/jobStates.ts';

/** The job as the service reports it now; undefined (with a warning) when it cannot say. */
export async function currentJobState(
  deps: Deps,
  service: ImportJobService,
  name: string,
): Promise<JobStatus | undefined> {
  try {
    return await service.getJob(name);
  } catch (err) {
    deps.terminal.warn(
      `cannot read the state of job ${name}: ${(err as Error).message.split('\n')[0] ?? ''}; see it with diskprep status`,
    );
    return undefined;
  }
}

/**
 * True when the job still waits for its drives (or its state is unknown): the datacenter
 * address, the serials to write and the shipping rules apply, and shipping can be entered.
 */
export function awaitsDrives(job: { service: ServiceKind; state: string | null }): boolean {
  return (
    job.state === null || acceptsShippingDetails({ service: job.service, serviceState: job.state })
  );
}

/** The sentence after the drives: created or found, and what the operator does next. */
export function jobNote(
  name: string,
  kind: ServiceKind,
  createdNow: boolean,
  status: JobStatus | undefined,
  how: { shipCommand: string; verifyCommand: string },
): string {
  const what = `import job ${name} ${createdNow ? 'created' : 'exists'} on the ${kind} service`;
  // The full u: command follows on its own line ("When the package is on its way: ...").
  if (!status || acceptsShippingDetails(status))
    return `${what}; ship the drives, then enter the tracking number with diskprep u:`;
  return `${what} and is ${status.serviceState}: ${explainState(status)}; next: ${nextStep(status, how)}`;
}

/** The commands the next step names: `u:` with this run's staging and publish settings. */
export function nextCommands(o: { staging: string; publishSettings?: string | undefined }): {
  shipCommand: string;
  verifyCommand: string;
} {
  return {
    shipCommand: `diskprep u: s:${o.staging}${o.publishSettings ? ` p:${o.publishSettings}` : ''}`,
    verifyCommand: `diskprep verify-import s:${o.staging}`,
  };
}
