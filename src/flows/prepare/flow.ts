/**
 * The `diskprep s:<staging> [p:<file>]` / `diskprep prepare` flow, end to end, the way
 * AzureOfflineBackupDiskPrep runs it (reference/azure-importexport.md §5.2):
 *
 * 1. pick the job of the staging location (`--job`);
 * 2. classic: load the publish settings (`p:`) and choose the subscription;
 * 3. preflight: elevation when a disk is prepared, OS tools, staging, settings, endpoints;
 * 4. copy: the engine asks its "next target" provider for each drive: the `--target` folders,
 *    or disks (`--drive`, else asked) that are confirmed, opened (format + BitLocker, or
 *    unlocked) and released when full; every opened volume is released at the end, also on
 *    failure and Ctrl-C;
 * 5. review; ask the return details; create the job once (journal record), or for `--offline`
 *    leave the drive-info XML for the portal;
 * 6. record the job in this computer's list; print where to ship, the carriers, the serials,
 *    the rules; offer to enter the shipping details now (`--ship-now`).
 *
 * Every step resumes: the copy from the engine's journal, the job from the journal's record.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError, ExitCode, UsageError } from '../../errors.ts';
import { check } from './preflight.ts';
import { copyJob, formatBytes, scanJob } from '../../engine/copyJob.ts';
import { driveInfoPath, readCopyState, toPrepared } from '../../journal/copyState.ts';
import { MANIFEST_NAME } from '../../model/names.ts';
import type { ImportJobService, JobStatus, ShippingInfo } from '../../model/importJob.ts';
import { readLocalJobs, recordLocalJob } from '../../registry/localJobs.ts';
import {
  enterShippingDetails,
  SHIPPING_RULES,
  type ServiceFactory,
  type ShipAnswersInput,
} from '../ship/index.ts';
import { readJobSecrets, selectJob } from '../../journal/jobs.ts';
import { journalDir } from '../../journal/layout.ts';
import { validateJobData } from '../../staging/validate.ts';
import type { JobDescriptor, ServiceKind } from '../../model/job.ts';
import { withJobLock } from '../../journal/jobLock.ts';
import { createProgressReporter } from '../progress/progressLine.ts';
import { commandLineTargets, validateTargetLists } from './targets.ts';
import { connectService } from './connectService.ts';
import { createJobOnce } from './createJobStep.ts';
import { readJobRecord } from '../../journal/jobRecord.ts';
import { type DiskSeams, driveTargets } from './driveTargets.ts';
import type { PrepareOptions } from './options.ts';
import { driveResult, type PrepareResult, printResult, printReview } from './report.ts';
import type { PreflightSeam } from './preflight.ts';

/** Seams of the flow (tests swap them; production uses the real parts). */
export interface FlowSeams {
  createService?: ServiceFactory;
  disks?: DiskSeams;
  preflight?: PreflightSeam;
}

/** Runs the whole `s:` flow. */
export async function runPrepareFlow(
  options: PrepareOptions,
  deps: Deps,
  seams: FlowSeams = {},
): Promise<void> {
  for (const k of options.bitlockerKeys) deps.redactor.add(k);
  deps.redactor.add(options.ship?.returnCarrierAccount);
  validateTargetLists(options);
  if (options.targets.length > 0 && options.drives.length > 0)
    throw new UsageError('both --target and --drive were given', {
      hint: 'give the disks to prepare (--drive), or the volumes you mounted yourself (--target), not both',
    });
  if (options.drives.length > 10)
    throw new UsageError(`${options.drives.length} drives given; an import job takes at most 10`, {
      hint: 'split the data into two jobs',
    });
  const staging = path.resolve(deps.cwd, options.staging);
  const o: PrepareOptions = { ...options, staging };

  // 1. The job, then everything else under its lock: one run per job at a time.
  const job = await selectJob(deps, staging, o.job);
  await withJobLock(deps, staging, job.name, 'prepare', () => prepareJob(deps, o, job, seams), {
    ...(o.breakLock ? { breakLock: true } : {}),
  });
}

