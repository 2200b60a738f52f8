/**
 * The `diskprep s:<staging> [p:<file>]` / `diskprep prepare` flow, end to end, the way
 * AzureOfflineBackupDiskPrep runs it (reference/azure-importexport.md §5.2):
 *
 * 1. pick the job of the staging location (`--job`; recorded inline when there is none);
 * 2. classic: load the publish settings (`p:`) and choose the subscription;
 * 3. preflight: elevation when a disk is prepared, OS tools, staging, settings, endpoints;
 *    then every answer the run needs (collectAnswers.ts): keys, location, return details, the
 *    ship-now decision, the go-ahead; a script missing some exits 3 once, naming them all;
 * 4. copy: the engine asks its "next target" provider for each drive: the `--target` folders,
 *    or disks (`--drive`, else asked) that are confirmed, opened (format + BitLocker, or
 *    unlocked) and released when full; every opened volume is released at the end, also on
 *    failure and Ctrl-C;
 * 5. review; create the job once with the return details given (journal record), or for
 *    `--offline` leave the drive-info XML for the portal;
 * 6. record the job in this computer's list; print where to ship, the carriers, the serials,
 *    the rules; enter the shipping details now when that was the answer (`--ship-now`).
 *
 * Every step resumes: the copy from the engine's journal, the job from the journal's record.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { askValid } from '../../deps/askValid.ts';
import { DiskprepError, ExitCode, UsageError } from '../../errors.ts';
import { check } from './preflight.ts';
import {
  copyJob,
  type CopyJobOptions,
  type CopyJobResult,
  JobTally,
  scanJob,
} from '../../engine/copyJob.ts';
import { count, formatBytes, plural, screenColumns, wrapLine } from '../../format.ts';
import {
  type CopyState,
  driveInfoPath,
  type PreparedDrive,
  readCopyState,
  toPrepared,
} from '../../journal/copyState.ts';
import { MANIFEST_NAME } from '../../model/names.ts';
import type { ImportJobService, JobStatus, ShippingInfo } from '../../model/importJob.ts';
import { readLocalJobs, recordLocalJob } from '../../registry/localJobs.ts';
import {
  enterShippingDetails,
  SHIPPING_RULES,
  type ServiceFactory,
  type ShipAnswersInput,
} from '../ship/index.ts';
import { assertStagingExists, readJobSecrets, selectJob } from '../../journal/jobs.ts';
import { type InitJob, recordJobInline } from './newJob.ts';
import { journalDir } from '../../journal/layout.ts';
import { validateJobData } from '../../staging/validate.ts';
import { confirmGiveUp } from './giveUpStep.ts';
import type { JobDescriptor, JobSecrets, ServiceKind } from '../../model/job.ts';
import { withJobLock } from '../../journal/jobLock.ts';
import { createDrivesReporter } from '../progress/drivesProgress.ts';
import { commandLineTargets, drivesAtOnce, validateTargetLists } from './targets.ts';
import { type ConnectedService, connectJobService } from '../../importjob/connect.ts';
import { createJobOnce, type CreateStepResult } from './createJobStep.ts';
import { type JobRecord, readJobRecord } from '../../journal/jobRecord.ts';
import { type DiskSeams, type DriveTargets, driveTargets } from './driveTargets.ts';
import type { PrepareOptions } from './options.ts';
import {
  driveCompleteLines,
  driveResult,
  type DriveResult,
  type PrepareResult,
  printResult,
  printReview,
} from './report.ts';
import type { PreflightSeam } from './preflight.ts';
import { collectAnswers, type UpfrontAnswers } from './collectAnswers.ts';
import { isoDate } from '../ship/dates.ts';
import { awaitsDrives, currentJobState, jobNote, nextCommands } from './jobWords.ts';

/** Seams of the flow (tests swap them; production uses the real parts). */
export interface FlowSeams {
  createService?: ServiceFactory;
  disks?: DiskSeams;
  preflight?: PreflightSeam;
  /** Records a job inline when the staging location has none (the command layer's init). */
  initJob?: InitJob;
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

