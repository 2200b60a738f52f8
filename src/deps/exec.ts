/**
 * The exec seam: execa underneath, never a shell. Dry-run lives here: a `write: true` command
 * is printed as `! <command>` on stderr and skipped, read-only probes still run.
 */
import { execa } from 'execa';
import { DiskError } from '../errors.ts';
import type { Exec, ExecOptions, ExecResult, Terminal } from './types.ts';

/** Quotes one argument for display only (never executed through a shell). */
export function quoteArg(arg: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The display form of a command line. */
export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map(quoteArg).join(' ');
}

/** Creates the production exec seam. */
export function createExec(options: { dryRun: boolean; terminal: Terminal }): Exec {
  const { dryRun, terminal } = options;
  return {
    dryRun,
    async run(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
      const command = formatCommand(file, args);
      if (dryRun && opts.write) {
        terminal.info(`! ${command}`);
        return { command, exitCode: 0, stdout: '', stderr: '', dryRun: true };
      }
      terminal.verbose(`$ ${command}`);
      const child = execa(file, [...args], {
        reject: false,
        input: opts.input,
        cwd: opts.cwd,
        env: opts.env,
        extendEnv: true,
        timeout: opts.timeoutMs,
        cancelSignal: opts.signal,
        detached: opts.detached ?? false,
        stripFinalNewline: false,
        encoding: 'utf8',
        // Windows tools (PowerShell, manage-bde) print localized text; force UTF-8 where possible.
        windowsHide: true,
      });
      const r = await child;
      const exitCode = r.exitCode ?? (r.failed ? -1 : 0);
      const result: ExecResult = {
        command,
        exitCode,
        stdout: String(r.stdout ?? ''),
        stderr: String(r.stderr ?? ''),
        dryRun: false,
      };
      if (r.failed && r.exitCode === undefined) {
        // Not found, killed, timed out: there is no exit code to report.
        const why =
          (r as { code?: string }).code === 'ENOENT'
            ? `${file} is not installed or not on PATH`
            : r.timedOut
              ? `${file} timed out`
              : r.isCanceled
                ? `${file} was cancelled`
                : `${file} failed: ${r.shortMessage}`;
        throw new DiskError(why, {
          code: 'ERR_DISKPREP_EXEC',
          hint:
            (r as { code?: string }).code === 'ENOENT'
              ? `install ${file} (diskprep check lists what is missing)`
              : undefined,
          details: { command, ...(r.timedOut ? { timedOut: true } : {}) },
        });
      }
      if (exitCode !== 0 && opts.reject !== false) {
        const detail =
          (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-1)[0] ?? '';
        throw new DiskError(`${file} exited with ${exitCode}${detail ? `: ${detail}` : ''}`, {
          code: 'ERR_DISKPREP_EXEC',
          details: { command, exitCode },
        });
      }
      return result;
    },
  };
}
