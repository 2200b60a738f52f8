/**
 * Typed errors and the exit-code table. Only `src/main.ts` turns these into a process exit;
 * everything else throws.
 *
 * The table is public (README "Exit codes") and stable: never renumber.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  ok: 0,
  /** A failure that is not one of the kinds below (e.g. `verify` found mismatches). */
  failure: 1,
  /** Bad command line or bad input file. */
  usage: 2,
  /** Non-interactive run and an answer (flag) was missing. */
  needsAnswer: 3,
  /** Azure refused the request or could not be reached. */
  azure: 4,
  /** A disk or OS tool failed. */
  disk: 5,
  /** Interrupted (Ctrl-C / SIGINT / SIGTERM, or a prompt cancelled). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Options shared by every {@link DiskprepError}. */
export interface DiskprepErrorOptions {
  /** Stable machine-readable code, e.g. `ERR_DISKPREP_BITLOCKER`. */
  code?: string;
  /** One short sentence telling the operator how to fix it. */
  hint?: string;
  /** The underlying error, kept for `--verbose`. */
  cause?: unknown;
  /** Extra facts for `--json` error output. */
  details?: Record<string, unknown>;
}

/**
 * Base class for every error diskprep reports on purpose. Its message is one line that names
 * the problem; {@link DiskprepError.hint} names the fix.
 */
export class DiskprepError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    message: string,
    exitCode: ExitCodeValue = ExitCode.failure,
    options: DiskprepErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'ERR_DISKPREP';
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Bad argv or bad input file: exit 2. */
export class UsageError extends DiskprepError {
  constructor(message: string, options: DiskprepErrorOptions = {}) {
    super(message, ExitCode.usage, { code: 'ERR_DISKPREP_USAGE', ...options });
  }
}

/** A non-interactive run needed an answer: exit 3. The message names the flag to pass. */
export class NeedsAnswerError extends DiskprepError {
  readonly flag: string;
  constructor(question: string, flag: string, options: DiskprepErrorOptions = {}) {
    super(`${question}: no answer in a non-interactive run`, ExitCode.needsAnswer, {
      code: 'ERR_DISKPREP_NEEDS_ANSWER',
      hint: `pass ${flag}`,
      ...options,
    });
    this.flag = flag;
  }
}

/** How many candidates a message names; the rest are counted ("and 3 more"). */
export const MAX_CANDIDATES = 10;

/**
 * A non-interactive run needed a choice among values diskprep knows (jobs, disks,
 * subscriptions, carriers): exit 3 naming the flag and up to {@link MAX_CANDIDATES} of them,
 * in the hint and, for `--json`, in `details.candidates` (`details.total` counts them all).
 */
