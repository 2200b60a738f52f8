/**
 * Finding the journal that recorded a drive, for `verify`: the staging location given
 * (`s:` / `--staging`, optionally `--job`), else every staging location this computer
 * prepared a job in (its job list). A journal found that way is read with the rules it was
 * written with; one that cannot be read is skipped with a warning (it was not named).
 */
import type { Deps } from '../../deps/types.ts';
import { manifestCredential } from '../../engine/copyJob.ts';
import { readCopyState } from '../../journal/copyState.ts';
import { openJournalManifest } from '../../engine/journalManifest.ts';
import type { JournalDrive } from '../../engine/verifyDrive.ts';
import { readLocalJobs } from '../../registry/localJobs.ts';
import { listJobs, readJobDescriptor, readJobSecrets } from '../../journal/jobs.ts';
import { journalDir } from '../../journal/layout.ts';

/** A job whose journal may record the drive. */
interface Candidate {
  staging: string;
  job: string;
  /** Named by the operator: a damaged journal is an error, not skipped. */
  named: boolean;
}

/** Looks drives up in the journals of the candidate jobs. */
export interface JournalLookup {
  /** The journal's view of drive `driveId`, or undefined. */
  find(driveId: string): Promise<JournalDrive | undefined>;
}

/** The lookup for `--staging` / `--job`, or this computer's job list without them. */
export async function journalLookup(
  deps: Deps,
  options: { staging?: string; job?: string },
): Promise<JournalLookup> {
  const candidates: Candidate[] = options.staging
    ? (options.job ? [options.job] : await listJobs(deps.fs, options.staging)).map((job) => ({
        staging: options.staging!,
        job,
        named: true,
      }))
    : (await readLocalJobs(deps))
        .filter((j) => options.job === undefined || j.name === options.job)
        .flatMap((j) => (j.staging ? [{ staging: j.staging, job: j.name, named: false }] : []));
  return {
    async find(driveId) {
      const found: JournalDrive[] = [];
      for (const c of candidates) {
        try {
          const j = await inJournal(deps, c, driveId);
          if (j && c.named) return j;
          if (j) found.push(j);
        } catch (err) {
          if (c.named) throw err;
          deps.terminal.warn(
            `skipping the journal of job ${c.job} in ${c.staging}: ${(err as Error).message}`,
          );
        }
      }
      if (found.length > 1) {
        deps.terminal.warn(
          `drive ${driveId} is recorded by several jobs on this computer (${found.map((j) => j.job).join(', ')}): pass s:<staging> and --job to compare with one`,
        );
        return undefined;
      }
      return found[0];
    },
  };
}

async function inJournal(
  deps: Deps,
  c: Candidate,
  driveId: string,
): Promise<JournalDrive | undefined> {
  const state = await readCopyState(deps, c.staging, c.job);
  const record = state?.drives.find((d) => d.driveId === driveId);
  if (!record) return undefined;
  const credential = manifestCredential(
    await readJobSecrets(deps, c.staging, c.job),
    await readJobDescriptor(deps.fs, c.staging, c.job),
  );
  return {
    journal: journalDir(c.staging, c.job),
    job: c.job,
    record,
    open: () => openJournalManifest(deps, c.staging, c.job, record, credential),
  };
}
