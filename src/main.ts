/**
 * The process boundary: parse argv, build the deps, run one command, map every outcome to an
 * exit code. The only module that reads `process` (through its parameter) or exits.
 */
import { readFileSync } from 'node:fs';
import { jsonRequested } from './cli/common.ts';
import { parseCommandLine } from './cli/program.ts';
import type { ProcessLike } from './createDeps.ts';
import { describeError, type ErrorReport, ExitCode, InterruptedError } from './errors.ts';
import { Redactor } from './redact.ts';

// Defined only by the single executable's bundler (scripts/package.mjs): it has no package.json beside it.
declare const DISKPREP_VERSION: string | undefined;

/** diskprep's version, from package.json (or as the executable's bundler recorded it). */
export function readVersion(): string {
  if (typeof DISKPREP_VERSION === 'string') return DISKPREP_VERSION;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** A process as main needs it: what createDeps reads plus signals. */
export interface MainProcess extends ProcessLike {
  version: string;
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/**
 * Runs diskprep with `proc.argv` and resolves to the exit code (never rejects, never exits).
 */
export async function run(proc: MainProcess): Promise<number> {
  const version = readVersion();
  const versions = `diskprep ${version}, node ${proc.version}, ${proc.platform}`;
  const fallbackRedactor = new Redactor();
  const args = proc.argv.slice(2);
  // Before deps exist (argument errors, a failed start): the line on stderr, and under
  // --json / -o json the error object on stdout too, so a script always gets a document.
  const reportEarly = (err: unknown): number => {
    const report = describeError(err, versions);
    if (report.line) proc.stderr.write(`diskprep: ${fallbackRedactor.redact(report.line)}\n`);
    if (report.json && jsonRequested(args))
      proc.stdout.write(`${fallbackRedactor.redact(errorDocument(report))}\n`);
    return report.exitCode;
  };

  let parsed;
  try {
    parsed = await parseCommandLine(args, version);
  } catch (err) {
    return reportEarly(err);
  }
  if (parsed.kind === 'text') {
    proc.stdout.write(parsed.text.endsWith('\n') ? parsed.text : `${parsed.text}\n`);
    return ExitCode.ok;
  }

  const { invocation } = parsed;
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts += 1;
    if (interrupts === 1) {
      proc.stderr.write(
        '\ndiskprep: stopping after cleanup (press Ctrl-C again to stop at once)\n',
      );
      controller.abort(new InterruptedError());
    } else {
      // The operator insists: leave now. Resume is safe, the journal is only ever written atomically.
      proc.stderr.write('diskprep: interrupted\n');
      forceExit(ExitCode.interrupted);
    }
  };
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  try {
    // Loaded only once a command runs: --help, --version and usage errors stay fast.
    const { createDeps } = await import('./createDeps.ts');
    const deps = createDeps(proc, invocation.common, controller.signal, version);
    try {
      await invocation.run(deps);
      return ExitCode.ok;
    } catch (err) {
      const report = describeError(
        controller.signal.aborted && !(err instanceof Error && 'exitCode' in err)
          ? new InterruptedError()
          : err,
        versions,
      );
      if (report.line) proc.stderr.write(`diskprep: ${deps.redactor.redact(report.line)}\n`);
      if (invocation.common.verbose && err instanceof Error && err.stack) {
        deps.terminal.verbose(err.stack);
        if (err.cause instanceof Error && err.cause.stack)
          deps.terminal.verbose(`caused by: ${err.cause.stack}`);
      }
      if (invocation.common.json && report.json) deps.output.json({ error: report.json });
      return report.exitCode;
    }
  } catch (err) {
    return reportEarly(err);
  } finally {
    proc.off('SIGINT', onSignal);
    proc.off('SIGTERM', onSignal);
  }
}

/** `{"error": {...}}`, the document every `--json` failure prints on stdout. */
function errorDocument(report: ErrorReport): string {
  return JSON.stringify({ error: report.json }, null, 2);
}

let forceExit: (code: number) => void = (code) => process.exit(code);

/** Entry point of the bin: runs and exits with the code once stdout and stderr are flushed. */
export async function main(): Promise<void> {
  forceExit = (code) => process.exit(code);
  const code = await run(process);
  process.exitCode = code;
  // Flush, then leave even if keep-alive sockets or FUSE children hold the event loop.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
