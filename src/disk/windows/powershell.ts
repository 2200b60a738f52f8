/**
 * Runs Windows PowerShell 5.1 (`powershell.exe`, present on every Windows diskprep supports, so
 * nothing to install) with a fixed script. Values never enter the script text unvalidated:
 * disk numbers and drive letters are checked against strict patterns before they are placed in
 * a script (so `--dry-run` prints readable commands), and every free-form value (labels, keys)
 * travels in an environment variable that the script reads as data (`$env:DISKPREP_...`).
 * powershell.exe joins every argument after `-Command` into one script, so argument passing
 * would not be safe.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskError, DiskprepError, InternalError } from '../../errors.ts';

/** Prefix of every script: stop on the first error, print UTF-8. */
const PRELUDE =
  "$ErrorActionPreference='Stop';$ProgressPreference='SilentlyContinue';[Console]::OutputEncoding=[Text.Encoding]::UTF8;";

/** The argv of one PowerShell invocation. */
export function powershellArgs(script: string): string[] {
  return [
    '-NoProfile',
    '-NonInteractive',
    '-ExecutionPolicy',
    'Bypass',
    '-Command',
    PRELUDE + script,
  ];
}

/** A disk number as a script literal; anything but a small whole number is a defect. */
export function diskNumber(n: unknown): string {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 9999) {
    throw new InternalError(`refusing to use ${JSON.stringify(n)} as a disk number`);
  }
  return String(n);
}

/** A drive letter as a script literal (`'E:'`); anything but A–Z is a defect. */
export function mountPoint(letter: unknown): string {
  if (typeof letter !== 'string' || !/^[A-Z]$/.test(letter)) {
    throw new InternalError(`refusing to use ${JSON.stringify(letter)} as a drive letter`);
  }
  return `'${letter}:'`;
}

/**
 * How long one PowerShell run may take. Every script diskprep runs returns in seconds (Clear-Disk
 * removes partition information, Format-Volume is a quick format, Enable-BitLocker encrypts in the
 * background); two minutes leaves room for a slow storage stack rescanning many disks.
 */
export const POWERSHELL_TIMEOUT_MS = 120_000;

/** Options of {@link runPowerShell}. */
export interface PowerShellOptions {
  /** What the script does, for errors: "clearing disk 2", "listing the disks". */
  step: string;
  /** Values the script reads as `$env:NAME` (never placed in the script text). */
  env?: Record<string, string>;
  /** Changes a disk: printed and skipped under `--dry-run`. */
  write?: boolean;
  /** Throw on a non-zero exit (default true). */
  reject?: boolean;
  timeoutMs?: number;
}

/**
 * Runs a script with a timeout. A failure is one line naming the step (the exec seam's message
 * says only which program failed).
 */
export async function runPowerShell(
  deps: Pick<Deps, 'exec'>,
  script: string,
  options: PowerShellOptions,
) {
  const timeoutMs = options.timeoutMs ?? POWERSHELL_TIMEOUT_MS;
  try {
    return await deps.exec.run('powershell.exe', powershellArgs(script), {
      env: options.env,
      write: options.write,
      reject: options.reject,
      timeoutMs,
    });
  } catch (err) {
    if (!(err instanceof DiskprepError) || err.code !== 'ERR_DISKPREP_EXEC') throw err;
    if (err.details?.timedOut === true) {
      throw new DiskError(
        `${options.step}: PowerShell did not finish within ${Math.round(timeoutMs / 1000)} s`,
        {
          code: 'ERR_DISKPREP_POWERSHELL_TIMEOUT',
          hint: 'check Disk Management for a disk that does not respond (a failing drive or adapter), unplug it, and run the same command again',
          details: { step: options.step },
        },
      );
    }
    throw new DiskError(`${options.step}: ${err.message}`, {
      code: err.code,
      ...(err.hint ? { hint: err.hint } : {}),
      details: { ...err.details, step: options.step },
    });
  }
}

/**
 * Parses ConvertTo-Json output. ConvertTo-Json turns a one-element pipeline into a bare object
 * and an empty one into nothing, so callers get an array either way.
 */
export function jsonArray<T>(value: unknown): T[] {
  if (value == null || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Parses the stdout of a `... | ConvertTo-Json` script (empty output → undefined). */
export function parseJsonOutput(stdout: string): unknown {
  const text = stdout.replace(/^\uFEFF/, '').trim();
  return text === '' ? undefined : JSON.parse(text);
}
