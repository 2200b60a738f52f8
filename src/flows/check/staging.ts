/**
 * The staging location: readable, which job it holds, how much data the job ships, and room
 * for diskprep's journal beside it.
 */
import { constants } from 'node:fs';
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';
import { listJobs, readJobDescriptor } from '../../journal/jobs.ts';
import { walkJobFiles } from '../../staging/scan.ts';
import type { JobDescriptor } from '../../model/job.ts';
import { count, formatBytes } from '../../format.ts';
import type { CheckResult } from './types.ts';

/** Results and the job found (if any). */
export interface StagingChecks {
  results: CheckResult[];
  job: JobDescriptor | undefined;
  dataBytes: number | undefined;
}

/**
 * Room the journal needs: the drive-info XML and a copy of each drive manifest, which
 * WAImportExport sizes at 3 GB per 7 TB of data; never less than 64 MiB.
 */
export function journalSpaceNeeded(dataBytes: number): number {
  return Math.max(64 * 1024 * 1024, Math.ceil((dataBytes * 3) / 7000));
}

function skip(id: string, title: string, detail: string): CheckResult {
  return { id, title, status: 'skip', detail };
}

/** Runs the staging checks; every later one is skipped with the reason when an earlier fails. */
export async function checkStaging(
  deps: Pick<Deps, 'fs' | 'cwd'> & Deps,
  staging: string | undefined,
  wantedJob: string | undefined,
): Promise<StagingChecks> {
  if (!staging)
    return skippedAfter(
      skip(
        'staging',
        'staging location readable',
        'no staging location given (s:<dir> or --staging)',
      ),
      'no staging location given',
    );
  const dir = path.resolve(deps.cwd, staging);
  const readable = await checkReadable(deps, dir);
  if (readable.status === 'fail')
    return skippedAfter(readable, 'the staging location cannot be read');
  const found = await checkJob(deps, dir, wantedJob);
  const size = await checkDataSize(deps, dir, found.job);
  return {
    results: [readable, found.result, size.result, await checkJournalSpace(deps, dir, size.bytes)],
    job: found.job,
    dataBytes: size.bytes,
  };
}

/** The staging line, then the job, data and journal lines skipped for `why`. */
function skippedAfter(staging: CheckResult, why: string): StagingChecks {
  return {
    results: [
      staging,
      skip('job', 'import job', why),
      skip('data-size', 'data to ship', why),
      skip('journal-space', 'free space for the journal', why),
    ],
    job: undefined,
    dataBytes: undefined,
  };
}

/** The staging location is a folder this user can list. */
async function checkReadable(deps: Pick<Deps, 'fs'>, dir: string): Promise<CheckResult> {
  try {
    const st = await deps.fs.stat(dir);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await deps.fs.access(dir, constants.R_OK | constants.X_OK);
    await deps.fs.readdir(dir);
    return { id: 'staging', title: 'staging location readable', status: 'ok', detail: dir };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return {
      id: 'staging',
      title: 'staging location readable',
      status: 'fail',
      detail: `cannot read ${dir} (${code})`,
      fix:
        code === 'ENOENT'
          ? 'check the path (use the same full network path as on the source computer)'
          : code === 'ENOTDIR'
            ? 'give the folder that holds the backup'
            : 'run as a user that can read it, or grant this user read access',
      data: { errno: code },
    };
  }
}

