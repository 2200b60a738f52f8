/**
 * Where diskprep keeps its own files inside a staging location. The staging location is
 * shared by the source computer and the copy computer, so the journal lives here, never only
 * on a drive that ships away.
 *
 *   <staging>/.diskprep/jobs/<job>.json        job descriptor (written by `diskprep init`)
 *   <staging>/.diskprep/journal/<job>/          per-job journal: copy state, drive-info XML,
 *                                               secrets (mode 0600)
 */
import path from 'node:path';

/** Name of diskprep's folder inside a staging location; never part of a job's data. */
export const DISKPREP_DIR = '.diskprep';

/** `<staging>/.diskprep`. */
export function diskprepDir(staging: string): string {
  return path.join(staging, DISKPREP_DIR);
}

/** `<staging>/.diskprep/jobs`. */
export function jobsDir(staging: string): string {
  return path.join(staging, DISKPREP_DIR, 'jobs');
}

/** `<staging>/.diskprep/jobs/<job>.json`. */
export function jobDescriptorPath(staging: string, job: string): string {
  return path.join(jobsDir(staging), `${job}.json`);
}

/** `<staging>/.diskprep/journal/<job>`. */
export function journalDir(staging: string, job: string): string {
  return path.join(staging, DISKPREP_DIR, 'journal', job);
}

/**
 * Why `data` cannot be the data folder of a job descriptor (a folder inside the staging
 * location, relative to it, `/`-separated, never diskprep's own folder), or undefined. The
 * writer (`diskprep init`) and every reader check it; the walkers check the real path too.
 */
export function dataFolderProblem(data: string): string | undefined {
  if (data === '') return 'is empty (leave it out for all of the staging location)';
  if (/^[/\\]/.test(data) || /^[A-Za-z]:/.test(data))
    return 'is an absolute path; it must be relative to the staging location';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(data)) return 'holds a control character';
  const segments = data.split(/[/\\]/);
  if (segments.some((s) => s === '')) return 'has an empty path segment ("//" or a trailing /)';
  if (segments.some((s) => s === '.' || s === '..'))
    return 'has a "." or ".." segment; it must name a folder inside the staging location';
  // Windows drops trailing dots and spaces and ignores case: ".DiskPrep. " is the same folder.
  if (segments[0]!.replace(/[. ]+$/, '').toLowerCase() === DISKPREP_DIR)
    return `is diskprep's own folder (${DISKPREP_DIR}), which is never part of the data`;
  return undefined;
}
