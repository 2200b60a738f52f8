/**
 * One run at a time per job: every command that writes a job's journal (`prepare`, `ship`,
 * `init`) holds `<staging>/.diskprep/journal/<job>/lock` while it runs. A second run of the
 * same job is refused naming the holder; a lock left by a run that died (kill -9, power cut)
 * is taken over with a warning. See src/fsutil/lockFile.ts for the rules.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { acquireLock, describeHolder } from '../fsutil/lockFile.ts';
import { journalDir } from './layout.ts';

/** File name of the job lock inside the job's journal folder. */
export const JOB_LOCK_FILE = 'lock';

/** `<staging>/.diskprep/journal/<job>/lock`. */
export function jobLockPath(staging: string, job: string): string {
  return path.join(journalDir(staging, job), JOB_LOCK_FILE);
}

/** Options of {@link withJobLock}. */
export interface JobLockOptions {
  /** Break a lock held on another computer (`--break-lock`). */
  breakLock?: boolean;
}

/**
 * Runs `fn` holding the job's lock; releases it afterwards, also when `fn` throws or is
 * interrupted. Throws exit 2 naming the holder when another run holds it.
 */
export function withJobLock<T>(
  deps: Deps,
  staging: string,
  job: string,
  command: string,
  fn: () => Promise<T>,
  options: JobLockOptions = {},
): Promise<T> {
  return withLockFile(deps, jobLockPath(staging, job), job, command, fn, options);
}

/**
 * {@link withJobLock} with the lock in `file`: for a job whose records live outside a staging
 * location (`diskprep u:` without `s:` keeps them in diskprep's home folder).
 */
export async function withLockFile<T>(
  deps: Deps,
  file: string,
  job: string,
  command: string,
  fn: () => Promise<T>,
  options: JobLockOptions = {},
): Promise<T> {
  const lock = await acquireLock(deps, file, {
    command,
    what: `job "${job}"`,
    // The journal folder holds the job's secrets.
    dirMode: 0o700,
    code: 'ERR_DISKPREP_JOB_LOCKED',
    hint: 'one run per job at a time: wait for that run to end (or stop it with Ctrl-C in its terminal), then run the same command again',
    ...(options.breakLock ? { breakLock: true } : {}),
    onTakeover: (previous) =>
      deps.terminal.warn(
        previous
          ? `job "${job}" was locked by ${describeHolder(previous)}, which ${previous.host === deps.processes.hostname ? 'is gone' : 'you asked to break (--break-lock)'}: taking the lock over`
          : `job "${job}" had an unreadable lock file: taking the lock over`,
      ),
  });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
