/**
 * Creating the import job once the drives are prepared: never twice. The journal's job record
 * says it was done; without one, the service is asked first (a run that created the job but
 * died before recording it is recognised by the job's drives, their manifest hashes and its
 * state: see adoptJob.ts). Then the return contact, address, carrier and account are asked
 * (the `--return-*` flags of `ship`, the remembered address as defaults), reviewed, confirmed
 * (`--yes`), and the job is created. The record is written atomically before success is
 * printed. `--dry-run` makes no Azure write call.
 */
import type { Deps } from '../../deps/types.ts';
import { count, screenColumns, wrapLines } from '../../format.ts';
import { AzureError, DiskprepError, ExitCode, NeedsAnswerError, UsageError } from '../../errors.ts';
import type { PreparedDrive } from '../../journal/copyState.ts';
import type { ImportJobService, JobStatus } from '../../model/importJob.ts';
import {
  addressLine,
  askReturnDetails,
  maskAccount,
  readRememberedReturn,
  rememberReturn,
  type ShipAnswers,
  type ShipAnswersInput,
} from '../ship/index.ts';
import type { JobDescriptor, JobSecrets } from '../../model/job.ts';
import { adoptionRefusal } from './adoptJob.ts';
import { type JobRecord, readJobRecord, writeJobRecord } from '../../journal/jobRecord.ts';

/** What the create step needs. */
export interface CreateStepInput {
  job: JobDescriptor;
  staging: string;
  service: ImportJobService;
  location: string;
  /** Return carriers the service lists for the location ([] when unknown). */
  carriers: string[];
  drives: PreparedDrive[];
  secrets: JobSecrets;
  answers: ShipAnswersInput;
  /** The return details collected before the copy (collectAnswers.ts): not asked again. */
  returnDetails?: Pick<ShipAnswers, 'returnAddress' | 'returnShipping'>;
  yes: boolean;
}

/** What the create step did. */
export interface CreateStepResult {
  /** The journal's record; undefined under `--dry-run`. */
  record: JobRecord | undefined;
  /** True when this run created the job (false: an earlier run had). */
  createdNow: boolean;
  /** The job as the service reported it after creation, when this run created it. */
  status?: JobStatus;
  /** The return answers given in this run (offered to the shipping step). */
  returnDetails?: Pick<ShipAnswers, 'returnAddress' | 'returnShipping'>;
}

function recordFrom(input: CreateStepInput, status: JobStatus | undefined, now: Date): JobRecord {
  return {
    version: 1,
    job: input.job.name,
    service: input.service.kind,
    location: status?.location ?? input.location,
    createdAt: now.toISOString(),
    serviceState: status?.serviceState ?? 'unknown',
    drives: input.drives.map((d) => ({ driveId: d.driveId, manifestHash: d.manifestHash ?? '' })),
  };
}

/** Looks the job up on the service: undefined when it does not exist. */
async function findJob(service: ImportJobService, name: string): Promise<JobStatus | undefined> {
  try {
    return await service.getJob(name);
  } catch (err) {
    if (err instanceof AzureError && err.status === 404) return undefined;
    throw err;
  }
}

/** Creates the job unless the journal or the service says it exists. */
export async function createJobOnce(deps: Deps, input: CreateStepInput): Promise<CreateStepResult> {
  const { job, service, drives } = input;
  const existing = await readJobRecord(deps, input.staging, job.name);
  if (existing) {
    deps.terminal.info(
      `import job ${job.name} was created on ${existing.createdAt.slice(0, 10)} (journal): not created again`,
    );
    return { record: existing, createdNow: false };
  }

  const found = await findJob(service, job.name);
  if (found) {
    const refused = adoptionRefusal(found, drives);
    if (refused) throw refused;
    deps.terminal.warn(
      `import job ${job.name} already exists on the ${service.kind} service with these drives and manifests (an earlier run created it): not created again`,
    );
    if (deps.exec.dryRun) return { record: undefined, createdNow: false, status: found };
    const record = recordFrom(input, found, deps.clock.now());
    await writeJobRecord(deps, input.staging, record);
    return { record, createdNow: false, status: found };
  }

  const returnDetails = await reviewedReturnDetails(deps, input);
  const what = `import job ${job.name} on the ${service.kind} service in ${input.location} with ${count(drives.length, 'drive')}`;
  if (!input.yes) await confirmCreate(deps, what);
  if (deps.exec.dryRun) {
    deps.terminal.info(`dry run: would create ${what}; no Azure write call was made`);
    return { record: undefined, createdNow: false, returnDetails };
  }

  const created = await createOnService(deps, input, returnDetails, what);
  // Recorded before anything says "created": a crash from here on never creates it twice.
  const record = recordFrom(input, created.job, deps.clock.now());
  await writeJobRecord(deps, input.staging, record);
  try {
    await rememberReturn(
      deps,
      returnDetails.returnAddress,
      returnDetails.returnShipping.carrierName,
    );
  } catch (err) {
    deps.terminal.verbose(`cannot remember the return address: ${(err as Error).message}`);
  }
  deps.terminal.success(created.message);
  return {
    record,
    createdNow: true,
    ...(created.job ? { status: created.job } : {}),
    returnDetails,
  };
}

