/**
 * The copy-session id: the folder at the drive root that holds a job's files
 * (`\<session>\<relative path>`). WAImportExport's rule: letters, digits, `_ - #`, 3–30
 * characters. Derived from the job name only, so it is the same on every run and resume.
 */
import { createHash } from 'node:crypto';

const ALLOWED = /^[A-Za-z0-9_\-#]{3,30}$/;

/** The session id of job `jobName`: the name itself when it obeys the rule, else a cleaned, hashed form. */
export function sessionIdFor(jobName: string): string {
  if (ALLOWED.test(jobName)) return jobName;
  const clean = jobName.replace(/[^A-Za-z0-9_\-#]/g, '-').slice(0, 22);
  const tag = createHash('md5').update(jobName, 'utf8').digest('hex').slice(0, 7);
  return `${clean || 'job'}-${tag}`;
}

/** True when `id` obeys WAImportExport's session-id rule. */
export function isValidSessionId(id: string): boolean {
  return ALLOWED.test(id);
}
