/**
 * Stub deps for unit tests: a recording terminal and output, a scripted prompt, an exec that
 * answers from a table, a fixed clock. Real fs (tests use temp dirs). No module mocking.
 */
import { randomUUID } from 'node:crypto';
import * as fsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatCommand } from '../../src/deps/exec.ts';
import { createNonInteractivePrompt } from '../../src/deps/prompt.ts';
import type {
  Choice,
  Deps,
  Exec,
  ExecOptions,
  ExecResult,
  Http,
  Processes,
  Prompt,
  Terminal,
} from '../../src/deps/types.ts';
import { realProcesses } from '../../src/createDeps.ts';
import { DiskError, NeedsAnswerError } from '../../src/errors.ts';
import { Redactor } from '../../src/redact.ts';

/** One canned answer of the stub exec. */
export interface ExecStub {
  /** Matches the display form of the command (`file arg1 arg2`), exactly or by RegExp. */
  command: string | RegExp;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Fails the way the real seam does when `timeoutMs` runs out. */
  timedOut?: boolean;
}

/** Everything a test can inspect after a run. */
export interface Recorded {
  stderr: string[];
  stdout: string[];
  json: unknown[];
  commands: { command: string; options: ExecOptions }[];
}

/** Answers for the scripted prompt, keyed by flag name (e.g. `--drive`), consumed in order. */
export type Answers = Record<string, unknown>;

/** A prompt that answers from `answers` by the question's flag; unknown questions fail. */
export function scriptedPrompt(answers: Answers, asked: string[] = []): Prompt {
  const take = (flag: string, message: string): unknown => {
    asked.push(flag);
    if (!(flag in answers)) throw new NeedsAnswerError(`unexpected question "${message}"`, flag);
    const v = answers[flag];
    if (Array.isArray(v) && v.length > 0 && !flag.startsWith('[]')) return v.shift();
    return v;
  };
  return {
    interactive: true,
    text: async (q) => {
      const v = String((take(q.flag, q.message) as string | undefined) ?? q.default ?? '');
      const ok = q.validate?.(v) ?? true;
      if (ok !== true) throw new Error(`answer "${v}" to ${q.flag} rejected: ${ok}`);
      return v;
    },
    confirm: async (q) => Boolean(take(q.flag, q.message)),
    select: async <T>(q: { flag: string; message: string; choices: readonly Choice<T>[] }) => {
      const v = take(q.flag, q.message);
      const c = q.choices.find((ch) => ch.value === v || ch.name === v);
      if (!c) throw new Error(`answer ${String(v)} is not a choice of ${q.flag}`);
      if (c.disabled)
        throw new Error(`answer ${String(v)} to ${q.flag} is disabled: ${String(c.disabled)}`);
      return c.value;
    },
    checklist: async <T>(q: { flag: string; message: string; choices: readonly Choice<T>[] }) =>
      take(q.flag, q.message) as T[],
  };
}

/** A stub exec answering from `stubs` (first match wins); unmatched commands fail the test. */
export function stubExec(stubs: ExecStub[], recorded: Recorded, dryRun = false): Exec {
  return {
    dryRun,
    async run(file, args, options = {}): Promise<ExecResult> {
      const command = formatCommand(file, args);
      recorded.commands.push({ command, options });
      if (dryRun && options.write)
        return { command, exitCode: 0, stdout: '', stderr: '', dryRun: true };
      const stub = stubs.find((s) =>
        typeof s.command === 'string' ? s.command === command : s.command.test(command),
      );
      if (!stub) throw new Error(`stubExec: no stub for: ${command}`);
      if (stub.timedOut) {
        throw new DiskError(`${file} timed out`, {
          code: 'ERR_DISKPREP_EXEC',
          details: { command, timedOut: true },
        });
      }
      const result = {
        command,
        exitCode: stub.exitCode ?? 0,
        stdout: stub.stdout ?? '',
        stderr: stub.stderr ?? '',
        dryRun: false,
      };
      if (result.exitCode !== 0 && options.reject !== false) {
        // The same error the real seam throws (src/deps/exec.ts).
        const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-1)[0];
        throw new DiskError(
          `${file} exited with ${result.exitCode}${detail ? `: ${detail}` : ''}`,
          {
            code: 'ERR_DISKPREP_EXEC',
            details: { command, exitCode: result.exitCode },
          },
        );
      }
      return result;
    },
  };
}