/** The job line: `--job`'s descriptor, else the only one; several or none say so. */
async function checkJob(
  deps: Pick<Deps, 'fs'>,
  dir: string,
  wantedJob: string | undefined,
): Promise<{ result: CheckResult; job: JobDescriptor | undefined }> {
  try {
    const names = wantedJob ? [wantedJob] : await listJobs(deps.fs, dir);
    if (names.length === 1) {
      const job = await readJobDescriptor(deps.fs, dir, names[0]!);
      return {
        result: {
          id: 'job',
          title: 'import job',
          status: 'ok',
          detail: `${job.name}: ${job.service}, ${job.storageAccount}/${job.container}${job.prefix ? `/${job.prefix}` : ''}`,
          data: { name: job.name, service: job.service },
        },
        job,
      };
    }
    const result: CheckResult =
      names.length > 1
        ? {
            id: 'job',
            title: 'import job',
            status: 'fail',
            detail: `${dir} holds ${names.length} jobs: ${names.join(', ')}`,
            fix: `pass --job <name> (one of ${names.join(', ')})`,
          }
        : {
            id: 'job',
            title: 'import job',
            status: 'warn',
            detail: `no import job is recorded in ${dir}; checking the whole folder as data`,
            fix: 'record one with diskprep init s:<staging> --job <name> --service ...',
          };
    return { result, job: undefined };
  } catch (err) {
    return {
      result: {
        id: 'job',
        title: 'import job',
        status: 'fail',
        detail: (err as Error).message,
        fix:
          err instanceof DiskprepError && err.hint
            ? err.hint
            : 'recreate it with diskprep init --force',
      },
      job: undefined,
    };
  }
}

/** The data line: files and bytes the job ships (without a descriptor, the whole folder). */
async function checkDataSize(
  deps: Deps,
  dir: string,
  job: JobDescriptor | undefined,
): Promise<{ result: CheckResult; bytes: number | undefined }> {
  // Without a descriptor, the whole folder (but .diskprep) is what would ship.
  const walkAs: JobDescriptor = job ?? {
    version: 1,
    name: '(none)',
    service: 'offline',
    storageAccount: '',
    container: '',
    blobType: 'auto',
    createdAt: '',
  };
  try {
    let files = 0;
    let bytes = 0;
    for await (const f of walkJobFiles(deps, dir, walkAs)) {
      files += 1;
      bytes += f.size;
    }
    return {
      result: {
        id: 'data-size',
        title: 'data to ship',
        status: files === 0 ? 'warn' : 'ok',
        detail: `${count(files, 'file')}, ${formatBytes(bytes)}`,
        ...(files === 0
          ? { fix: 'put the backup (or the files to import) in the staging location' }
          : {}),
        data: { files, bytes },
      },
      bytes,
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // A problem the walk names (a link leaving the staging location, a FIFO, a data folder
    // that is not inside it) says itself what to do; only an OS error is about access.
    return {
      result: {
        id: 'data-size',
        title: 'data to ship',
        status: 'fail',
        ...(err instanceof DiskprepError
          ? { detail: err.message, fix: err.hint ?? 'fix the staging location, then run again' }
          : {
              detail: `cannot read ${e.path ?? 'a file'} (${e.code ?? e.message})`,
              fix: 'grant this user read access to every file of the staging location',
            }),
      },
      bytes: undefined,
    };
  }
}

/** The journal line: free space beside the staging data against what the journal needs. */
async function checkJournalSpace(
  deps: Pick<Deps, 'fs'>,
  dir: string,
  dataBytes: number | undefined,
): Promise<CheckResult> {
  try {
    const s = await deps.fs.statfs(dir);
    const free = s.bavail * s.bsize;
    const need = journalSpaceNeeded(dataBytes ?? 0);
    const status = free < need ? 'fail' : free < 4 * need ? 'warn' : 'ok';
    return {
      id: 'journal-space',
      title: 'free space for the journal',
      status,
      // Below 4× what the journal needs is a warning: the copies of the manifests grow with
      // the files, and a full journal volume stops the copy.
      detail:
        status === 'ok'
          ? `${formatBytes(free)} free beside the staging data (the journal needs about ${formatBytes(need)})`
          : `${formatBytes(free)} free beside the staging data: the journal needs about ${formatBytes(need)}, and diskprep wants 4 times that free (${formatBytes(need * 4)})`,
      ...(status !== 'ok'
        ? { fix: `free at least ${formatBytes(need * 4)} on the volume of ${dir}` }
        : {}),
      data: { freeBytes: free, neededBytes: need },
    };
  } catch (err) {
    return {
      id: 'journal-space',
      title: 'free space for the journal',
      status: 'warn',
      detail: `cannot tell (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      fix: 'make sure the staging volume has a few hundred MB free',
    };
  }
}
