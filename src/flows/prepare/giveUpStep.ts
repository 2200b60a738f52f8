/**
 * `--give-up-drive <driveId>` before a copy resumes: each id must be an open drive of the job
 * (failed or interrupted; engine/giveUp.ts says why and names the open ones), and a person at
 * a terminal types the drive id back, as for `--discard-partial-drive`: the files it holds
 * will be copied again onto other drives and it goes in no import job. A script's flag is its
 * confirmation. The engine gives the drives up when the copy starts.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError, ExitCode, UsageError } from '../../errors.ts';
import { count } from '../../format.ts';
import type { CopyState } from '../../journal/copyState.ts';
import { giveUpDrives } from '../../engine/giveUp.ts';

/** The drive ids to give up, checked and confirmed; [] without `--give-up-drive`. */
export async function confirmGiveUp(
  deps: Deps,
  job: string,
  ids: readonly string[],
  state: CopyState | undefined,
): Promise<string[]> {
  if (ids.length === 0) return [];
  if (state === undefined || state.complete) {
    throw new UsageError(
      state === undefined
        ? `job "${job}" has no copy yet: there is no drive to give up`
        : `the copy of job "${job}" is complete: there is no open drive to give up`,
      { hint: 'run the same command without --give-up-drive' },
    );
  }
  // The engine's own rules, on a copy of the state (nothing is written here).
  const todo = giveUpDrives(structuredClone(state), ids, deps.clock.now());
  if (!deps.prompt.interactive) return [...ids];
  for (const d of todo) {
    const typed = await deps.prompt.text({
      message: `Give up drive ${d.driveId}? The ${count(d.files, 'file')} it holds are copied again onto other drives, and it goes in no import job. Type ${d.driveId} to give it up`,
      flag: '--give-up-drive',
    });
    if (typed.trim() !== d.driveId) {
      throw new DiskprepError(
        `not confirmed: drive ${d.driveId} was left as it was`,
        ExitCode.failure,
        {
          code: 'ERR_DISKPREP_NOT_CONFIRMED',
          hint: `attach drive ${d.driveId} again, or type ${d.driveId} exactly to give it up`,
        },
      );
    }
  }
  return [...ids];
}
