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
import { DISKPREP_DIR } from '../model/names.ts';

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
