/**
 * Whether a job found on the service under this job's name may be taken as the one an earlier
 * run created (it crashed between the service's answer and the journal's record). Only when it
 * is exactly what this run would create: the same drives, each with the manifest hash the
 * journal holds, and the job still before shipping. Anything else is someone else's job, or
 * one made from drives that were prepared again since: adopting it would ship drives whose
 * manifests the service does not expect.
 */
import { UsageError } from '../../errors.ts';
import type { PreparedDrive } from '../../journal/copyState.ts';
import type { JobStatus } from '../../model/importJob.ts';

const HINT_OTHER_NAME =
  'record this data under another job name (diskprep init --job <new name>), or cancel the other job';

/** Why the found job is not the one this run would create; undefined when it is. */
export function adoptionRefusal(found: JobStatus, drives: PreparedDrive[]): UsageError | undefined {
  const where = `an import job named ${found.name} already exists on the ${found.service} service`;
  const key = (id: string) => id.toLowerCase();
  const local = new Map(drives.map((d) => [key(d.driveId), d]));
  const remote = new Map(found.drives.map((d) => [key(d.driveId), d]));
  const sameIds = local.size === remote.size && [...local.keys()].every((k) => remote.has(k));
  if (!sameIds)
    return refusal(
      `${where} with other drives (${found.drives.map((d) => d.driveId).join(', ') || 'none'}; this job has ${drives.map((d) => d.driveId).join(', ')})`,
      HINT_OTHER_NAME,
    );
  for (const d of drives) {
    const theirs = remote.get(key(d.driveId))!.manifestHash;
    const ours = d.manifestHash?.toUpperCase();
    if (theirs === undefined || ours === undefined || theirs !== ours)
      return refusal(
        `${where}, but drive ${d.driveId}'s manifest hash differs: the service has ${theirs ?? 'none'}, the drive's manifest is ${ours ?? 'not written'}`,
        'the job was created from an earlier preparation of the drive: cancel it (or let it expire) and record this data under another job name (diskprep init --job <new name>)',
      );
  }
  if (found.state !== 'creating' || found.cancelRequested)
    return refusal(
      `${where} in state ${found.serviceState}${found.cancelRequested ? ' (cancel requested)' : ''}: only a job still waiting for its drives is taken over`,
      `see it with diskprep status; ${HINT_OTHER_NAME}`,
    );
  return undefined;
}

function refusal(message: string, hint: string): UsageError {
  return new UsageError(message, { code: 'ERR_DISKPREP_JOB_EXISTS', hint });
}
