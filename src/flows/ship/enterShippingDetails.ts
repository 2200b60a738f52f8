/**
 * The shipping step, callable from `diskprep u:` / `diskprep ship` and at the end of
 * `prepare`: show the job and its drives, check the job takes shipping details, ask (or take
 * from flags) carrier, tracking number, drive count, ship date and the return details, review,
 * commit on a typed "yes", update the job, keep a local copy of the details and mark the job
 * shipped in this computer's list.
 */
import type { Deps } from '../../deps/types.ts';
import { count, screenColumns, wrapLines } from '../../format.ts';
import { DiskprepError, NeedsAnswerError } from '../../errors.ts';
import { confirmTyped } from '../../deps/askValid.ts';
import type { ImportJobService, JobStatus } from '../../model/importJob.ts';
import type { LocalJob } from '../../registry/localJobs.ts';
import { markLocalJob } from './locateJob.ts';
import {
  askShippingDetails,
  type MissingAnswers,
  missingAnswersError,
} from './askShippingDetails.ts';
import { acceptsShippingDetails, explainState, isPastShipping } from './jobStates.ts';
import { countPreparedDrives } from './preparedDrives.ts';
import { rememberReturn } from '../../registry/returnAddress.ts';
import { readAnswers } from '../../journal/answersRecord.ts';
import { rememberedReturn } from './rememberedReturn.ts';
import { jobStateLines, printRules, reviewLines, SHIPPING_RULES } from './review.ts';
import { saveShippingRecord, shippingRecordPath } from '../../journal/shippingRecord.ts';
import { withSpinner } from '../../deps/spinner.ts';
import type { ShipAnswers, ShipAnswersInput, ShipJob, ShipResult } from '../../model/shipping.ts';

/** Options of {@link enterShippingDetails}. */
export interface EnterShippingOptions {
  job: ShipJob;
  service: ImportJobService;
  /** The staging location, when known: the details are kept in its journal. */
  staging?: string;
  /** This computer's entry of the job, when it has one. */
  local?: LocalJob;
  /** Answers given as flags; the rest are asked. */
  answers?: ShipAnswersInput;
  /** `--yes`: commit without the typed confirmation. */
  yes?: boolean;
  /** The job as the service just reported it (saves a call when the caller has it). */
  status?: JobStatus;
  /** The command to name in hints (default `diskprep u:`). */
  command?: string;
}

/**
 * Enters the shipping details of a job.
 *
 * @throws DiskprepError (exit 1) when the job does not take shipping details in its state, or
 *   the operator did not type "yes" (nothing is sent then); NeedsAnswerError (exit 3) for a
 *   missing answer in a non-interactive run; AzureError (exit 4) when the service refuses
 */
export async function enterShippingDetails(
  deps: Deps,
  options: EnterShippingOptions,
): Promise<ShipResult> {
  const { job, service, staging } = options;
  const command = options.command ?? 'diskprep u:';
  const status = await shippableStatus(deps, options);
  const { location, carriers } = await showShipTo(deps, options, status);
  printRules(deps.terminal);

  const prepared = staging ? await countPreparedDrives(deps, staging, job.name) : undefined;
  // The return details prepare recorded for this job come first (this computer's are the last
  // job's, maybe another customer site's).
  const remembered = await rememberedReturn(
    deps,
    staging ? await readAnswers(deps, staging, job.name) : undefined,
  );
  // A script learns every flag it lacks at once.
  const missing: MissingAnswers | undefined = deps.prompt.interactive ? undefined : { flags: [] };
  const answers = await askShippingDetails(deps, options.answers ?? {}, {
    carriers,
    location,
    defaultDriveCount: prepared ?? (status.drives.length > 0 ? status.drives.length : undefined),
    jobDriveCount: status.drives.length,
    createdAt: job.createdAt,
    remembered: remembered.answers,
    takeRemembered: remembered.fromJournal,
    missing,
  });
  if (missing && !options.yes) missing.flags.push('--yes');
  if (missing && missing.flags.length > 0)
    throw missingAnswersError(missing.flags, 'nothing was sent');

  const review = () => {
    for (const l of reviewLines(job.name, service.kind, answers, screenColumns(deps.terminal)))
      deps.terminal.info(l);
  };
  review();
  if (!options.yes) await confirmSend(deps, job.name, command, review);
  await sendDetails(deps, options, answers, command);
  const state = await readBackState(deps, service, job.name);
  const result: Omit<ShipResult, 'savedTo'> = {
    job: job.name,
    service: service.kind,
    state,
    shipment: answers.shipment,
    returnAddress: answers.returnAddress,
    returnShipping: { carrierName: answers.returnShipping.carrierName },
  };
  const savedTo = shippingRecordPath(deps, job.name, staging);
  await saveShippingRecord(deps, savedTo, result);
  await rememberReturn(deps, answers.returnAddress, answers.returnShipping.carrierName);
  await markShippedLocally(deps, options, deps.clock.now());
  deps.terminal.success(
    `job ${job.name} is ${state}: ${answers.shipment.carrierName} ${answers.shipment.trackingNumber}, ${count(answers.shipment.driveCount, 'drive')}`,
  );
  return { ...result, savedTo };
}

/**
 * The job as the service reports it, shown; refused (exit 1) unless it takes shipping details.
 * A job already past shipping is marked shipped in this computer's list first.
 */