/** The return contact, address, carrier and account, asked (or from flags) and shown. */
async function reviewedReturnDetails(
  deps: Deps,
  input: CreateStepInput,
): Promise<Pick<ShipAnswers, 'returnAddress' | 'returnShipping'>> {
  const returnDetails =
    input.returnDetails ??
    (await askReturnDetails(deps, input.answers, {
      carriers: input.carriers,
      location: input.location,
      remembered: await readRememberedReturn(deps),
    }));
  const a = returnDetails.returnAddress;
  const rows: [string, string][] = [
    ['return contact', `${a.recipientName}, ${a.phone}, ${a.email}`],
    ['return address', addressLine(a)],
    ['return carrier', returnDetails.returnShipping.carrierName],
    ['return carrier account', maskAccount(returnDetails.returnShipping.carrierAccountNumber)],
  ];
  deps.terminal.info(`Return details of job ${input.job.name}:`);
  const lines = rows.map(([k, v]) => `  ${`${k}:`.padEnd(24)} ${v}`);
  for (const l of wrapLines(lines, screenColumns(deps.terminal), 25)) deps.terminal.info(l);
  return returnDetails;
}

/** Asks to create `what` (without `--yes`); a refusal leaves the prepared drives recorded. */
async function confirmCreate(deps: Deps, what: string): Promise<void> {
  if (!deps.prompt.interactive)
    throw new NeedsAnswerError(`confirmation to create ${what}`, '--yes');
  const ok = await deps.prompt.confirm({
    message: `Create ${what} now?`,
    flag: '--yes',
    default: true,
  });
  if (!ok)
    throw new DiskprepError(
      `the import job was not created; the drives are prepared and recorded in the journal`,
      ExitCode.failure,
      {
        code: 'ERR_DISKPREP_NOT_CONFIRMED',
        hint: 'run the same command again to create it (the copy is not repeated)',
      },
    );
}

/** The service's create call, under a spinner. */
async function createOnService(
  deps: Deps,
  input: CreateStepInput,
  returnDetails: Pick<ShipAnswers, 'returnAddress' | 'returnShipping'>,
  what: string,
): Promise<Awaited<ReturnType<ImportJobService['createJob']>>> {
  const { job, service, drives } = input;
  const spinner = deps.terminal.spinner(`creating ${what}`);
  try {
    return await service.createJob({
      name: job.name,
      location: input.location,
      storageAccount: job.storageAccount,
      ...(job.resourceGroup ? { storageResourceGroup: job.resourceGroup } : {}),
      container: job.container,
      drives: drives.map((d) => ({
        driveId: d.driveId,
        bitLockerKey: d.bitLockerKey,
        manifestFile: d.manifestFile,
        manifestHash: d.manifestHash ?? '',
      })),
      returnAddress: returnDetails.returnAddress,
      returnShipping: returnDetails.returnShipping,
      ...(service.kind === 'classic' ? { storageCredential: classicCredential(input) } : {}),
    });
  } finally {
    spinner.stop();
  }
}

function classicCredential(input: CreateStepInput) {
  if (input.secrets.storageAccountKey)
    return { storageAccountKey: input.secrets.storageAccountKey };
  if (input.secrets.containerSas) return { containerSas: input.secrets.containerSas };
  throw new UsageError(
    `job ${input.job.name} has no storage account key or container SAS recorded`,
    {
      hint: 'the classic service needs one: record it with diskprep init --amend --fetch-credential sas (or --container-sas)',
    },
  );
}
