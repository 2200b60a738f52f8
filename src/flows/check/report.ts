/** Prints a {@link CheckReport}: one line per check, the fix under anything not ✓. */
import type { Deps } from '../../deps/types.ts';
import { count } from '../../format.ts';
import { symbolOf } from './format.ts';
import type { CheckReport } from './runChecks.ts';
import type { CheckResult } from './types.ts';

/** The text lines of one check (the line, then `    fix: ...` when there is one). */
export function checkLines(c: CheckResult): string[] {
  const lines = [`${symbolOf(c.status)} ${c.title}: ${c.detail}`];
  if (c.fix && c.status !== 'ok' && c.status !== 'skip') lines.push(`    fix: ${c.fix}`);
  return lines;
}

/** The JSON document of `diskprep check --json`. */
export function reportJson(report: CheckReport): unknown {
  return {
    ok: report.ok,
    service: report.service,
    checks: report.checks.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      detail: c.detail,
      fix: c.fix ?? null,
      ...(c.data ? { data: c.data } : {}),
    })),
    proxy: report.proxy,
    ...(report.operations ? { operations: report.operations } : {}),
  };
}

/** Prints the report on stdout (lines, or one JSON document). */
export function printReport(deps: Pick<Deps, 'output'>, report: CheckReport): void {
  if (deps.output.jsonMode) {
    deps.output.json(reportJson(report));
    return;
  }
  for (const c of report.checks) for (const l of checkLines(c)) deps.output.line(l);
  deps.output.line(
    report.proxy.url
      ? `proxy: ${report.proxy.url} (from ${report.proxy.source}${report.proxy.noProxy ? `, NO_PROXY=${report.proxy.noProxy}` : ''})`
      : 'proxy: none',
  );
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  deps.output.line(
    fails === 0
      ? `ready${warns ? ` (${count(warns, 'warning')})` : ''}`
      : `${count(fails, 'problem')} to fix${warns ? `, ${count(warns, 'warning')}` : ''}`,
  );
}
