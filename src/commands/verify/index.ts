/**
 * `diskprep verify --target <dir> | --drive <disk> [--bitlocker-key <key>]`: re-reads a
 * prepared drive against its manifest (lengths, block coverage, every MD5, with direct I/O),
 * checks the manifest's MD5 against the hash recorded in the job's journal or given with
 * `--manifest-hash`, and compares the manifest with the journal (entry count, duplicates,
 * files committed for the drive). `--drive` unlocks the disk read-only itself and releases it
 * afterwards. Exit 1 on any mismatch.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { askValid } from '../../deps/askValid.ts';
import { openDriveReadOnly } from '../../disk/openReadOnly.ts';
import { bitLockerKeyProblem } from '../../model/bitlockerKey.ts';
import { count, formatBytes, screenColumns, truncate } from '../../format.ts';
import {
  type ManifestRuleContext,
  manifestRuleChecker,
  manifestRuleContexts,
} from '../../engine/manifestRules.ts';
import { verifyDrive, type DriveVerification } from '../../engine/verifyDrive.ts';
import { listJobs } from '../../journal/jobs.ts';
import { ExitError, ExitCode, UsageError } from '../../errors.ts';
import { fitProgress } from '../../flows/progress/progressLine.ts';
import { type JournalLookup, journalLookup } from './journalLookup.ts';

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Mounted volumes to verify. */
  targets: string[];
  /** `--drive`: a disk to unlock read-only and verify. */
  drive?: string;
  /** `--bitlocker-key` of `--drive` (else the journal's, else asked). */
  bitlockerKey?: string;
  /** `--drive-id`: the drive's id when the disk reports no serial (to find its key). */
  driveId?: string;
  /** Staging location whose journal recorded the drive. */
  staging?: string;
  job?: string;
  /** The expected manifest MD5 (one per target, in order; then the drive). */
  manifestHashes?: string[];
}

/** A verified volume and the disk it was read from. */
type Result = DriveVerification & { drive: string | null };

/** Verifies each target and the drive; throws ExitError(1) after reporting mismatches. */
export async function verify(options: VerifyOptions, deps: Deps): Promise<void> {
  const hashes = options.manifestHashes ?? [];
  for (const h of hashes) {
    if (!/^[0-9a-fA-F]{32}$/.test(h))
      throw new UsageError(`--manifest-hash ${h} is not an MD5 (32 hex digits)`, {
        hint: 'copy ManifestHash from the drive-info XML',
      });
  }
  if (options.targets.length === 0 && !options.drive)
    throw new UsageError('verify needs --target <mounted volume> or --drive <disk>', {
      hint: 'diskprep verify --drive /dev/sdb --bitlocker-key <key>, or --target /mnt/drive1',
    });
  if (options.bitlockerKey !== undefined) {
    const problem = bitLockerKeyProblem(options.bitlockerKey);
    if (problem) throw new UsageError(`--bitlocker-key: ${problem}`);
    deps.redactor.add(options.bitlockerKey);
  }
  const journals = await journalLookup(deps, options);
  // The manifest as the datacenter parses it (credential, dispositions, $root paths), held to
  // the job's rules when the staging location is named.
  const rules = options.staging
    ? await manifestRuleContexts(
        deps,
        options.staging,
        options.job ? [options.job] : await listJobs(deps.fs, options.staging),
      )
    : new Map<string, ManifestRuleContext>();
  const results: Result[] = [];
  for (const [i, t] of options.targets.entries())
    results.push({
      ...(await verifyOne(deps, path.resolve(deps.cwd, t), hashes[i], journals, rules)),
      drive: null,
    });
  if (options.drive) {
    const volume = await openDriveReadOnly(deps, options.drive, (disk) =>
      keyFor(deps, options, journals, disk.path, options.driveId ?? disk.serial),
    );
    try {
      const r = await verifyOne(
        deps,
        volume.mountPath,
        hashes[options.targets.length],
        journals,
        rules,
      );
      // The mount point is temporary: the disk names where each problem is.
      const disk = volume.disk.path;
      const mismatches = r.mismatches.map((m) => ({ ...m, target: disk }));
      results.push({ ...r, target: disk, mismatches, drive: disk });
    } finally {
      await volume.release();
    }
  }
  report(deps, results, options.drive);
  if (results.some((r) => r.mismatches.length > 0)) throw new ExitError(ExitCode.failure);
}

/** The recovery password of `--drive`: the flag, the journal's record of the drive, or asked. */
async function keyFor(
  deps: Deps,
  options: VerifyOptions,
  journals: JournalLookup,
  disk: string,
  driveId: string | undefined,
): Promise<string> {
  if (options.bitlockerKey !== undefined) return options.bitlockerKey;
  const recorded = driveId ? await journals.find(driveId) : undefined;
  if (recorded) {
    deps.redactor.add(recorded.record.bitLockerKey);
    deps.terminal.info(
      `${disk}: the BitLocker key of drive ${driveId} comes from the journal of job ${recorded.job}`,
    );
    return recorded.record.bitLockerKey;
  }
  const key = await askValid(deps, {
    message: `BitLocker recovery password of ${disk}${driveId ? ` (drive ${driveId})` : ''}, 48 digits`,
    flag: '--bitlocker-key',
    secret: true,
    check: (v) => bitLockerKeyProblem(v) ?? true,
  });
  deps.redactor.add(key);
  return key;
}