  // 1. The job (recorded inline when there is none), then everything else under its lock.
  await assertStagingExists(deps, staging);
  const inline = await recordJobInline(deps, o, seams.initJob);
  const job = await selectJob(deps, staging, inline ?? o.job);
  await withJobLock(deps, staging, job.name, 'prepare', () => prepareJob(deps, o, job, seams), {
    ...(o.breakLock ? { breakLock: true } : {}),
  });
}

/** What the steps of one job's run share: the options, the job and its service. */
interface JobRun {
  deps: Deps;
  o: PrepareOptions;
  job: JobDescriptor;
  seams: FlowSeams;
  kind: ServiceKind;
  /** The service (undefined: offline). */
  connected: ConnectedService | undefined;
}

/** Steps 2-7 for the selected job, holding its lock. */
async function prepareJob(
  deps: Deps,
  o: PrepareOptions,
  job: JobDescriptor,
  seams: FlowSeams,
): Promise<void> {
  // 2. The job's service.
  const kind: ServiceKind = o.offline ? 'offline' : job.service;
  const connected =
    kind === 'offline'
      ? undefined
      : await connectJobService(deps, job, {
          ...o,
          command: `diskprep s:${o.staging}`,
          alternative: 'or --offline to prepare the drives without Azure',
          createService: seams.createService,
        });
  const run: JobRun = { deps, o, job, seams, kind, connected };
  const state = await preflight(run);
  const giveUp = await confirmGiveUp(deps, job.name, o.giveUpDrives ?? [], state);
  // 4. Copy (or resume). Before the first byte is written, every name that a blob or NTFS
  // cannot hold is listed in one error (a resumed copy was checked when it started).
  const scanned = state === undefined ? await validateAndCount(deps, o.staging, job) : undefined;
  // Every answer of the run before the copy (a dry run asks nothing it would not use).
  const answers = deps.exec.dryRun ? undefined : await askFirst(run, state);
  const secrets = answers?.secrets ?? (await readJobSecrets(deps, o.staging, job.name));
  const copied = await copyStep(run, state, secrets, answers?.targetIdentities, scanned, giveUp);
  if (!copied) return;
  const base = resultBase(run, copied);
  if (!connected) {
    printOffline(run, base);
    return;
  }
  const created = await reviewAndCreate(
    run,
    connected.service,
    copied,
    secrets,
    base.drives,
    answers!,
  );
  await recordLocally(run, created.record);
  await shipStep(run, connected.service, base, created, answers!);
}

/**
 * Before a first copy: every name that a blob or NTFS cannot hold, and every file the service
 * could not import, listed at once; returns the job's totals, counted in the same walk.
 */
async function validateAndCount(
  deps: Deps,
  staging: string,
  job: JobDescriptor,
): Promise<{ files: number; bytes: number }> {
  const tally = new JobTally(job);
  await validateJobData(deps, staging, job, { onFile: (f) => tally.add(f) });
  return tally.totals();
}

/** Every answer the run needs, collected before its copy (collectAnswers.ts). */
async function askFirst(run: JobRun, state: CopyState | undefined): Promise<UpfrontAnswers> {
  const { deps, o, job, connected } = run;
  const created = (await readJobRecord(deps, o.staging, job.name)) !== undefined;
  // A job created earlier may be past shipping already: then nothing is offered to ship.
  const status =
    created && connected ? await currentJobState(deps, connected.service, job.name) : undefined;
  return collectAnswers(
    deps,
    {
      o,
      job,
      service: connected?.service,
      secrets: await readJobSecrets(deps, o.staging, job.name),
      freshCopy: state === undefined,
      created,
      pastShipping:
        status !== undefined &&
        !awaitsDrives({ service: status.service, state: status.serviceState }),
    },
    (location) => shippingInfo(deps, connected!.service, location),
  );
}

