/**
 * Runs the built binary (`bin/diskprep.js` → `dist/`) as a child process, the way a script
 * would. `npm test` builds first.
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

/** Absolute path of the bin script. */
export const BIN = fileURLToPath(new URL('../../bin/diskprep.js', import.meta.url));

/** The result of one run. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `diskprep args...` with no TTY and CI unset unless given. */
export async function runCli(
  args: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    input?: string;
    timeoutMs?: number;
  } = {},
): Promise<CliRun> {
  const r = await execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 120_000,
    stripFinalNewline: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** `diskprep init s:<staging> --job <job> --service <service> --storage-account mystore --container <container> ...extra`. */
export function initArgs(
  staging: string,
  job: string,
  service: 'classic' | 'databox' | 'importexport' | 'offline',
  container: string,
  extra: readonly string[] = [],
): string[] {
  return [
    'init',
    `s:${staging}`,
    '--job',
    job,
    '--service',
    service,
    '--storage-account',
    'mystore',
    '--container',
    container,
    ...extra,
  ];
}