/** Steps 2-7 for the selected job, holding its lock. */
async function prepareJob(
  deps: Deps,
  o: PrepareOptions,
  job: JobDescriptor,
  seams: FlowSeams,
): Promise<void> {
  const { staging } = o;
  // 2. The job's service.
  const kind: ServiceKind = o.offline ? 'offline' : job.service;
  const connected =
    kind === 'offline' ? undefined : await connectService(deps, job, o, seams.createService);
  const service = connected?.service;

  // 3. Preflight, before any disk is touched.
  const state = await readCopyState(deps, staging, job.name);
  const copyDone = state?.complete === true;
  await check(deps, seams.preflight, {
    staging,
    job: job.name,
    needsDisk: !copyDone && o.targets.length === 0,
    service: kind,
    // A job the journal says exists is not created again: a disabled subscription does not block.
    createsJob: kind !== 'offline' && (await readJobRecord(deps, staging, job.name)) === undefined,
    ...(o.publishSettings ? { publishSettings: o.publishSettings } : {}),
    ...(connected?.subscription ? { subscription: connected.subscription } : {}),
    azure: o.azure,
    ...(o.proxy ? { proxy: o.proxy } : {}),
    ...(o.caFile ? { caFile: o.caFile } : {}),
  });

  // 4. Copy (or resume). Before the first byte is written, every name that a blob or NTFS
  // cannot hold is listed in one error (a resumed copy was checked when it started).
  if (state === undefined) await validateJobData(deps, staging, job);
  const secrets = await readJobSecrets(deps, staging, job.name);
  const recorded = (state?.drives ?? []).map(toPrepared);
  const quiet = deps.output.jsonMode;
  const disks =
    o.targets.length === 0
      ? driveTargets(
          deps,
          {
            drives: o.drives,
            driveIds: o.driveIds,
            bitlockerKeys: o.bitlockerKeys,
            alreadyEncrypted: o.alreadyEncrypted,
            alreadyFormatted: o.alreadyFormatted,
            yes: o.yes,
            allDisks: o.allDisks === true,
            // Never the disk the data comes from or the journal lives on.
            keep: [
              { what: 'the staging location', path: staging },
              { what: 'the journal', path: journalDir(staging, job.name) },
            ],
            discardPartialDrives: o.discardPartialDrives ?? [],
            breakLock: o.breakLock === true,
          },
          { staging, name: job.name },
          recorded,
          seams.disks,
        )
      : undefined;

  if (deps.exec.dryRun && !copyDone) {
    await dryRun(deps, o, { job, kind, service, disks });
    return;
  }

  if (!disks && deps.prompt.interactive && !o.yes && recorded.length === 0) {
    const total = await scanJob(deps, staging, job);
    const ok = await deps.prompt.confirm({
      message: `Copy ${total.files} files (${formatBytes(total.bytes)}) of job "${job.name}" onto ${o.targets.length > 0 ? o.targets.join(', ') : 'the drives you name'}?`,
      flag: '--yes',
      default: true,
    });
    if (!ok)
      throw new DiskprepError('nothing copied', ExitCode.interrupted, {
        code: 'ERR_DISKPREP_CANCELLED',
      });
  }

  let copied;
  try {
    copied = await copyJob(deps, {
      staging,
      job,
      secrets,
      nextTarget:
        disks?.next ??
        commandLineTargets(
          deps,
          {
            targets: [...o.targets],
            driveIds: [...o.driveIds],
            bitlockerKeys: [...o.bitlockerKeys],
          },
          recorded.map((d) => d.driveId),
        ),
      // For benchmarks comparing the ways of copying large files: DISKPREP_COPY_WORKERS=n
      // (0 = on the main thread), DISKPREP_CHUNKS_PER_WORKER=n and DISKPREP_DIRECT_IO=0 (buffered).
      ...(/^\d$/.test(deps.env.DISKPREP_COPY_WORKERS ?? '')
        ? { copyWorkers: Number(deps.env.DISKPREP_COPY_WORKERS) }
        : {}),
      ...(/^[1-9]$/.test(deps.env.DISKPREP_CHUNKS_PER_WORKER ?? '')
        ? { chunksPerWorker: Number(deps.env.DISKPREP_CHUNKS_PER_WORKER) }
        : {}),
      ...(deps.env.DISKPREP_DIRECT_IO === '0' ? { directIo: false } : {}),
      // Files per commit (default 1000): tests stop a run after a commit of a small job.
      ...(/^[1-9]\d{0,3}$/.test(deps.env.DISKPREP_COMMIT_FILES ?? '')
        ? { commitEvery: { files: Number(deps.env.DISKPREP_COMMIT_FILES) } }
        : {}),
      onProgress: createProgressReporter(deps, quiet),
      onDriveComplete: (d, target) => {
        deps.terminal.clearStatus();
        if (!quiet)
          deps.terminal.success(
            `drive ${d.driveId} complete: ${d.files} files, ${formatBytes(d.bytes)}, manifest ${path.join(target, MANIFEST_NAME)} (MD5 ${d.manifestHash})`,
          );
      },
    });
  } finally {
    deps.terminal.clearStatus();
    await disks?.releaseAll();
  }
  if (copied.resumedFiles > 0 && !copyDone)
    deps.terminal.info(`resumed: ${copied.resumedFiles} files were already on the drives`);

  const drives = copied.drives.map((d) =>
    driveResult(d, driveInfoPath(staging, job.name, d.driveId)),
  );
  const base = {
    job: job.name,
    service: kind,
    storageAccount: job.storageAccount,
    container: job.container,
    sessionId: copied.sessionId,
    offline: kind === 'offline',
    dryRun: false,
    files: copied.files,
    bytes: copied.bytes,
    resumedFiles: copied.resumedFiles,
    changedSinceCopied: copied.changedSinceCopied,
    drives,
    rules: SHIPPING_RULES,
  };

  // 5. Offline: the drive-info XML is what the portal takes.
  if (!service) {
    const note =
      'offline: no Azure call made; create the import job in the Azure portal and upload each drive-info XML';
    printReview(deps, job, kind, job.location, drives);
    const result: PrepareResult = {
      ...base,
      location: job.location ?? null,
      created: false,
      createdNow: false,
      jobCreated: false,
      state: null,
      shipTo: null,
      carriers: [],
      note,
      shipment: null,
    };
    if (deps.output.jsonMode) deps.output.json(result);
    else printResult(deps, result);
    return;
  }

  // 5. Review, return details, create once.
  const location = await jobLocation(deps, o, job.location);
  printReview(deps, job, kind, location, drives);
  const info = await shippingInfo(deps, service, location);
  const created = await createJobOnce(deps, {
    job,
    staging,
    service,
    location,
    carriers: info?.carriers ?? [],
    drives: copied.drives,
    secrets,
    answers: o.ship ?? {},
    yes: o.yes,
  });

  // 6. This computer's list, then where to ship.
  if (created.record) {
    const local = (await readLocalJobs(deps)).find(
      (j) => j.name === job.name && path.resolve(deps.cwd, j.staging) === staging,
    );
    await recordLocalJob(deps, {
      name: job.name,
      service: job.service,
      staging,
      createdAt: local?.createdAt ?? created.record.createdAt,
      ...(connected?.subscription ? { subscription: connected.subscription } : {}),
      ...(job.resourceGroup ? { resourceGroup: job.resourceGroup } : {}),
      storageAccount: job.storageAccount,
      ...(local?.shippedAt ? { shippedAt: local.shippedAt } : {}),
    }).catch((err: unknown) =>
      deps.terminal.warn(`cannot update this computer's list of jobs: ${(err as Error).message}`),
    );
  }
  const status: JobStatus | undefined = created.status;
  const shipTo = status?.shipTo ?? info?.address;
  const exists = created.record !== undefined;
  const result: PrepareResult = {
    ...base,
    dryRun: deps.exec.dryRun,
    location: created.record?.location ?? location,
    created: exists,
    createdNow: created.createdNow,
    jobCreated: exists,
    state: status?.serviceState ?? created.record?.serviceState ?? null,
    shipTo: shipTo ? { location: info?.location ?? location, ...shipTo } : null,
    carriers: info?.carriers ?? [],
    note: exists
      ? `import job ${job.name} ${created.createdNow ? 'created' : 'exists'} on the ${kind} service; ship the drives, then enter the tracking number with diskprep u:`
      : `dry run: the import job was not created (no Azure write call made)`,
    shipment: null,
  };
  if (!deps.output.jsonMode) printResult(deps, result);

  // 7. Shipping details now?
  if (exists && (await wantsShipNow(deps, o))) {
    const r = created.returnDetails;
    const answers: ShipAnswersInput = {
      ...(o.ship ?? {}),
      ...(r
        ? {
            returnAddress: {
              name: r.returnAddress.recipientName,
              phone: r.returnAddress.phone,
              email: r.returnAddress.email,
              street: r.returnAddress.streetAddress1,
              city: r.returnAddress.city,
              state: r.returnAddress.stateOrProvince ?? '',
              postalCode: r.returnAddress.postalCode,
              country: r.returnAddress.countryOrRegion,
            },
            returnCarrier: r.returnShipping.carrierName,
            returnCarrierAccount: r.returnShipping.carrierAccountNumber,
          }
        : {}),
    };
    const shipped = await enterShippingDetails(deps, {
      job,
      service,
      staging,
      answers,
      yes: o.yes,
      command: `diskprep u: s:${staging}`,
    });
    result.shipment = {
      job: shipped.job,
      service: shipped.service,
      state: shipped.state,
      shipment: shipped.shipment,
      returnShipping: shipped.returnShipping,
      savedTo: shipped.savedTo,
    };
    result.state = shipped.state;
    if (!deps.output.jsonMode)
      deps.output.line(
        `shipping details sent; job ${job.name} is ${shipped.state}, saved to ${shipped.savedTo}`,
      );
  } else if (exists && !deps.output.jsonMode) {
    deps.output.line(
      `When the package is on its way: diskprep u: s:${staging}${o.publishSettings ? ` p:${o.publishSettings}` : ''}`,
    );
  }
  if (deps.output.jsonMode) deps.output.json(result);
}