/** 3. Preflight, before any disk is touched; returns the copy's journal state. */
async function preflight(run: JobRun): Promise<CopyState | undefined> {
  const { deps, o, job, kind, connected } = run;
  const { staging } = o;
  const state = await readCopyState(deps, staging, job.name);
  await check(deps, run.seams.preflight, {
    staging,
    job: job.name,
    needsDisk: state?.complete !== true && o.targets.length === 0,
    service: kind,
    // A job the journal says exists is not created again: a disabled subscription does not block.
    createsJob: kind !== 'offline' && (await readJobRecord(deps, staging, job.name)) === undefined,
    ...(o.publishSettings ? { publishSettings: o.publishSettings } : {}),
    ...(connected?.subscription ? { subscription: connected.subscription } : {}),
    azure: o.azure,
    ...(o.proxy ? { proxy: o.proxy } : {}),
    ...(o.caFile ? { caFile: o.caFile } : {}),
  });
  return state;
}

/** 4. Copy (or resume) onto the drives or the `--target` folders; undefined after a dry run. */
async function copyStep(
  run: JobRun,
  state: CopyState | undefined,
  secrets: JobSecrets,
  /** The targets' drive ids and keys asked before the copy (else the flags, else asked now). */
  identities: Pick<PrepareOptions, 'driveIds' | 'bitlockerKeys'> | undefined,
  /** The job's totals when this run's validation walked the data (a first copy). */
  scanned: { files: number; bytes: number } | undefined,
  /** Open drives given up (`--give-up-drive`, confirmed). */
  giveUp: string[],
): Promise<CopyJobResult | undefined> {
  const { deps, o, job } = run;
  const { staging } = o;
  const copyDone = state?.complete === true;
  const recorded = (state?.drives ?? []).map(toPrepared);
  const disks = o.targets.length === 0 ? diskTargets(run, recorded) : undefined;

  if (deps.exec.dryRun && !copyDone) {
    await dryRun(deps, o, { job, kind: run.kind, service: run.connected?.service, disks });
    return undefined;
  }
  if (!disks && deps.prompt.interactive && !o.yes && recorded.length === 0)
    await confirmCopy(run, scanned);

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
            driveIds: [...(identities ?? o).driveIds],
            bitlockerKeys: [...(identities ?? o).bitlockerKeys],
          },
          recorded.map((d) => d.driveId),
        ),
      drivesAtOnce: drivesAtOnce(o, deps.prompt.interactive),
      ...(scanned ? { scanned } : {}),
      ...(giveUp.length > 0 ? { giveUp } : {}),
      ...copyTuning(deps.env),
      ...copyReporting(deps),
    });
  } finally {
    deps.terminal.clearStatus();
    await disks?.releaseAll();
  }
  if (copied.resumedFiles > 0 && !copyDone)
    deps.terminal.info(
      `resumed: ${count(copied.resumedFiles, 'file')} ${plural(copied.resumedFiles, 'was', 'were')} already on the drives`,
    );
  return copied;
}

/** The drive backend: `--drive` disks (else asked), never the staging or journal disk. */
function diskTargets(run: JobRun, recorded: PreparedDrive[]): DriveTargets {
  const { deps, o, job } = run;
  return driveTargets(
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
        { what: 'the staging location', path: o.staging },
        { what: 'the journal', path: journalDir(o.staging, job.name) },
      ],
      discardPartialDrives: o.discardPartialDrives ?? [],
      breakLock: o.breakLock === true,
    },
    { staging: o.staging, name: job.name },
    recorded,
    run.seams.disks,
  );
}

/** Asks before a first copy onto folders the operator mounted (or names later). */
async function confirmCopy(
  run: JobRun,
  scanned: { files: number; bytes: number } | undefined,
): Promise<void> {
  const { deps, o, job } = run;
  const total = scanned ?? (await scanJob(deps, o.staging, job));
  const ok = await deps.prompt.confirm({
    message: `Copy ${count(total.files, 'file')} (${formatBytes(total.bytes)}) of job "${job.name}" onto ${o.targets.length > 0 ? o.targets.join(', ') : 'the drives you name'}?`,
    flag: '--yes',
    default: true,
  });
  if (!ok)
    throw new DiskprepError('nothing copied', ExitCode.interrupted, {
      code: 'ERR_DISKPREP_CANCELLED',
    });
}

