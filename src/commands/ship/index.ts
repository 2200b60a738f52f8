/**
 * `diskprep u: [s:<staging> p:<file>]` = `diskprep ship`: find the job waiting for shipping
 * details (in the staging location, else in this computer's list of jobs it created), build its
 * service, and run the shipping step ({@link enterShippingDetails}).
 */
import type { AzureOptions } from '../../model/importJob.ts';
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';
import { connectJobService, type ServiceFactory } from '../../importjob/connect.ts';
import { enterShippingDetails, printShipResult } from '../../flows/ship/enterShippingDetails.ts';
import { locateJob, markLocalJob } from '../../flows/ship/locateJob.ts';
import { isPastShipping } from '../../flows/ship/jobStates.ts';
import { whereabouts, whereaboutsLines } from '../../flows/ship/whereabouts.ts';
import { screenColumns, wrapLines } from '../../format.ts';
import type { JobStatus } from '../../model/importJob.ts';
import { shippingRecordPath } from '../../journal/shippingRecord.ts';
import { withJobLock, withLockFile } from '../../journal/jobLock.ts';
import type { ReturnAddressAnswers, ShipResult } from '../../model/shipping.ts';

/** Options of {@link ship}. */
export interface ShipOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  carrier?: string;
  trackingNumber?: string;
  driveCount?: number;
  shipDate?: string;
  returnAddress: ReturnAddressAnswers;
  returnCarrier?: string;
  returnCarrierAccount?: string;
  yes: boolean;
  /** `--break-lock`: take over the job's lock held on another computer. */
  breakLock?: boolean;
  /** `--proxy`: for the Azure SDK sign-in; the http seam has it already. */
  proxy?: string;
}

/** Seams of {@link ship} for tests. */
export interface ShipSeams {
  /** Builds the service adapter (default: the real one for the job's service). */
  createService?: ServiceFactory;
}

/**
 * Enters the shipping details of the job waiting for them and updates it. A job whose details
 * were entered already is shown where it is (state, package, what can still be changed, what
 * next) and nothing is sent: exit 0, undefined.
 */
export async function ship(
  options: ShipOptions,
  deps: Deps,
  seams: ShipSeams = {},
): Promise<ShipResult | undefined> {
  // The account is a secret from the moment argv holds it.
  deps.redactor.add(options.returnCarrierAccount);
  const located = await locateJob(deps, {
    purpose: 'ship',
    ...(options.staging ? { staging: options.staging } : {}),
    ...(options.job ? { job: options.job } : {}),
  });
  const lockOptions = options.breakLock ? { breakLock: true } : {};
  const run = (): Promise<ShipResult | undefined> => shipLocated(options, deps, seams, located);
  return located.staging
    ? withJobLock(deps, located.staging, located.job.name, 'ship', run, lockOptions)
    : withLockFile(
        deps,
        `${shippingRecordPath(deps, located.job.name, undefined).replace(/\.json$/, '')}.lock`,
        located.job.name,
        'ship',
        run,
        lockOptions,
      );
}

/** The shipping step for the located job (under its lock). */
async function shipLocated(
  options: ShipOptions,
  deps: Deps,
  seams: ShipSeams,
  located: Awaited<ReturnType<typeof locateJob>>,
): Promise<ShipResult | undefined> {
  const command = located.staging
    ? `diskprep u: s:${/\s/.test(located.staging) ? `"${located.staging}"` : located.staging}`
    : 'diskprep u:';
  const { job } = located;
  if (job.service === 'offline')
    throw new DiskprepError(
      `job ${job.name} is offline: diskprep created no Azure job, so there is nothing to update here`,
      1,
      {
        code: 'ERR_DISKPREP_OFFLINE_JOB',
        hint: 'create the job in the Azure portal with the drive-info files of the journal, and enter the shipping details there',
      },
    );
  const { service } = await connectJobService(deps, job, {
    ...options,
    command,
    createService: seams.createService,
  });
  const status = await service.getJob(job.name);
  if (isPastShipping(status)) {
    await showWhereabouts(deps, located, status);
    return undefined;
  }
  const result = await enterShippingDetails(deps, {
    status,
    job: located.job,
    service,
    ...(located.staging ? { staging: located.staging } : {}),
    ...(located.local ? { local: located.local } : {}),
    answers: {
      carrier: options.carrier,
      trackingNumber: options.trackingNumber,
      driveCount: options.driveCount,
      shipDate: options.shipDate,
      returnAddress: options.returnAddress,
      returnCarrier: options.returnCarrier,
      returnCarrierAccount: options.returnCarrierAccount,
    },
    yes: options.yes,
    command,
  });
  if (deps.output.jsonMode) {
    deps.output.json({
      job: result.job,
      service: result.service,
      state: result.state,
      shipment: result.shipment,
      returnAddress: result.returnAddress,
      returnShipping: result.returnShipping,
      savedTo: result.savedTo,
    });
  } else {
    printShipResult(deps, result);
  }
  return result;
}

/**
 * A job past shipping: where it is, on stdout (`--json`: {@link whereabouts}); this computer's
 * list learns it was shipped.
 */
async function showWhereabouts(
  deps: Deps,
  located: Awaited<ReturnType<typeof locateJob>>,
  status: JobStatus,
): Promise<void> {
  if (!located.local?.shippedAt)
    await markLocalJob(deps, located, { shippedAt: deps.clock.now().toISOString() });
  const staging = located.staging
    ? ` s:${/\s/.test(located.staging) ? `"${located.staging}"` : located.staging}`
    : '';
  const how = {
    shipCommand: `diskprep u:${staging}`,
    verifyCommand: `diskprep verify-import${staging || ' s:<staging>'}`,
  };
  if (deps.output.jsonMode) {
    deps.output.json(whereabouts(status, how));
    return;
  }
  for (const l of wrapLines(whereaboutsLines(status, how), screenColumns(deps.terminal)))
    deps.output.line(l);
}