/** Verifies one mounted volume, with a progress line on a TTY. */
async function verifyOne(
  deps: Deps,
  target: string,
  manifestHash: string | undefined,
  journals: JournalLookup,
  rules: ReadonlyMap<string, ManifestRuleContext>,
): Promise<DriveVerification> {
  let total: { files: number; bytes: number } | undefined;
  const progress = verifyProgress(deps, target, () => total);
  try {
    return await verifyDrive(target, async () => manifestHash, progress, {
      journal: async (driveId) => {
        const j = await journals.find(driveId);
        if (j) total = { files: j.record.files, bytes: j.record.bytes };
        return j;
      },
      signal: deps.signal,
      direct: deps.env.DISKPREP_DIRECT_IO !== '0',
      // The manifest as the datacenter parses it, in the same pass as the files.
      rules: (driveId, head) => manifestRuleChecker(head, rules.get(driveId)),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`${target} holds no drive manifest (DriveManifest.xml)`, {
        hint: 'give the root folder of a prepared, unlocked drive',
      });
    }
    throw err;
  } finally {
    deps.terminal.clearStatus();
  }
}

/** The status line on stderr: at most every 200 ms, only on a TTY and without --json. */
function verifyProgress(
  deps: Deps,
  target: string,
  total: () => { files: number; bytes: number } | undefined,
): (files: number, bytes: number) => void {
  const start = deps.clock.monotonic();
  let last = -Infinity;
  return (files, bytes) => {
    const now = deps.clock.monotonic();
    if (deps.output.jsonMode || !deps.terminal.isTTY || now - last < 200) return;
    last = now;
    const secs = (now - start) / 1000;
    const rate = secs > 0.5 ? bytes / secs : 0;
    const t = total();
    const width = screenColumns(deps.terminal) - 1;
    deps.terminal.status(
      t
        ? fitProgress(
            {
              head: `verify ${target}`,
              bytes: { done: bytes, total: t.bytes },
              files: { done: files, total: t.files },
              rate,
            },
            width,
          )
        : truncate(
            `verify ${target} ${count(files, 'file')}, ${formatBytes(bytes)} · ${formatBytes(rate)}/s`,
            width,
          ),
    );
  };
}

/** Mismatch lines printed per kind of problem. */
const PER_PROBLEM = 20;

/** Prints the results: `--json` document, or a line per volume and a line per mismatch. */
function report(deps: Deps, results: Result[], drive: string | undefined): void {
  const mismatches = results.flatMap((r) => r.mismatches);
  const ok = mismatches.length === 0;
  if (deps.output.jsonMode) {
    deps.output.json({
      ok,
      drive: drive ?? null,
      counts: {
        drives: results.length,
        entries: results.reduce((n, r) => n + r.entries, 0),
        files: results.reduce((n, r) => n + r.files, 0),
        bytes: results.reduce((n, r) => n + r.bytes, 0),
        mismatches: mismatches.length,
      },
      drives: results.map((r) => ({
        drive: r.drive,
        target: r.target,
        driveId: r.driveId,
        // files and bytes stay where earlier versions put them: scripts read them there.
        files: r.files,
        bytes: r.bytes,
        counts: {
          entries: r.entries,
          files: r.files,
          bytes: r.bytes,
          mismatches: r.mismatches.length,
        },
        manifestHash: r.manifestHash,
        manifestHashChecked: r.expectedManifestHash !== undefined,
        journal: r.journal ?? null,
        directIo: r.directIo,
      })),
      mismatches,
    });
    return;
  }
  for (const r of results) {
    const mh =
      r.expectedManifestHash === undefined
        ? `manifest MD5 ${r.manifestHash} (not checked: pass --staging or --manifest-hash)`
        : r.mismatches.some((m) => m.problem === 'manifest-hash')
          ? `manifest MD5 ${r.manifestHash} does NOT match the recorded ${r.expectedManifestHash}`
          : `manifest MD5 ${r.manifestHash} matches ${r.journal ? 'the journal' : '--manifest-hash'}`;
    const where = r.drive
      ? `${r.drive} (${r.driveId}, unlocked read-only)`
      : `${r.target} (${r.driveId})`;
    deps.output.line(`${where}: ${count(r.files, 'file')}, ${formatBytes(r.bytes)} checked; ${mh}`);
    deps.output.line(
      r.journal
        ? `  journal of job ${r.journal.job}: ${count(r.journal.files, 'file')} committed for this drive, the manifest lists ${r.entries}`
        : '  no journal records this drive: the manifest was not compared with one (pass s:<staging>)',
    );
  }
  // At most PER_PROBLEM lines of each kind: a manifest listing a thousand files twice is one
  // finding, not a screenful (--json lists every mismatch).
  const shown = new Map<string, number>();
  for (const m of mismatches) {
    const n = (shown.get(m.problem) ?? 0) + 1;
    shown.set(m.problem, n);
    if (n > PER_PROBLEM) continue;
    const where = m.offset !== undefined ? ` at offset ${m.offset}` : '';
    const exp = m.expected !== undefined ? ` (expected ${m.expected}, found ${m.actual})` : '';
    deps.terminal.error(`${m.target}: ${m.file}: ${m.problem}${where}${exp}`);
  }
  for (const [problem, n] of shown)
    if (n > PER_PROBLEM)
      deps.terminal.error(`… and ${n - PER_PROBLEM} more ${problem} (--json lists them all)`);
  if (ok) deps.terminal.success('every file matches its manifest');
  else deps.terminal.error(`${mismatches.length} mismatch(es)`);
}
