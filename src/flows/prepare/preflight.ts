/**
 * The preflight step of `s:`: `runPreflight` of src/check (the same lines and fixes as
 * `diskprep check`), behind a seam so unit tests of the flow need no network or OS tools.
 */
import type { Deps } from '../../deps/types.ts';
import { type PreflightOptions, runPreflight } from '../check/preflight.ts';
import { withSpinner } from '../../deps/spinner.ts';

/** Runs the preflight; throws a DiskprepError naming the first blocking failure. */
export type PreflightSeam = (deps: Deps, options: PreflightOptions) => Promise<unknown>;

/** Runs `seam` (default {@link runPreflight}). */
export async function check(
  deps: Deps,
  seam: PreflightSeam | undefined,
  options: PreflightOptions,
): Promise<void> {
  // Endpoint probes and the subscription's state are network calls: seconds, at worst.
  await withSpinner(deps.terminal, 'checking this computer, the staging location and Azure', () =>
    (seam ?? runPreflight)(deps, options),
  );
}
