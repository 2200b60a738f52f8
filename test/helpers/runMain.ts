/**
 * Runs diskprep in this process through `run()` of src/main.ts, the same path the binary takes
 * (argv parsing, the production deps, the one error-to-exit mapping), with a fake process: no
 * TTY, collected stdout/stderr, signals delivered by the test. About 100× cheaper than starting
 * the binary, so fuzzing can afford thousands of runs; native crashes only show in a real
 * process (see the e2e fuzz layer).
 */
import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { run } from '../../src/main.ts';
import type { CliRun } from './cli.ts';

/** Options of {@link runMain}. */
export interface RunMainOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** A run still going after this long is reported as a hang (exit code -1). Default 15 s. */
  timeoutMs?: number;
}

function collector(chunks: string[]): Writable & { isTTY: boolean } {
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY: boolean };
  w.isTTY = false;
  return w;
}

/** Runs `diskprep args...` in-process; resolves like {@link runCli} (exit -1: it hung). */
export async function runMain(
  args: readonly string[],
  options: RunMainOptions = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const signals = new EventEmitter();
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  stdin.end();
  const proc = {
    argv: ['node', 'diskprep', ...args],
    env: { NO_COLOR: '1', CI: '1', ...options.env },
    platform: process.platform,
    stdin,
    stdout: collector(out),
    stderr: collector(err),
    cwd: () => options.cwd ?? process.cwd(),
    getuid: () => 0,
    version: process.version,
    on: (event: string, listener: () => void) => signals.on(event, listener),
    off: (event: string, listener: () => void) => signals.off(event, listener),
  };
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      // One SIGTERM, as a supervisor would send: a hang that ignores it stays a hang.
      signals.emit('SIGTERM');
      resolve(-1);
    }, options.timeoutMs ?? 15_000);
  });
  const exitCode = await Promise.race([run(proc), hung]);
  clearTimeout(timer);
  return { exitCode, stdout: out.join(''), stderr: err.join('') };
}