/**
 * For benchmarks comparing the ways of copying large files: DISKPREP_COPY_WORKERS=n
 * (0 = on the main thread), DISKPREP_CHUNKS_PER_WORKER=n and DISKPREP_DIRECT_IO=0 (buffered).
 */
function copyTuning(
  env: Deps['env'],
): Pick<CopyJobOptions, 'copyWorkers' | 'chunksPerWorker' | 'directIo' | 'commitEvery'> {
  return {
    ...(/^\d$/.test(env.DISKPREP_COPY_WORKERS ?? '')
      ? { copyWorkers: Number(env.DISKPREP_COPY_WORKERS) }
      : {}),
    ...(/^[1-9]$/.test(env.DISKPREP_CHUNKS_PER_WORKER ?? '')
      ? { chunksPerWorker: Number(env.DISKPREP_CHUNKS_PER_WORKER) }
      : {}),
    ...(env.DISKPREP_DIRECT_IO === '0' ? { directIo: false } : {}),
    // Files per commit (default 1000): tests stop a run after a commit of a small job.
    ...(/^[1-9]\d{0,3}$/.test(env.DISKPREP_COMMIT_FILES ?? '')
      ? { commitEvery: { files: Number(env.DISKPREP_COMMIT_FILES) } }
      : {}),
  };
}

/** The progress line, and a line for each drive completed (none under `--json`). */
function copyReporting(deps: Deps): Pick<CopyJobOptions, 'onProgress' | 'onDriveComplete'> {
  const quiet = deps.output.jsonMode;
  return {
    onProgress: createDrivesReporter(deps, quiet),
    onDriveComplete: (d, target) => {
      deps.terminal.clearStatus();
      if (!quiet) {
        const [first, ...rest] = driveCompleteLines(
          d,
          path.join(target, MANIFEST_NAME),
          screenColumns(deps.terminal),
        );
        deps.terminal.success(first!);
        for (const l of rest) deps.terminal.info(l);
      }
    },
  };
}

/** What every result of a copied job says: the job, the copy, the drives, the rules. */
type ResultBase = Omit<
  PrepareResult,
  | 'location'
  | 'created'
  | 'createdNow'
  | 'jobCreated'
  | 'state'
  | 'shipTo'
  | 'carriers'
  | 'note'
  | 'shipment'
>;

function resultBase(run: JobRun, copied: CopyJobResult): ResultBase {
  const { o, job, kind } = run;
  return {
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
    drives: copied.drives.map((d) => driveResult(d, driveInfoPath(o.staging, job.name, d.driveId))),
    rules: SHIPPING_RULES,
  };
}

/** 5. Offline: the drive-info XML is what the portal takes. */
function printOffline(run: JobRun, base: ResultBase): void {
  const { deps, job, kind } = run;
  const note =
    'offline: no Azure call made; create the import job in the Azure portal and upload each drive-info XML';
  printReview(deps, job, kind, job.location, base.drives);
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
}

/** What step 5 found and did: the location, the datacenter, the job created (or found). */
interface Created extends CreateStepResult {
  location: string;
  info: ShippingInfo | undefined;
}

/** 5. Review, return details, create once. */
async function reviewAndCreate(
  run: JobRun,
  service: ImportJobService,
  copied: CopyJobResult,
  secrets: JobSecrets,
  drives: DriveResult[],
  answers: UpfrontAnswers,
): Promise<Created> {
  const { deps, o, job } = run;
  const location = answers.location ?? (await jobLocation(deps, o, job.location));
  printReview(deps, job, run.kind, location, drives);
  const info = answers.info ?? (await shippingInfo(deps, service, location));
  const created = await createJobOnce(deps, {
    job,
    staging: o.staging,
    service,
    location,
    carriers: info?.carriers ?? [],
    drives: copied.drives,
    secrets,
    answers: o.ship ?? {},
    ...(answers.returnDetails ? { returnDetails: answers.returnDetails } : {}),
    yes: o.yes || answers.confirmed,
  });
  return { ...created, location, info };
}