/** A terminal that records every line (plain text, no colour). */
export function recordingTerminal(
  recorded: Recorded,
  redactor: Redactor,
  verbose = false,
): Terminal {
  const push = (l: string) => recorded.stderr.push(redactor.redact(l));
  const id = (s: string) => s;
  return {
    isTTY: false,
    verboseEnabled: verbose,
    info: push,
    success: (m) => push(`✓ ${m}`),
    warn: (m) => push(`⚠ ${m}`),
    error: (m) => push(`✗ ${m}`),
    verbose: (m) => verbose && push(m),
    spinner: () => ({
      text: () => {},
      succeed: (t) => t && push(`✓ ${t}`),
      fail: (t) => t && push(`✗ ${t}`),
      stop: () => {},
    }),
    status: () => {},
    clearStatus: () => {},
    style: { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id },
  };
}

/** Options of {@link fakeDeps}. */
export interface FakeDepsOptions {
  exec?: ExecStub[];
  answers?: Answers;
  json?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  env?: Record<string, string | undefined>;
  http?: Http;
  platform?: NodeJS.Platform;
  cwd?: string;
  uid?: number;
  now?: Date;
  signal?: AbortSignal;
  /** This process as lock files see it (default: the real pid, host and liveness). */
  processes?: Processes;
}

/** Builds stub deps plus the record of what they saw. */
export function fakeDeps(options: FakeDepsOptions = {}): {
  deps: Deps;
  recorded: Recorded;
  asked: string[];
} {
  const recorded: Recorded = { stderr: [], stdout: [], json: [], commands: [] };
  const asked: string[] = [];
  const redactor = new Redactor();
  let now = options.now ?? new Date('2026-11-21T10:00:00Z');
  let mono = 0;
  const deps: Deps = {
    exec: stubExec(options.exec ?? [], recorded, options.dryRun),
    fs: fsPromises,
    prompt: options.answers ? scriptedPrompt(options.answers, asked) : createNonInteractivePrompt(),
    terminal: recordingTerminal(recorded, redactor, options.verbose),
    output: {
      jsonMode: options.json ?? false,
      json: (v, o) => {
        const text = JSON.stringify(v, null, 2);
        recorded.stdout.push(o?.raw ? text : redactor.redact(text));
        recorded.json.push(JSON.parse(o?.raw ? text : redactor.redact(text)));
      },
      line: (t = '') => {
        if (!options.json) recorded.stdout.push(redactor.redact(t));
      },
    },
    clock: {
      now: () => now,
      monotonic: () => mono,
      sleep: async (ms) => {
        mono += ms;
        now = new Date(now.getTime() + ms);
      },
    },
    // Disk locks in a folder of this fake's own (created on first use), never the machine's.
    env: {
      DISKPREP_LOCK_DIR: path.join(os.tmpdir(), 'diskprep-test-locks', randomUUID()),
      ...options.env,
    },
    http: options.http ?? {
      request: async (r) => {
        throw new Error(`no http in this test: ${r.method} ${r.url}`);
      },
    },
    redactor,
    platform: options.platform ?? 'linux',
    cwd: options.cwd ?? process.cwd(),
    uid: options.uid ?? 0,
    processes: options.processes ?? realProcesses(),
    signal: options.signal ?? new AbortController().signal,
    version: '0.0.0-test',
  };
  return { deps, recorded, asked };
}
