/**
 * `diskprep prepare` (legacy `s:<staging> [p:<file>]`): prepares the drives of a job (disks
 * named with `--drive` or chosen, or volumes already mounted with `--target`), copies the data
 * in one pass with MD5, writes each drive's manifest and drive-info XML, creates the import job
 * (or leaves the drive-info XML for the portal with `--offline`) and says where to ship. The
 * steps live in src/prepare; see {@link runPrepareFlow}.
 */
import type { Deps } from '../../deps/types.ts';
import { type FlowSeams, runPrepareFlow } from '../../flows/prepare/flow.ts';
import type { PrepareOptions } from '../../flows/prepare/options.ts';

export type { PrepareOptions } from '../../flows/prepare/options.ts';

/**
 * Prepares the drives of a job and creates the job; `initJob` records a job inline when the
 * staging location has none (the CLI hands in `diskprep init`).
 */
export async function prepare(
  options: PrepareOptions,
  deps: Deps,
  initJob?: FlowSeams['initJob'],
): Promise<void> {
  await runPrepareFlow(options, deps, initJob ? { initJob } : {});
}