/** 6. This computer's list of jobs (a warning, not a failure, when it cannot be written). */
async function recordLocally(run: JobRun, record: JobRecord | undefined): Promise<void> {
  if (!record) return;
  const { deps, job } = run;
  const { staging } = run.o;
  const local = (await readLocalJobs(deps)).find(
    (j) =>
      j.name === job.name &&
      j.staging !== undefined &&
      path.resolve(deps.cwd, j.staging) === staging,
  );
  await recordLocalJob(deps, {
    name: job.name,
    service: job.service,
    staging,
    createdAt: local?.createdAt ?? record.createdAt,
    ...(run.connected?.subscription ? { subscription: run.connected.subscription } : {}),
    ...(job.resourceGroup ? { resourceGroup: job.resourceGroup } : {}),
    storageAccount: job.storageAccount,
    ...(local?.shippedAt ? { shippedAt: local.shippedAt } : {}),
  }).catch((err: unknown) =>
    deps.terminal.warn(`cannot update this computer's list of jobs: ${(err as Error).message}`),
  );
}

/** 6-7. Where to ship, then the shipping details now (`--ship-now`) or how to enter them later. */
async function shipStep(
  run: JobRun,
  service: ImportJobService,
  base: ResultBase,
  created: Created,
  answers: UpfrontAnswers,
): Promise<void> {
  const { deps, o, job, kind } = run;
  const { location, info } = created;
  // A run again on a job created earlier says where the job is now, not where it was.
  const status: JobStatus | undefined =
    created.status ??
    (created.record && !deps.exec.dryRun
      ? await currentJobState(deps, service, job.name)
      : undefined);
  const how = nextCommands(o);
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
      ? jobNote(job.name, kind, created.createdNow, status, how)
      : `dry run: the import job was not created (no Azure write call made)`,
    shipment: null,
  };
  if (!deps.output.jsonMode) printResult(deps, result);

  const waiting = exists && awaitsDrives(result);
  if (waiting && answers.shipNow) {
    await shipNow(run, service, result, created.returnDetails, answers);
  } else if (waiting && !deps.output.jsonMode) {
    const line = `When the package is on its way: ${how.shipCommand}`;
    for (const l of wrapLine(line, screenColumns(deps.terminal))) deps.output.line(l);
  }
  if (deps.output.jsonMode) deps.output.json(result);
}

/** 7. The shipping details now, the return answers of this run as defaults; into `result`. */
async function shipNow(
  run: JobRun,
  service: ImportJobService,
  result: PrepareResult,
  r: CreateStepResult['returnDetails'],
  ahead: UpfrontAnswers,
): Promise<void> {
  const { deps, o, job } = run;
  const answers: ShipAnswersInput = {
    ...(o.ship ?? {}),
    ...ahead.ship,
    // Facts, not questions: the drives this run prepared, shipped today.
    driveCount: o.ship?.driveCount ?? result.drives.length,
    shipDate: o.ship?.shipDate ?? isoDate(deps.clock.now()),
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
    staging: o.staging,
    answers,
    yes: o.yes || ahead.confirmed,
    // The command its hints name: a classic job's u: needs the publish settings too.
    command: nextCommands(o).shipCommand,
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
}

/** The job's location: recorded, `--location`, else asked. */
async function jobLocation(
  deps: Deps,
  o: PrepareOptions,
  recorded: string | undefined,
): Promise<string> {
  if (recorded) return recorded;
  if (o.location) return o.location;
  return askValid(deps, {
    message: 'Location (Azure region / Import/Export location) of the job, e.g. West US',
    flag: '--location',
    check: (v) => (v === '' ? 'a location is needed' : true),
  });
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
    `dry run: would copy ${count(total.files, 'file')} (${formatBytes(total.bytes)}) of job ${job.name} onto ${o.targets.length > 0 ? o.targets.join(', ') : 'the drive above'}; nothing was written`,
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
