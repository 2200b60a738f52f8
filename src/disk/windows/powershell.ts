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
import { InternalError } from '../../errors.ts';

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

/** Runs a script; `env` values reach it as `$env:NAME`. */
export async function runPowerShell(
  deps: Deps,
  script: string,
  options: { env?: Record<string, string>; write?: boolean; reject?: boolean } = {},
) {
  return deps.exec.run('powershell.exe', powershellArgs(script), {
    env: options.env,
    write: options.write,
    reject: options.reject,
  });
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
