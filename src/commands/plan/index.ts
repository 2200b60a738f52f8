/**
 * `diskprep plan s:<staging> --drive-size 8TB`: checks the job's data (every problem at
 * once) and says how many drives it needs and which files go on each, in walk order.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { count, formatBytes, formatDriveSize } from '../../format.ts';
import { selectJob } from '../../journal/jobs.ts';
import {
  createDrivePlanner,
  type DrivePlan,
  MAX_DRIVES_PER_JOB,
  parseDriveSize,
} from '../../staging/plan.ts';
import { validateJobData } from '../../staging/validate.ts';

/** Options of {@link plan}. */
export interface PlanOptions {
  staging: string;
  job?: string;
  driveSize: string;
}

/** Plans the job's data onto drives of `--drive-size` bytes. */
export async function plan(options: PlanOptions, deps: Deps): Promise<void> {
  const driveSize = parseDriveSize(options.driveSize);
  const staging = path.resolve(deps.cwd, options.staging);
  const job = await selectJob(deps, staging, options.job);
  const planner = createDrivePlanner({
    driveSize,
    container: job.container,
    prefix: job.prefix,
    keepPaths: deps.terminal.verboseEnabled,
  });
  // One pass: validation and placement. A file too big for a drive is reported after the
  // name problems, which are the ones an operator fixes first.
  let tooBig: Error | undefined;
  await validateJobData(deps, staging, job, {
    onFile: (f) => {
      if (tooBig !== undefined) return;
      try {
        planner.add(f);
      } catch (err) {
        tooBig = err instanceof Error ? err : new Error(String(err));
      }
    },
  });
  if (tooBig !== undefined) throw tooBig;
  const result = planner.finish();
  const warnings: string[] = [];
  if (result.drives.length > MAX_DRIVES_PER_JOB) {
    warnings.push(
      `${result.drives.length} drives: an import job takes at most ${MAX_DRIVES_PER_JOB}; split the data into several jobs (diskprep init --data <subfolder>) or use bigger drives`,
    );
  }
  for (const w of warnings) deps.terminal.warn(w);
  if (deps.output.jsonMode) {
    deps.output.json({ job: job.name, staging, ...result, warnings });
    return;
  }
  printPlan(deps, job.name, result);
}

function printPlan(deps: Deps, name: string, p: DrivePlan): void {
  if (p.files === 0) {
    deps.output.line(`job "${name}": no files to copy`);
    return;
  }
  const n = p.drives.length;
  deps.output.line(
    `job "${name}": ${count(p.files, 'file')}, ${formatBytes(p.bytes)} → ${count(n, 'drive')} of ${formatDriveSize(p.driveSize)} (about ${formatBytes(p.usableBytes)} usable each)`,
  );
  deps.output.line('');
  deps.output.line('drive  files      data        manifest   first → last');
  for (const d of p.drives) {
    deps.output.line(
      `${String(d.index).padEnd(6)} ${String(d.files).padEnd(10)} ${formatBytes(d.bytes).padEnd(11)} ${formatBytes(d.manifestBytes).padEnd(10)} ${d.first} → ${d.last}`,
    );
    for (const f of d.paths ?? []) deps.output.line(`         ${f}`);
  }
}
