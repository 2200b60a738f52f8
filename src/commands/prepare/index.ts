/**
 * `diskprep prepare` (legacy `s:<staging>`) onto mounted volumes (`--target`): copies the job's
 * data in one pass with MD5, writes each drive's manifest and drive-info XML, resumably.
 * Creating the import job in Azure is a later step wired elsewhere; `--offline` makes no
 * Azure call by design and leaves the drive-info XML for the portal.
 */
import path from 'node:path';
import type { AzureOptions } from '../../cli/common.ts';
import { MANIFEST_NAME } from '../../engine/manifest.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError, ExitCode } from '../../errors.ts';
import { copyJob, formatBytes, scanJob } from '../../engine/copyJob.ts';
import { driveInfoPath, readJobSecretsFile, readPreparedDrives } from '../../engine/journal.ts';
import { selectJob } from '../../staging/jobs.ts';
import { createProgressReporter } from './progressLine.ts';
import { commandLineTargets, validateTargetLists } from './targets.ts';

/** Options of {@link prepare}. */
export interface PrepareOptions {
  azure: AzureOptions;
  staging: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  targets: string[];
  drives: string[];
  driveIds: string[];
  bitlockerKeys: string[];
  alreadyEncrypted: boolean;
  alreadyFormatted: boolean;
  offline: boolean;
  yes: boolean;
}

/** Prepares the drives of a job on mounted volumes. */
export async function prepare(options: PrepareOptions, deps: Deps): Promise<void> {
  for (const k of options.bitlockerKeys) deps.redactor.add(k);
  if (options.drives.length > 0) {
    throw new DiskprepError(
      'preparing drives by device (--drive) is not available in this build yet',
      ExitCode.usage,
      {
        code: 'ERR_DISKPREP_NOT_BUILT',
        hint: 'unlock and mount the drive yourself, then pass its folder with --target',
      },
    );
  }
  validateTargetLists(options);
  const staging = options.staging;
  const job = await selectJob(deps, staging, options.job);
  const secrets = await readJobSecretsFile(deps, staging, job.name);
  const recorded = (await readPreparedDrives(deps, staging, job.name)).map((d) => d.driveId);

  if (deps.prompt.interactive && !options.yes && recorded.length === 0) {
    const total = await scanJob(deps, staging, job);
    const ok = await deps.prompt.confirm({
      message: `Copy ${total.files} files (${formatBytes(total.bytes)}) of job "${job.name}" onto ${options.targets.length > 0 ? options.targets.join(', ') : 'the drives you name'}?`,
      flag: '--yes',
      default: true,
    });
    if (!ok)
      throw new DiskprepError('nothing copied', ExitCode.interrupted, {
        code: 'ERR_DISKPREP_CANCELLED',
      });
  }

  const quiet = deps.output.jsonMode;
  const reporter = createProgressReporter(deps, quiet);
  const result = await copyJob(deps, {
    staging,
    job,
    secrets,
    nextTarget: commandLineTargets(
      deps,
      {
        targets: [...options.targets],
        driveIds: [...options.driveIds],
        bitlockerKeys: [...options.bitlockerKeys],
      },
      recorded,
    ),
    // DISKPREP_HASH_WORKERS=n (0 = on the main thread) is for benchmarks comparing the two.
    ...(/^\d$/.test(deps.env.DISKPREP_HASH_WORKERS ?? '')
      ? { hashWorkers: Number(deps.env.DISKPREP_HASH_WORKERS) }
      : {}),
    onProgress: reporter,
    onDriveComplete: (d, target) => {
      deps.terminal.clearStatus();
      if (!quiet)
        deps.terminal.success(
          `drive ${d.driveId} complete: ${d.files} files, ${formatBytes(d.bytes)}, manifest ${path.join(target, MANIFEST_NAME)} (MD5 ${d.manifestHash})`,
        );
    },
  });
  deps.terminal.clearStatus();

  const drives = result.drives.map((d) => ({
    driveId: d.driveId,
    manifestFile: d.manifestFile,
    manifestHash: d.manifestHash,
    files: d.files,
    bytes: d.bytes,
    complete: d.complete,
    driveInfoFile: driveInfoPath(staging, job.name, d.driveId),
  }));
  const jobNote = options.offline
    ? 'offline: no Azure call made; upload each drive-info XML in the portal when you create the job'
    : 'creating the import job in Azure is a later step that this build does not run yet: the drives and their drive-info XML are ready';
  if (deps.output.jsonMode) {
    deps.output.json({
      job: job.name,
      sessionId: result.sessionId,
      offline: options.offline,
      jobCreated: false,
      files: result.files,
      bytes: result.bytes,
      resumedFiles: result.resumedFiles,
      drives,
      note: jobNote,
    });
    return;
  }
  if (result.resumedFiles > 0)
    deps.terminal.info(`resumed: ${result.resumedFiles} files were already on the drives`);
  deps.output.line(
    `job ${job.name}: ${result.files} files, ${formatBytes(result.bytes)} on ${drives.length} drive(s), folder \\${result.sessionId}\\`,
  );
  for (const d of drives) {
    deps.output.line(
      `  ${d.driveId}: ${d.files} files, ${formatBytes(d.bytes)}, manifest ${d.manifestFile} MD5 ${d.manifestHash ?? '(not written yet)'}`,
    );
    deps.output.line(`    drive info: ${d.driveInfoFile}`);
  }
  if (options.offline) deps.terminal.info(jobNote);
  else deps.terminal.warn(jobNote);
}
