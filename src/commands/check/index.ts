/**
 * `diskprep check`: can this job succeed from this computer? One line per check (✓ ⚠ ✗ –) with
 * the fix; exit 0 when nothing failed, 1 otherwise.
 */
import type { AzureOptions } from '../../model/importJob.ts';
import type { Deps } from '../../deps/types.ts';
import { ExitError } from '../../errors.ts';
import { printReport } from '../../flows/check/report.ts';
import { runChecks } from '../../flows/check/runChecks.ts';
import { withSpinner } from '../../deps/spinner.ts';
import type { ServiceKind } from '../../model/job.ts';

/** Options of {@link check}. */
export interface CheckOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  service?: ServiceKind;
  blobEndpoint?: string;
  country?: string;
  proxy?: string;
  caFile?: string;
}

/** Runs every check and prints the report; throws ExitError(1) after printing when one failed. */
export async function check(options: CheckOptions, deps: Deps): Promise<void> {
  const report = await withSpinner(deps.terminal, 'checking', () =>
    runChecks(deps, { ...options, needsDisk: true }),
  );
  printReport(deps, report);
  if (!report.ok) throw new ExitError(1);
}
