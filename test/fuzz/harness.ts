/**
 * The fuzz layer's common ground: the seed and run count (fixed in CI, `FUZZ_SEED` /
 * `FUZZ_RUNS` to change them locally), the outcome every case must have, and the tally of exit
 * codes printed at the end (and appended to `$FUZZ_REPORT` as JSON lines when set).
 */
import { appendFileSync } from 'node:fs';
import type fc from 'fast-check';
import { expect } from 'vitest';
import { describeError } from '../../src/errors.ts';
import type { CliRun } from '../helpers/cli.ts';

/** The seed of every property (printed by fast-check with the failing case). */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261121);

/** Runs per property: `ciRuns` unless `FUZZ_RUNS` says otherwise. */
export function runsOf(ciRuns: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : ciRuns;
}

/** fast-check parameters for one property. */
export function params(ciRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: runsOf(ciRuns), endOnFailure: true };
}

/** Exit codes of the README table. */
export const EXIT_CODES = new Set([0, 1, 2, 3, 4, 5, 130]);

const tally = new Map<string, Map<number, number>>();
let internalErrors = 0;

/** Counts one outcome under `target`. */
export function count(target: string, exitCode: number, stderr: string): void {
  const byCode = tally.get(target) ?? new Map<number, number>();
  byCode.set(exitCode, (byCode.get(exitCode) ?? 0) + 1);
  tally.set(target, byCode);
  if (stderr.includes('internal error')) internalErrors++;
}

/**
 * The outcome every case must have, whatever the input: an exit code of the README table (-1
 * is a hang), no "internal error", at most 3 lines on stderr besides warnings, no stack trace.
 */
export function expectClean(target: string, r: CliRun, input: () => string): void {
  count(target, r.exitCode, r.stderr);
  // Warnings are one line each about the machine, not the input (`drives --all` warns per disk).
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('⚠ '));
  const problem = !EXIT_CODES.has(r.exitCode)
    ? `exit code ${r.exitCode}${r.exitCode === -1 ? ' (hung)' : ''}`
    : r.stderr.includes('internal error')
      ? 'internal error'
      : lines.length > 3
        ? `${lines.length} lines on stderr`
        : /^\s+at /m.test(r.stderr)
          ? 'stack trace'
          : undefined;
  if (problem) {
    expect.fail(
      `${target}: ${problem}\n--- stderr ---\n${r.stderr.slice(0, 2000)}\n--- input ---\n${input().slice(0, 1000)}`,
    );
  }
}

/**
 * A reader called directly: its error mapped by the function main uses (src/errors.ts), as the
 * process would report it.
 */
export async function asRun(fn: () => Promise<unknown>): Promise<CliRun> {
  try {
    await fn();
    return { exitCode: 0, stdout: '', stderr: '' };
  } catch (err) {
    const report = describeError(err, 'fuzz');
    return {
      exitCode: report.exitCode,
      stdout: '',
      stderr: report.line ? `diskprep: ${report.line}\n` : '',
    };
  }
}

/** The tally as text, and as one JSON line in `$FUZZ_REPORT`. */
export function report(layer: string): string {
  const targets = Object.fromEntries(
    [...tally].map(([t, m]) => [t, Object.fromEntries([...m].sort((a, b) => a[0] - b[0]))]),
  );
  const runs = [...tally.values()].reduce(
    (n, m) => n + [...m.values()].reduce((a, b) => a + b, 0),
    0,
  );
  const summary = { layer, seed: SEED, runs, internalErrors, targets };
  if (process.env.FUZZ_REPORT)
    appendFileSync(process.env.FUZZ_REPORT, `${JSON.stringify(summary)}\n`);
  return JSON.stringify(summary);
}