/** The job's location: recorded, `--location`, else asked. */
async function jobLocation(
  deps: Deps,
  o: PrepareOptions,
  recorded: string | undefined,
): Promise<string> {
  if (recorded) return recorded;
  if (o.location) return o.location;
  return (
    await deps.prompt.text({
      message: 'Location (Azure region / Import/Export location) of the job, e.g. West US',
      flag: '--location',
      validate: (v) => (v.trim() === '' ? 'a location is needed' : true),
    })
  ).trim();
}

/** The datacenter address and carriers; a warning (not a failure) when the service cannot say. */
async function shippingInfo(
  deps: Deps,
  service: ImportJobService,
  location: string,
): Promise<ShippingInfo | undefined> {
  try {
    return await service.getShippingInfo(location);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    deps.terminal.warn(
      `cannot get the datacenter address for ${location}: ${(err as Error).message.split('\n')[0] ?? ''}`,
    );
    return undefined;
  }
}

/** `--ship-now` / `--no-ship-now`, else asked; never under `--yes` unless `--ship-now`. */
async function wantsShipNow(deps: Deps, o: PrepareOptions): Promise<boolean> {
  if (o.shipNow !== undefined) return o.shipNow;
  if (o.yes || !deps.prompt.interactive) return false;
  return deps.prompt.confirm({
    message: 'Enter the shipping details (carrier, tracking number) now?',
    flag: '--ship-now',
    default: false,
  });
}

