/**
 * Exclusive lock files naming their holder: created atomically (`open(..., 'wx')`), holding
 * `{pid, host, command, since, procStart, token}` as JSON. A second process finds the file and
 * is refused with the holder named; a holder that died on this host (its pid is gone, or the
 * pid now belongs to a younger process) is taken over with a warning; a holder on another host
 * is only broken on request (`--break-lock`): diskprep cannot tell whether it still runs.
 *
 * Takeovers are serialised by a short-lived `<lock>.takeover` file, so two processes finding
 * the same stale lock cannot both win. Release removes the file only while it still holds this
 * holder's token.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';

/** What a lock file records about its holder. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The diskprep command holding it (`prepare`, `ship`, `init --force`); never its arguments. */
  command: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Linux: start time of the process in clock ticks (/proc/<pid>/stat field 22), against pid reuse. */
  procStart?: string;
  /** Random; release removes only a file still holding it. */
  token: string;
  /** Whatever the lock's owner adds (a disk lock records its mount folder). */
  extra?: Record<string, string>;
}

/** A held lock. */
export interface LockHandle {
  readonly file: string;
  readonly holder: LockHolder;
  /** Rewrites the holder's `extra` (atomically: a reader sees the old or the new record). */
  note(extra: Record<string, string>): Promise<void>;
  /** Removes the lock file if it is still this holder's. Idempotent. */
  release(): Promise<void>;
}

/** What {@link acquireLock} needs. */
export interface AcquireOptions {
  /** The command taking it, as {@link LockHolder.command}. */
  command: string;
  /** What is locked, for messages: `job "photos"`, `disk /dev/sdb`. */
  what: string;
  /** Break a lock held on another host (`--break-lock`). */
  breakLock?: boolean;
  /** Error code of the refusal. */
  code?: string;
  /** The fix the refusal names (default: wait for it or stop it). */
  hint?: string;
  /** Mode of the lock's folder when it is created (a job's journal folder is 0700: it holds secrets). */
  dirMode?: number;
  /** Called with the holder that was taken over (dead on this host, or broken on request). */
  onTakeover?: (previous: LockHolder | undefined) => void;
}

/** Holder state as this process sees it. */
export type HolderState = 'alive' | 'dead' | 'foreign';

