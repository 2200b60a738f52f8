/**
 * Staging locations on the real file system: data files, job descriptors
 * (`<staging>/.diskprep/jobs/<name>.json`, schema JobDescriptorSchema) and, when given, each
 * job's secrets file (mode 0600). One helper for the unit, integration and e2e tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JobDescriptor, JobSecrets } from '../../src/model/job.ts';
import { tempDir } from './tempDir.ts';

/** Writes files (`/`-separated relative path → content) under `root`. */
export function writeTree(root: string, files: Record<string, Buffer | string>): void {
  for (const [rel, data] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, data);
  }
}

/** A job descriptor: `over` on top of classic job seed01 (backupacct/backups, blob type auto). */
export function jobDescriptor(over: Partial<JobDescriptor> = {}): JobDescriptor {
  return {
    version: 1,
    name: 'seed01',
    service: 'classic',
    storageAccount: 'backupacct',
    container: 'backups',
    blobType: 'auto',
    createdAt: new Date().toISOString(),
    ...over,
  };
}

/** Writes `job`'s descriptor under `staging` and, when given, its secrets file. */
export function writeJobFiles(staging: string, job: JobDescriptor, secrets?: JobSecrets): void {
  const jobs = path.join(staging, '.diskprep', 'jobs');
  fs.mkdirSync(jobs, { recursive: true });
  fs.writeFileSync(path.join(jobs, `${job.name}.json`), JSON.stringify(job));
  if (!secrets) return;
  const journal = path.join(staging, '.diskprep', 'journal', job.name);
  fs.mkdirSync(journal, { recursive: true });
  fs.writeFileSync(path.join(journal, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
}

/**
 * A fresh staging location (a temp folder) holding `jobs` (each {@link jobDescriptor} with its
 * overrides, with `options.secrets` when given) and `files`.
 */
export function makeStaging(
  jobs: Partial<JobDescriptor>[],
  files: Record<string, Buffer | string>,
  options: { secrets?: JobSecrets; tag?: string } = {},
): string {
  const dir = tempDir(options.tag ?? 'staging');
  for (const j of jobs) writeJobFiles(dir, jobDescriptor(j), options.secrets);
  writeTree(dir, files);
  return dir;
}