async function shippableStatus(deps: Deps, options: EnterShippingOptions): Promise<JobStatus> {
  const { job, service } = options;
  const status =
    options.status ??
    (await withSpinner(
      deps.terminal,
      `asking the ${service.kind} service about job ${job.name}`,
      () => service.getJob(job.name),
    ));
  for (const l of jobStateLines(status)) deps.terminal.info(l);
  if (acceptsShippingDetails(status)) return status;
  if (isPastShipping(status) && !options.local?.shippedAt)
    await markShippedLocally(deps, options, deps.clock.now());
  throw new DiskprepError(
    `job ${job.name} is ${status.serviceState}, so it takes no shipping details: ${explainState(status)}`,
    1,
    {
      code: 'ERR_DISKPREP_JOB_STATE',
      hint: 'see the job with diskprep status',
      details: { job: job.name, service: service.kind, state: status.serviceState },
    },
  );
}

/** Where the drives go (printed) and the carriers the region takes (none when unknown). */
async function showShipTo(
  deps: Deps,
  options: EnterShippingOptions,
  status: JobStatus,
): Promise<{ location: string | undefined; carriers: string[] }> {
  const location = status.location ?? options.job.location;
  let carriers: string[] = [];
  if (location) {
    try {
      const info = await options.service.getShippingInfo(location);
      carriers = info.carriers;
      if (!status.shipTo && (info.address.lines.length > 0 || info.address.instructions))
        printShipTo(deps, info.address.lines, info.address.instructions);
    } catch (err) {
      deps.terminal.warn(
        `cannot get the carriers for ${location}: ${(err as Error).message.split('\n')[0] ?? ''}; type the carrier's name`,
      );
    }
  }
  if (status.shipTo) printShipTo(deps, status.shipTo.lines, status.shipTo.instructions);
  return { location, carriers };
}

/**
 * The typed "yes" at the review; a slip ("y") shows the review again and asks again, keeping
 * every answer; "no" (or three slips) sends nothing (exit 1).
 */
async function confirmSend(
  deps: Deps,
  jobName: string,
  command: string,
  review: () => void,
): Promise<void> {
  if (!deps.prompt.interactive)
    throw new NeedsAnswerError('confirmation to send the shipping details', '--yes');
  const confirmed = await confirmTyped(deps, {
    message: 'Type "yes" to send these details to Azure (no: send nothing)',
    flag: '--yes',
    word: 'yes',
    review,
  });
  if (!confirmed)
    throw new DiskprepError(
      `nothing was sent: the shipping details of job ${jobName} were not confirmed`,
      1,
      {
        code: 'ERR_DISKPREP_NOT_CONFIRMED',
        hint: `run ${command} again and type yes at the review`,
      },
    );
}

/** The return details, then the shipment. */
async function sendDetails(
  deps: Deps,
  options: EnterShippingOptions,
  answers: ShipAnswers,
  command: string,
): Promise<void> {
  const { job, service } = options;
  // Return details first: the shipment (State=Shipping / markDevicesShipped) is the step the
  // service cannot take back, and a classic job leaves Creating with it.
  await withSpinner(deps.terminal, `updating the return details of job ${job.name}`, () =>
    service.setReturnDetails(job.name, {
      returnAddress: answers.returnAddress,
      returnShipping: answers.returnShipping,
    }),
  );
  try {
    await withSpinner(deps.terminal, `recording the shipment of job ${job.name}`, () =>
      service.markShipped(job.name, answers.shipment),
    );
  } catch (err) {
    deps.terminal.warn(
      `the return details of job ${job.name} were updated but the shipment was not recorded: run ${command} again`,
    );
    throw err;
  }
}

/** The job's state after the update (`unknown`, with a warning, when it cannot be read). */
async function readBackState(
  deps: Deps,
  service: ImportJobService,
  jobName: string,
): Promise<string> {
  try {
    return (await service.getJob(jobName)).serviceState;
  } catch (err) {
    deps.terminal.warn(
      `the job was updated, but reading it back failed: ${(err as Error).message.split('\n')[0] ?? ''}`,
    );
    return 'unknown';
  }
}

/** Prints the result of {@link enterShippingDetails} as lines on stdout (not in `--json` mode). */
export function printShipResult(deps: Pick<Deps, 'output' | 'terminal'>, r: ShipResult): void {
  const lines = [
    `shipping details of job ${r.job} (${r.service}) sent; the job is ${r.state}`,
    `  ${r.shipment.carrierName} ${r.shipment.trackingNumber}, ${count(r.shipment.driveCount, 'drive')}, shipped ${r.shipment.shipDate}`,
    `  return to ${r.returnAddress.recipientName} by ${r.returnShipping.carrierName}`,
    `saved to ${r.savedTo}`,
    'Remember:',
    ...SHIPPING_RULES.map((rule) => `  - ${rule}`),
  ];
  for (const l of wrapLines(lines, screenColumns(deps.terminal))) deps.output.line(l);
}

function printShipTo(deps: Deps, lines: string[], instructions: string | undefined): void {
  deps.terminal.info('Ship the drives to:');
  for (const l of lines) deps.terminal.info(`  ${l}`);
  if (instructions) deps.terminal.info(`  ${instructions}`);
}

async function markShippedLocally(
  deps: Deps,
  options: EnterShippingOptions,
  when: Date,
): Promise<void> {
  await markLocalJob(
    deps,
    { job: options.job, local: options.local, staging: options.local?.staging ?? options.staging },
    { shippedAt: when.toISOString() },
  );
}