/** Fields 3 and on of `/proc/<pid>/stat`, undefined where there is no /proc or no such process. */
async function procStat(deps: Deps, pid: number): Promise<string[] | undefined> {
  if (deps.platform !== 'linux') return undefined;
  try {
    const stat = await deps.fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat` field 22 (start time in ticks), undefined where there is no /proc. */
export async function processStart(deps: Deps, pid: number): Promise<string | undefined> {
  return (await procStat(deps, pid))?.[19];
}

/** Whether the holder still runs: another host's holder cannot be judged from here. */
export async function holderState(deps: Deps, h: LockHolder): Promise<HolderState> {
  if (h.host !== deps.processes.hostname) return 'foreign';
  if (!deps.processes.alive(h.pid)) return 'dead';
  const stat = await procStat(deps, h.pid);
  // A zombie (killed, not yet reaped by its parent) answers signal 0 but runs no more.
  if (stat?.[0] === 'Z' || stat?.[0] === 'X') return 'dead';
  // The pid was reused by a process that started later: the holder is gone.
  if (h.procStart !== undefined && stat?.[19] !== undefined && stat[19] !== h.procStart)
    return 'dead';
  return 'alive';
}

/** One line naming the holder: `diskprep prepare (pid 4242 on host1, since 2026-11-21 10:00:00)`. */
export function describeHolder(h: LockHolder): string {
  const since = h.since.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  return `diskprep ${h.command} (pid ${h.pid} on ${h.host}, since ${since})`;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof v.pid === 'number' &&
      Number.isSafeInteger(v.pid) &&
      v.pid > 0 &&
      typeof v.host === 'string' &&
      typeof v.command === 'string' &&
      typeof v.since === 'string' &&
      typeof v.token === 'string'
    ) {
      return {
        pid: v.pid,
        host: v.host,
        command: v.command,
        since: v.since,
        token: v.token,
        ...(typeof v.procStart === 'string' ? { procStart: v.procStart } : {}),
        ...(v.extra && typeof v.extra === 'object' ? { extra: v.extra } : {}),
      };
    }
  } catch {
    /* torn or foreign content: judged by its age below */
  }
  return undefined;
}

/** The holder recorded in `file`, undefined when there is none (or it cannot be read). */
export async function readHolder(deps: Deps, file: string): Promise<LockHolder | undefined> {
  const text = await deps.fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseHolder(text);
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** A lock file whose content cannot be read is left alone this long (its writer may be mid-write). */
const UNREADABLE_GRACE_MS = 5000;

/**
 * Takes the lock in `file`, or throws a one-line {@link UsageError} (exit 2) naming its holder.
 * See the module comment for stale and foreign holders.
 */
export async function acquireLock(
  deps: Deps,
  file: string,
  options: AcquireOptions,
): Promise<LockHandle> {
  await deps.fs.mkdir(path.dirname(file), {
    recursive: true,
    ...(options.dirMode !== undefined ? { mode: options.dirMode } : {}),
  });
  const holder: LockHolder = {
    pid: deps.processes.pid,
    host: deps.processes.hostname,
    command: options.command,
    since: deps.clock.now().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const start = await processStart(deps, holder.pid);
  if (start !== undefined) holder.procStart = start;

  for (let attempt = 0; attempt < 50; attempt++) {
    if (await tryCreate(deps, file, holder)) return handle(deps, file, holder);
    const text = await deps.fs.readFile(file, 'utf8').catch((err: unknown) => {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) continue; // released meanwhile: try again
    const current = parseHolder(text);
    if (!current) {
      // Being written right now, or garbage: wait for the writer, then take it over.
      const age = await fileAge(deps, file);
      if (age !== undefined && age < UNREADABLE_GRACE_MS) {
        await deps.clock.sleep(50);
        continue;
      }
      if (await takeOver(deps, file, text)) options.onTakeover?.(undefined);
      continue;
    }
    const state = await holderState(deps, current);
    if (state === 'alive' || (state === 'foreign' && !options.breakLock)) {
      throw new UsageError(`${options.what} is in use by ${describeHolder(current)}`, {
        code: options.code ?? 'ERR_DISKPREP_LOCKED',
        hint:
          state === 'foreign'
            ? `that run is on another computer: wait for it to end; if it is gone for good (crashed, powered off), run the same command with --break-lock`
            : (options.hint ??
              'wait for that run to end (or stop it with Ctrl-C in its terminal), then run the same command again'),
        details: { holder: { ...current, token: undefined, extra: undefined }, lockFile: file },
      });
    }
    if (await takeOver(deps, file, text)) options.onTakeover?.(current);
  }
  throw new UsageError(`${options.what}: cannot take the lock ${file}`, {
    code: options.code ?? 'ERR_DISKPREP_LOCKED',
    hint: 'another diskprep run keeps taking it: run one at a time',
  });
}

async function tryCreate(deps: Deps, file: string, holder: LockHolder): Promise<boolean> {
  let fh;
  try {
    fh = await deps.fs.open(file, 'wx', 0o644);
  } catch (err) {
    if (errno(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await fh.writeFile(`${JSON.stringify(holder)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

async function fileAge(deps: Deps, file: string): Promise<number | undefined> {
  const st = await deps.fs.stat(file).catch(() => undefined);
  return st ? deps.clock.now().getTime() - st.mtimeMs : undefined;
}

/**
 * Removes the lock file if it still holds `seen`, under the takeover guard. False when another
 * process is taking it over right now or the content changed: the caller looks again.
 */
async function takeOver(deps: Deps, file: string, seen: string): Promise<boolean> {
  const guard = `${file}.takeover`;
  let fh;
  try {
    fh = await deps.fs.open(guard, 'wx', 0o644);
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
    // A guard left by a process killed mid-takeover is removed after a while.
    const age = await fileAge(deps, guard);
    if (age !== undefined && age > UNREADABLE_GRACE_MS) await deps.fs.rm(guard, { force: true });
    else await deps.clock.sleep(50);
    return false;
  }
  await fh.close();
  try {
    const now = await deps.fs.readFile(file, 'utf8').catch(() => undefined);
    if (now !== seen) return false;
    await deps.fs.rm(file, { force: true });
    return true;
  } finally {
    await deps.fs.rm(guard, { force: true });
  }
}

function handle(deps: Deps, file: string, holder: LockHolder): LockHandle {
  let released = false;
  const mine = async (): Promise<boolean> => (await readHolder(deps, file))?.token === holder.token;
  return {
    file,
    holder,
    async note(extra) {
      holder.extra = { ...holder.extra, ...extra };
      if (released || !(await mine())) return;
      const tmp = `${file}.${holder.token}.tmp`;
      await deps.fs.writeFile(tmp, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
      await deps.fs.rename(tmp, file);
    },
    async release() {
      if (released) return;
      released = true;
      if (await mine()) await deps.fs.rm(file, { force: true });
    },
  };
}
