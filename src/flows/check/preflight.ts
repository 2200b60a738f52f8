/**
 * prepare's preflight: the checks that matter before a disk is touched, with the same lines
 * and fixes as `diskprep check`. The lead calls {@link runPreflight} from prepare.
 */
import type { AzureOptions } from '../../model/importJob.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError, ExitCode, type ExitCodeValue } from '../../errors.ts';
import type { ServiceKind } from '../../model/job.ts';
import { checkLines } from './report.ts';
import { runChecks, SERVICE_RETIRED, type CheckReport, type CheckRunOptions } from './runChecks.ts';
import type { CheckResult } from './types.ts';

/** What prepare knows when it starts. */
export interface PreflightOptions {
  staging: string;
  job?: string;
  /** True when a drive is formatted or unlocked in this run (false with `--target <mounted>`). */
  needsDisk: boolean;
  /** The job's service; `offline` skips every Azure check. */
  service?: ServiceKind;
  /** True when this run creates the job in Azure (needs a subscription that allows it). */
  createsJob?: boolean;
  publishSettings?: string;
  subscription?: string;
  azure?: AzureOptions;
  proxy?: string;
  caFile?: string;
  country?: string;
  /** Blob service URL of the storage account (default: from the cloud). */
  blobEndpoint?: string;
  /** Seams, as for {@link runChecks}. */
  seams?: Pick<CheckRunOptions, 'probe' | 'tokens' | 'lookup'>;
}

/** The exit code for a failed check: OS (5), input (2), Azure (4). */
export function exitCodeFor(c: CheckResult): ExitCodeValue {
  if (c.id === 'elevation' || c.id.startsWith('tool')) return ExitCode.disk;
  if (['staging', 'job', 'data-size', 'journal-space', 'publish-settings'].includes(c.id))
    return ExitCode.usage;
  return ExitCode.azure;
}

/**
 * Runs the checks prepare needs; prints the ✗ and ⚠ lines on stderr; throws a DiskprepError
 * naming the first failure (its fix as the hint) when prepare must not go on. A subscription
 * that cannot create jobs stops a run that creates one.
 */
export async function runPreflight(deps: Deps, options: PreflightOptions): Promise<CheckReport> {
  const report = await runChecks(deps, {
    staging: options.staging,
    ...(options.job ? { job: options.job } : {}),
    ...(options.service ? { service: options.service } : {}),
    ...(options.publishSettings ? { publishSettings: options.publishSettings } : {}),
    ...(options.subscription ? { subscription: options.subscription } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.country ? { country: options.country } : {}),
    ...(options.blobEndpoint ? { blobEndpoint: options.blobEndpoint } : {}),
    azure: options.azure ?? {},
    needsDisk: options.needsDisk,
    needsAzure: options.service !== 'offline',
    ...options.seams,
  });
  const blocking = report.checks.filter(
    (c) =>
      c.status === 'fail' &&
      // A disabled subscription only blocks runs that create a job: prepare --offline-style
      // runs may still prepare drives now and create the job once it is re-enabled.
      !(c.id === 'subscription' && options.createsJob === false) &&
      // The SKU is re-checked when the job is created; not a reason to stop copying.
      c.id !== 'sku',
  );
  for (const c of report.checks) {
    // runChecks printed the retirement as the run's one warning already.
    if (c.id === SERVICE_RETIRED) continue;
    if (c.status === 'fail' || c.status === 'warn') {
      const [line, fix] = checkLines(c);
      if (c.status === 'fail') deps.terminal.error(line!.slice(2));
      else deps.terminal.warn(line!.slice(2));
      if (fix) deps.terminal.info(fix);
    }
  }
  if (blocking.length > 0) {
    const first = blocking[0]!;
    throw new DiskprepError(
      `cannot prepare: ${first.title}: ${first.detail}${blocking.length > 1 ? ` (and ${blocking.length - 1} more problem${blocking.length > 2 ? 's' : ''} above)` : ''}`,
      exitCodeFor(first),
      {
        code: 'ERR_DISKPREP_PREFLIGHT',
        ...(first.fix ? { hint: first.fix } : {}),
        details: { failed: blocking.map((c) => c.id) },
      },
    );
  }
  return report;
}