export function needsChoice(
  question: string,
  flag: string,
  candidates: readonly string[],
): NeedsAnswerError {
  if (candidates.length === 0) return new NeedsAnswerError(question, flag);
  const shown = candidates.slice(0, MAX_CANDIDATES);
  const more = candidates.length - shown.length;
  return new NeedsAnswerError(question, flag, {
    hint: `pass ${flag}, one of: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    details: { flag, candidates: shown, total: candidates.length },
  });
}

/** Azure refused a request or could not be reached: exit 4. */
export class AzureError extends DiskprepError {
  readonly status: number | undefined;
  constructor(message: string, options: DiskprepErrorOptions & { status?: number } = {}) {
    super(message, ExitCode.azure, { code: 'ERR_DISKPREP_AZURE', ...options });
    this.status = options.status;
  }
}

/** A disk or an OS tool failed: exit 5. */
export class DiskError extends DiskprepError {
  constructor(message: string, options: DiskprepErrorOptions = {}) {
    super(message, ExitCode.disk, { code: 'ERR_DISKPREP_DISK', ...options });
  }
}

/** The operator interrupted the run: exit 130. */
export class InterruptedError extends DiskprepError {
  constructor(message = 'interrupted', options: DiskprepErrorOptions = {}) {
    super(message, ExitCode.interrupted, { code: 'ERR_DISKPREP_INTERRUPTED', ...options });
  }
}

/**
 * Exit with this code; whatever needed saying was already said (e.g. `verify` printed its
 * mismatches). Nothing more is printed.
 */
export class ExitError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(exitCode: ExitCodeValue) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
    this.exitCode = exitCode;
  }
}

/** A defect in diskprep itself: printed with a request to report it. */
export class InternalError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InternalError';
  }
}

/** What the one exit point prints and returns for an error. */
export interface ErrorReport {
  exitCode: ExitCodeValue;
  /** One line for stderr, or undefined when nothing must be printed. */
  line: string | undefined;
  /** Machine-readable form for `--json` (`{"error": json}` on stdout), or undefined. */
  json: ErrorJson | undefined;
}

/**
 * The `error` object of a `--json` failure: always these keys (README "JSON output"); `details`
 * only where the error carries facts (e.g. `candidates`).
 */
export interface ErrorJson {
  /** Stable kind: `ERR_DISKPREP_USAGE`, `ERR_DISKPREP_NEEDS_ANSWER`, ... or an OS errno. */
  code: string;
  message: string;
  /** The fix, or null when the message says it all. */
  hint: string | null;
  exitCode: ExitCodeValue;
  details?: Record<string, unknown>;
}

function isPromptCancel(err: unknown): boolean {
  // @inquirer/prompts throws ExitPromptError on Ctrl-C and AbortPromptError when its signal fires.
  return (
    err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')
  );
}

/**
 * Maps any thrown value to the exit code and the one line to print. The one place where
 * error kinds meet exit codes.
 */
export function describeError(err: unknown, versions: string): ErrorReport {
  if (err instanceof ExitError) return { exitCode: err.exitCode, line: undefined, json: undefined };
  if (err instanceof DiskprepError) {
    const line = err.hint ? `${err.message} — ${err.hint}` : err.message;
    return {
      exitCode: err.exitCode,
      line,
      json: {
        code: err.code,
        message: err.message,
        hint: err.hint ?? null,
        exitCode: err.exitCode,
        ...(err.details ? { details: err.details } : {}),
      },
    };
  }
  if (isPromptCancel(err)) {
    return {
      exitCode: ExitCode.interrupted,
      line: 'interrupted',
      json: {
        code: 'ERR_DISKPREP_INTERRUPTED',
        message: 'interrupted',
        hint: null,
        exitCode: ExitCode.interrupted,
      },
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  const errno = (err as { code?: unknown } | null)?.code;
  if (typeof errno === 'string' && errno in errnoAdvice) {
    const advice = errnoAdvice[errno]!;
    return {
      exitCode: advice.exitCode,
      line: `${message} — ${advice.hint}`,
      json: { code: errno, message, hint: advice.hint, exitCode: advice.exitCode },
    };
  }
  const line = `internal error: ${message} — this is a bug in diskprep (${versions}); please report it with the command you ran (run with --verbose for details)`;
  return {
    exitCode: ExitCode.failure,
    line,
    json: {
      code: 'ERR_DISKPREP_INTERNAL',
      message,
      hint: 'this is a bug in diskprep: please report it with the command you ran',
      exitCode: ExitCode.failure,
    },
  };
}

/** Advice for OS errors that escape as plain errno errors. */
const errnoAdvice: Record<string, { hint: string; exitCode: ExitCodeValue }> = {
  ENOENT: { hint: 'check the path exists', exitCode: ExitCode.usage },
  EACCES: {
    hint: 'check permissions, or run elevated (root / Administrator)',
    exitCode: ExitCode.failure,
  },
  EPERM: { hint: 'run elevated (root / Administrator)', exitCode: ExitCode.failure },
  ENOSPC: { hint: 'free space on that volume', exitCode: ExitCode.disk },
  EIO: {
    hint: 'the disk reported an I/O error: check the drive and its cable',
    exitCode: ExitCode.disk,
  },
  EROFS: { hint: 'the volume is read-only: mount it read-write', exitCode: ExitCode.disk },
};
