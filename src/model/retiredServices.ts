/**
 * The services Microsoft has retired. diskprep still speaks their wire formats (a seed run with
 * `s:` … `p:` keeps working), but every place an operator meets one says it is retired, when,
 * and that new jobs go to `--service databox`: the help, `check`, and one warning per run on
 * stderr (never stdout, so `--json` stays one document).
 */
import type { Deps } from '../deps/types.ts';
import type { ServiceKind } from './job.ts';

/** The service new jobs use, and the default wherever no `p:` implies classic. */
export const DEFAULT_SERVICE = 'databox' satisfies ServiceKind;

/** A retired service: what it was and the day it was retired (ISO date). */
export interface Retirement {
  service: ServiceKind;
  /** How the operator knows it. */
  what: string;
  /** YYYY-MM-DD. */
  retiredOn: string;
}

const RETIRED: Partial<Record<ServiceKind, Retirement>> = {
  classic: {
    service: 'classic',
    what: 'the classic Azure Import/Export service (publish settings)',
    retiredOn: '2024-08-31',
  },
  importexport: {
    service: 'importexport',
    what: 'the Microsoft.ImportExport REST API',
    retiredOn: '2023-02-28',
  },
};

/** The retirement of `service`, undefined while it is live. */
export function retirementOf(service: ServiceKind): Retirement | undefined {
  return RETIRED[service];
}

/** Where to go instead, as the warning, `check` and the help put it. */
export const RETIRED_FIX = `use --service ${DEFAULT_SERVICE} (Microsoft.DataBox customer-disk jobs) for new jobs`;

/** The one-line warning: what was retired, when, and where to go instead. */
export function retirementWarning(r: Retirement): string {
  return `${r.what} was retired on ${r.retiredOn}: ${RETIRED_FIX}`;
}

/** For option help: `classic retired 2024-08-31, importexport retired 2023-02-28`. */
export const RETIRED_SUMMARY = Object.values(RETIRED)
  .map((r) => `${r.service} retired ${r.retiredOn}`)
  .join(', ');

// Keyed by the run's terminal (made once per run by createDeps), so a run that connects,
// checks and records the same job warns once.
const warned = new WeakSet<object>();

/** Prints the retirement warning on stderr once per run when `service` is retired. */
export function warnIfRetired(deps: Pick<Deps, 'terminal'>, service: ServiceKind): void {
  const r = retirementOf(service);
  if (!r || warned.has(deps.terminal)) return;
  warned.add(deps.terminal);
  deps.terminal.warn(retirementWarning(r));
}
