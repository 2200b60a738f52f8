/**
 * The `--target` provider of `diskprep prepare`: hands the engine the volumes named on the
 * command line (each with its `--drive-id` and `--bitlocker-key`, in order), asks for what is
 * missing, and, interactively, asks for another drive when the named ones are full.
 */
import type { Deps } from '../../deps/types.ts';
import { askValid } from '../../deps/askValid.ts';
import { UsageError } from '../../errors.ts';
import { bitLockerKeyProblem } from '../../model/bitlockerKey.ts';
import { driveIdProblem, MAX_DRIVES } from '../../model/driveId.ts';
import type { NextTarget, TargetRequest, TargetSpec } from '../../engine/copyJob.ts';
import { count, formatBytes, plural } from '../../format.ts';

/** What the command line gave. */
export interface TargetLists {
  targets: string[];
  driveIds: string[];
  bitlockerKeys: string[];
}

// The rule lives with the journal that records drive ids; re-exported for the prompts.
export { driveIdProblem } from '../../model/driveId.ts';

/** Checks every key and id given on the command line before anything is copied. */
export function validateTargetLists(lists: TargetLists): void {
  lists.bitlockerKeys.forEach((k, i) => {
    const p = bitLockerKeyProblem(k);
    if (p)
      throw new UsageError(`--bitlocker-key number ${i + 1}: ${p}`, {
        hint: 'copy the 48-digit recovery password exactly',
      });
  });
  lists.driveIds.forEach((d, i) => {
    const p = driveIdProblem(d);
    if (p)
      throw new UsageError(`--drive-id number ${i + 1} ("${d}"): ${p}`, {
        hint: "correct it: the serial printed on the drive's label, without spaces",
      });
  });
  if (lists.targets.length > 10)
    throw new UsageError(
      `${lists.targets.length} targets given; an import job takes at most 10 drives`,
      { hint: 'split the data into two jobs' },
    );
}

/** The drive id of the volume mounted at `target`, asked (asked again after a slip). */
function askDriveId(deps: Deps, target: string): Promise<string> {
  return askValid(deps, {
    message: `Drive id (hardware serial number, no spaces) of the drive mounted at ${target}`,
    flag: '--drive-id',
    check: (v) => driveIdProblem(v) ?? true,
  });
}

/** The recovery password of drive `driveId`, asked as a secret. */
function askBitLockerKey(deps: Deps, driveId: string): Promise<string> {
  return askValid(deps, {
    message: `BitLocker recovery password of drive ${driveId} (48 digits)`,
    flag: '--bitlocker-key',
    secret: true,
    check: (v) => bitLockerKeyProblem(v) ?? true,
  });
}

/**
 * The drive id and recovery password of every named target, those the command line lacks asked
 * now (target by target), so that an interactive run asks them with its other answers before
 * the copy instead of after its go-ahead.
 */
export async function askTargetIdentities(
  deps: Deps,
  lists: TargetLists,
): Promise<Pick<TargetLists, 'driveIds' | 'bitlockerKeys'>> {
  const driveIds = [...lists.driveIds];
  const bitlockerKeys = [...lists.bitlockerKeys];
  for (const [i, target] of lists.targets.entries()) {
    const driveId = driveIds[i] ?? (await askDriveId(deps, target));
    driveIds[i] = driveId;
    bitlockerKeys[i] ??= await askBitLockerKey(deps, driveId);
    deps.redactor.add(bitlockerKeys[i]);
  }
  return { driveIds, bitlockerKeys };
}

/**
 * The provider. `recorded` are the drive ids the journal already holds (complete or not): a
 * resumed drive is found by its id; a new drive takes the first named target whose id is not
 * recorded.
 */
export function commandLineTargets(deps: Deps, lists: TargetLists, recorded: string[]): NextTarget {
  const used = new Set<number>();
  const complete = async (i: number, target: string): Promise<TargetSpec> => {
    used.add(i);
    const driveId = lists.driveIds[i] ?? (await askDriveId(deps, target));
    const bitLockerKey = lists.bitlockerKeys[i] ?? (await askBitLockerKey(deps, driveId));
    deps.redactor.add(bitLockerKey);
    return { path: target, driveId, bitLockerKey };
  };
  return async (req: TargetRequest): Promise<TargetSpec | undefined> => {
    if (req.resumeDriveId !== undefined) {
      const i = lists.driveIds.indexOf(req.resumeDriveId);
      if (i >= 0 && lists.targets[i] !== undefined) return complete(i, lists.targets[i]);
      const j = lists.targets.findIndex((_, k) => !used.has(k) && lists.driveIds[k] === undefined);
      if (j >= 0) return complete(j, lists.targets[j]!);
    } else {
      for (let i = 0; i < lists.targets.length; i++) {
        if (used.has(i)) continue;
        const id = lists.driveIds[i];
        if (id !== undefined && recorded.includes(id)) continue;
        return complete(i, lists.targets[i]!);
      }
    }
    if (!deps.prompt.interactive && lists.targets.length > 0) return undefined;
    const what = req.resumeDriveId
      ? `Drive ${req.resumeDriveId} was being filled when the copy stopped. Folder where it is mounted (unlocked)`
      : req.previous
        ? `${previousDriveSays(req.previous)}; ${count(req.remaining.files, 'file')} (${formatBytes(req.remaining.bytes)}) ${plural(req.remaining.files, 'remains', 'remain')}. Mount drive ${req.index + 1} (unlocked) and give its folder`
        : `Folder where drive ${req.index + 1} is mounted (unlocked)`;
    const target = await deps.prompt.text({ message: what, flag: '--target' });
    const i = lists.targets.length;
    lists.targets.push(target);
    if (req.resumeDriveId !== undefined && lists.driveIds[i] === undefined) {
      lists.driveIds[i] = req.resumeDriveId;
    }
    return complete(i, target);
  };
}

/**
 * Drives filled at the same time: as many as the command line names (`--target` or `--drive`
 * repeated), at least one. Drives already complete are skipped by the providers, so a resumed
 * job fills the others at once. With neither, interactively, as many as the operator picks in
 * the first disk question (driveTargets.ts), up to a job's 10.
 */
export function drivesAtOnce(
  o: { targets: readonly string[]; drives: readonly string[] },
  interactive: boolean,
): number {
  if (interactive && o.targets.length === 0 && o.drives.length === 0) return MAX_DRIVES;
  return Math.max(1, o.targets.length, o.drives.length);
}

/**
 * How the drive before the one asked for ended, for the question: full, its part copied, or
 * failed (a failed drive's files wait for the next one, and it keeps what it committed).
 */
export function previousDriveSays(p: NonNullable<TargetRequest['previous']>): string {
  if (p.ended === 'failed') return `Drive ${p.driveId} failed (what it committed stays on it)`;
  if (p.ended === 'done') return `Drive ${p.driveId} is complete`;
  return `Drive ${p.driveId} is full`;
}
