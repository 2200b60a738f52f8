/**
 * The composition root: builds the production {@link Deps} from the process once, in main.
 * Nothing else reads `process`.
 */
import * as fsPromises from 'node:fs/promises';
import { hostname } from 'node:os';
import { Redactor } from './redact.ts';
import { UsageError } from './errors.ts';
import { CA_FILE, readBoundedFileSync } from './fsutil/readBoundedFile.ts';
import { createClock } from './deps/clock.ts';
import { createExec } from './deps/exec.ts';
import { createHttp } from './deps/http.ts';
import { createOutput } from './deps/output.ts';
import { PROXY_VARIABLES, registerProxySecret } from './deps/proxy.ts';
import { createInteractivePrompt, createNonInteractivePrompt } from './deps/prompt.ts';
import { createTerminal } from './deps/terminal.ts';
import { holdDuringQuestions } from './deps/questionHold.ts';
import type { CommonOptions, Deps, Processes } from './deps/types.ts';

/** The slice of `process` the composition root reads (a parameter, so tests can pass a fake). */
export interface ProcessLike {
  argv: string[];
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  cwd(): string;
  getuid?: () => number;
}

/** Builds the production deps for one run. */
export function createDeps(
  proc: ProcessLike,
  common: CommonOptions,
  signal: AbortSignal,
  version: string,
): Deps {
  const redactor = new Redactor();
  // The proxy password is a secret from the moment argv or the environment holds it.
  for (const url of [common.proxy, ...PROXY_VARIABLES.map((v) => proc.env[v])])
    registerProxySecret(url, redactor);
  const stderr = createTerminal({
    stream: proc.stderr,
    env: proc.env,
    verbose: common.verbose,
    redactor,
    quiet: common.json,
  });
  const output = createOutput({ json: common.json, redactor, write: (c) => proc.stdout.write(c) });
  const interactive =
    !common.nonInteractive && !common.yes && proc.stdin.isTTY === true && !isCI(proc.env);
  // A question holds the progress and lines of drives still filling until it is answered.
  const { terminal, prompt } = holdDuringQuestions(
    stderr,
    interactive
      ? createInteractivePrompt({ input: proc.stdin, output: proc.stderr, signal })
      : createNonInteractivePrompt(),
  );
  let ca: string | undefined;
  if (common.caFile) {
    const bytes = readBoundedFileSync(common.caFile, CA_FILE);
    if (!bytes)
      throw new UsageError(`--ca-file ${common.caFile} not found`, { hint: CA_FILE.hint });
    ca = bytes.toString('utf8');
  }
  return {
    exec: createExec({ dryRun: common.dryRun, terminal }),
    fs: fsPromises,
    prompt,
    terminal,
    output,
    clock: createClock(),
    env: proc.env,
    http: createHttp({ proxy: common.proxy, ca, env: proc.env }),
    redactor,
    platform: proc.platform,
    cwd: proc.cwd(),
    uid: proc.getuid?.(),
    processes: realProcesses(),
    signal,
    version,
  };
}

/** The real {@link Processes}: this pid, this host, and signal 0 for liveness. */
export function realProcesses(): Processes {
  return {
    pid: process.pid,
    hostname: hostname(),
    alive(pid: number): boolean {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
}

/** CI=true (and friends) means nobody is there to answer. */
function isCI(env: Record<string, string | undefined>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
