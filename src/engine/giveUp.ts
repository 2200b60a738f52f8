/**
 * Giving up a drive (`--give-up-drive`): a drive that failed or was interrupted and will not come
 * back (dead, lost, sent away by mistake). Its files, committed or planned, go back to the plan
 * for the drives still to come; its record stays in the journal, marked, so its index, blob list
 * and ledger are never reused, and it is in no import job. One atomic write of the copy state
 * does it (the caller saves), so a crash leaves the drive either open or given up.
 */
import { count } from '../format.ts';
import { UsageError } from '../errors.ts';
import type { CopyState, DriveRecord } from '../journal/copyState.ts';
import { mergeRanges } from './lanePlan.ts';

/**
 * Marks the drives `ids` of `state` given up at `now` and hands their files back to the plan.
 * A drive given up already is left as it is (the same command again); an id that is not an
 * open drive of the job is a usage error naming the ones that are. Returns the drives it gave up.
 */
export function giveUpDrives(state: CopyState, ids: readonly string[], now: Date): DriveRecord[] {
  const out: DriveRecord[] = [];
  for (const id of ids) {
    const d = state.drives.find((x) => x.driveId === id);
    if (d?.givenUp !== undefined) continue;
    if (d === undefined || d.complete) throw notOpen(state, id, d);
    state.pending = mergeRanges(state.pending ?? [], d.ranges ?? []);
    d.ranges = [];
    const c = state.cursor;
    state.cursor = {
      relPath: c.relPath,
      files: Math.max(0, c.files - d.files),
      bytes: Math.max(0, c.bytes - d.bytes),
    };
    d.givenUp = now.toISOString();
    out.push(d);
  }
  return out;
}

/** Drives of `state` that can be given up: not complete, not given up. */
export function openDrives(state: CopyState): DriveRecord[] {
  return state.drives.filter((d) => !d.complete && d.givenUp === undefined);
}

function notOpen(state: CopyState, id: string, d: DriveRecord | undefined): UsageError {
  const open = openDrives(state).map((x) => x.driveId);
  const which =
    open.length > 0
      ? `open drives of the job: ${open.slice(0, 10).join(', ')}`
      : 'no drive of the job is open';
  return new UsageError(
    d
      ? `drive ${id} is complete (${count(d.files, 'file')}, manifest written): only a drive that failed or was interrupted can be given up`
      : `drive ${id} is not a drive of job "${state.job}"; ${which}`,
    { hint: `--give-up-drive takes the drive id of an open drive (${which})` },
  );
}
