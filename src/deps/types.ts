/**
 * The side-effect seams. Every command and core module receives a {@link Deps} and touches the
 * outside world only through it, so tests swap parts without module mocking.
 */
import type * as fsPromises from 'node:fs/promises';
import type { Redactor } from '../redact.ts';

/** Options for one child process. */
export interface ExecOptions {
  /**
   * True for commands that change a disk or system state (format, manage-bde -on, dislocker
   * read-write...). Under `--dry-run` these are printed as `! <command>` and not run.
   */
  write?: boolean;
  /** Text written to the child's stdin (never logged). */
  input?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Throw a DiskError on a non-zero exit (default true). */
  reject?: boolean;
  /** Aborting kills the child. */
  signal?: AbortSignal;
  /** Leave the child running after exec resolves (FUSE daemons run in foreground, e.g. dislocker -f). */
  detached?: boolean;
}

/** What a finished child process left. */
export interface ExecResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was skipped by `--dry-run`. */
  dryRun: boolean;
}

/** Runs programs (never through a shell: arguments are passed as an array). */
export interface Exec {
  readonly dryRun: boolean;
  run(file: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** A choice in a select prompt. */
export interface Choice<T> {
  name: string;
  value: T;
  /**
   * What to give the question's flag to pick this choice, named to a non-interactive run
   * (default: the value when it is a string, else the name).
   */
  flagValue?: string;
  description?: string;
  /** A reason string disables the choice and is shown beside it. */
  disabled?: boolean | string;
}

/**
 * Questions to the operator. Every question names the flag that answers it, so a
 * non-interactive run can fail with exit 3 naming that flag.
 */
export interface Prompt {
  /** False when stdin is not a TTY, or `--non-interactive` / `--yes` / CI was given. */
  readonly interactive: boolean;
  text(q: {
    message: string;
    flag: string;
    default?: string;
    validate?: (value: string) => true | string;
    /** Hide the typed text (passwords, keys). */
    secret?: boolean;
  }): Promise<string>;
  confirm(q: { message: string; flag: string; default?: boolean }): Promise<boolean>;
  select<T>(q: {
    message: string;
    flag: string;
    choices: readonly Choice<T>[];
    default?: T;
  }): Promise<T>;
  /** Several choices ticked; the answer lists them in the list's order. */
  checklist<T>(q: {
    message: string;
    flag: string;
    choices: readonly Choice<T>[];
    /** Enter with nothing ticked shows this line and the question stays (default: [] is an answer). */
    required?: string;
  }): Promise<T[]>;
}

/** A spinner shown on stderr (a no-op when stderr is not a TTY). */
export interface Spinner {
  text(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

/** Human-facing output: stderr. Every line is redacted. */
export interface Terminal {
  /** stderr is a TTY: spinners and progress bars are drawn. */
  readonly isTTY: boolean;
  /**
   * The terminal's width in columns when stderr is a TTY that reports one (read at each call:
   * a resized window counts); absent otherwise. Lines use `screenColumns` of src/format.ts.
   */
  readonly columns?: number;
  /** `--verbose` given. */
  readonly verboseEnabled: boolean;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Only under `--verbose`. */
  verbose(message: string): void;
  spinner(text: string): Spinner;
  /**
   * Redraws the status in place on a TTY (progress bars; lines split by \n, one per drive filled
   * at once); on a non-TTY it does nothing,
   * callers print a final summary with {@link Terminal.info} instead.
   */
  status(line: string): void;
  /** Ends a status line so the next output starts on a fresh line. */
  clearStatus(): void;
  /** Colour helpers honouring NO_COLOR / FORCE_COLOR / TTY. */
  readonly style: {
    bold(s: string): string;
    dim(s: string): string;
    red(s: string): string;
    green(s: string): string;
    yellow(s: string): string;
    cyan(s: string): string;
  };
}

/** Results: stdout. */
export interface Output {
  /** `--json` given: commands print exactly one JSON document with {@link Output.json}. */
  readonly jsonMode: boolean;
  /** Prints one JSON document (redacted unless `raw`, for an operator who asked to see a key). */
  json(value: unknown, options?: { raw?: boolean }): void;
  /** Prints human-readable result lines (ignored in JSON mode). */
  line(text?: string): void;
}

/** Time. */
export interface Clock {
  now(): Date;
  /** Monotonic milliseconds, for rates and ETAs. */
  monotonic(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** An HTTP request through the http seam. */
export interface HttpRequest {
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Client certificate (mutual TLS) in PEM. */
  clientCert?: { key: string; cert: string };
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The answer to an {@link HttpRequest}. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** HTTPS to Azure. Proxies (`--proxy`, HTTPS_PROXY/NO_PROXY) and `--ca-file` are applied inside. */
export interface Http {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** Environment variables (read-only view). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Options every command accepts that shape the deps. */
export interface CommonOptions {
  json: boolean;
  verbose: boolean;
  nonInteractive: boolean;
  yes: boolean;
  dryRun: boolean;
  proxy?: string;
  caFile?: string;
}

/** This process and the others on the machine, as lock files need them. */
export interface Processes {
  /** This process's id. */
  readonly pid: number;
  /** This machine's host name (lock holders on other hosts are never judged dead). */
  readonly hostname: string;
  /** True while a process with this id exists on this machine (signal 0; EPERM counts as alive). */
  alive(pid: number): boolean;
}

/** Everything a command may touch. */
export interface Deps {
  exec: Exec;
  fs: typeof fsPromises;
  prompt: Prompt;
  terminal: Terminal;
  output: Output;
  clock: Clock;
  env: Env;
  http: Http;
  redactor: Redactor;
  /** `process.platform` of the machine. */
  platform: NodeJS.Platform;
  /** Working directory relative paths resolve against. */
  cwd: string;
  /** Effective user id (root checks), undefined on Windows. */
  uid: number | undefined;
  /** This process and liveness of others (lock files). */
  processes: Processes;
  /** Fires on SIGINT/SIGTERM: long operations stop cleanly and throw InterruptedError. */
  signal: AbortSignal;
  /** diskprep's version, for manifests (ClientCreator) and reports. */
  version: string;
}