/**
 * `--dry-run`: the flow up to the first drive (its disk-changing commands printed as `! cmd`,
 * none run), what would be copied, and the job that would be created; no Azure write call.
 */
async function dryRun(
  deps: Deps,
  o: PrepareOptions,
  ctx: {
    job: Awaited<ReturnType<typeof selectJob>>;
    kind: ServiceKind;
    service: ImportJobService | undefined;
    disks: ReturnType<typeof driveTargets> | undefined;
  },
): Promise<void> {
  const { job } = ctx;
  const total = await scanJob(deps, o.staging, job);
  try {
    if (ctx.disks) await ctx.disks.open({ index: 0, remaining: total });
  } finally {
    await ctx.disks?.releaseAll();
  }
  deps.terminal.info(
    `dry run: would copy ${total.files} files (${formatBytes(total.bytes)}) of job ${job.name} onto ${o.targets.length > 0 ? o.targets.join(', ') : 'the drive(s) above'}; nothing was written`,
  );
  let info: ShippingInfo | undefined;
  let location: string | undefined = job.location ?? o.location;
  if (ctx.service) {
    location ??= await jobLocation(deps, o, undefined);
    info = await shippingInfo(deps, ctx.service, location);
    deps.terminal.info(
      `dry run: would create import job ${job.name} on the ${ctx.kind} service in ${location}; no Azure write call was made`,
    );
  }
  const result: PrepareResult = {
    job: job.name,
    service: ctx.kind,
    storageAccount: job.storageAccount,
    container: job.container,
    location: location ?? null,
    sessionId: null,
    offline: ctx.kind === 'offline',
    dryRun: true,
    created: false,
    createdNow: false,
    jobCreated: false,
    state: null,
    files: total.files,
    bytes: total.bytes,
    resumedFiles: 0,
    changedSinceCopied: { count: 0, files: [] },
    drives: [],
    shipTo: info ? { location: info.location, ...info.address } : null,
    carriers: info?.carriers ?? [],
    rules: SHIPPING_RULES,
    note: 'dry run: no disk was changed, nothing was copied, and no Azure write call was made',
    shipment: null,
  };
  if (deps.output.jsonMode) deps.output.json(result);
  else printResult(deps, result);
}
