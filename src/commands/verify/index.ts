/**
 * `diskprep verify --target <dir>`: re-reads a prepared drive against its manifest (lengths,
 * block coverage, every MD5) and checks the manifest's MD5 against the hash recorded in the
 * job's journal (`--staging`, `--job`) or given with `--manifest-hash`. Exit 1 on any mismatch.
 */
import type { Deps } from '../../deps/types.ts';
import { ExitError, ExitCode, UsageError } from '../../errors.ts';
import { formatBytes } from '../../engine/copyJob.ts';
import { readPreparedDrives } from '../../engine/journal.ts';
import { listJobs } from '../../staging/jobs.ts';
import { verifyDrive, type DriveVerification } from '../../engine/verifyDrive.ts';
import path from 'node:path';

/** Options of {@link verify}. */
export interface VerifyOptions {
  targets: string[];
  /** Staging location whose journal holds the manifest hashes. */
  staging?: string;
  job?: string;
  /** The expected manifest MD5 (one per target, in order). */
  manifestHashes?: string[];
}

/** Verifies each target; throws ExitError(1) after reporting mismatches. */
export async function verify(options: VerifyOptions, deps: Deps): Promise<void> {
  const hashes = options.manifestHashes ?? [];
  for (const h of hashes) {
    if (!/^[0-9a-fA-F]{32}$/.test(h))
      throw new UsageError(`--manifest-hash ${h} is not an MD5 (32 hex digits)`, {
        hint: 'copy ManifestHash from the drive-info XML',
      });
  }
  const recorded = new Map<string, string | undefined>();
  if (options.staging) {
    const jobs = options.job ? [options.job] : await listJobs(deps.fs, options.staging);
    for (const job of jobs) {
      for (const d of await readPreparedDrives(deps, options.staging, job))
        recorded.set(d.driveId, d.manifestHash);
    }
  }
  const results: DriveVerification[] = [];
  for (const [i, t] of options.targets.entries()) {
    const target = path.resolve(deps.cwd, t);
    const r = await verifyDrive(
      target,
      async (driveId) => hashes[i] ?? recorded.get(driveId),
      (files, bytes) => {
        if (!deps.output.jsonMode)
          deps.terminal.status(`verify ${target}: ${files} files, ${formatBytes(bytes)}`);
      },
      deps.signal,
    ).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new UsageError(`${target} holds no drive manifest (DriveManifest.xml)`, {
          hint: 'give the root folder of a prepared, unlocked drive',
        });
      }
      throw err;
    });
    deps.terminal.clearStatus();
    results.push(r);
  }
  const mismatches = results.flatMap((r) => r.mismatches);
  const ok = mismatches.length === 0;
  if (deps.output.jsonMode) {
    deps.output.json({
      ok,
      drives: results.map((r) => ({
        target: r.target,
        driveId: r.driveId,
        files: r.files,
        bytes: r.bytes,
        manifestHash: r.manifestHash,
        manifestHashChecked: r.expectedManifestHash !== undefined,
      })),
      mismatches,
    });
  } else {
    for (const r of results) {
      const mh =
        r.expectedManifestHash === undefined
          ? `manifest MD5 ${r.manifestHash} (not checked: pass --staging or --manifest-hash)`
          : r.mismatches.some((m) => m.problem === 'manifest-hash')
            ? `manifest MD5 ${r.manifestHash} does NOT match the recorded ${r.expectedManifestHash}`
            : `manifest MD5 ${r.manifestHash} matches the journal`;
      deps.output.line(
        `${r.target} (${r.driveId}): ${r.files} files, ${formatBytes(r.bytes)} checked; ${mh}`,
      );
    }
    for (const m of mismatches) {
      const where = m.offset !== undefined ? ` at offset ${m.offset}` : '';
      const exp = m.expected !== undefined ? ` (expected ${m.expected}, found ${m.actual})` : '';
      deps.terminal.error(`${m.target}: ${m.file}: ${m.problem}${where}${exp}`);
    }
    if (ok) deps.terminal.success('every file matches its manifest');
    else deps.terminal.error(`${mismatches.length} mismatch(es)`);
  }
  if (!ok) throw new ExitError(ExitCode.failure);
}
