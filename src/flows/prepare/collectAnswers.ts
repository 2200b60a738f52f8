/**
 * Every answer a `prepare` run needs, collected before the first byte is copied: the classic
 * manifest's storage key or SAS, the location of a job recorded without one, the return contact,
 * address, carrier and account, the ship-now decision and (for `--ship-now`) the carrier and
 * tracking number. A run that cannot ask notes every missing flag and fails once, exit 3,
 * naming them all, before any disk is touched. The answers (never the carrier account number)
 * are remembered in the job's journal: offered as defaults next time, taken as given by a run
 * that cannot ask.
 */
import type { Deps } from '../../deps/types.ts';
import { askValid } from '../../deps/askValid.ts';
import { NeedsAnswerError, UsageError } from '../../errors.ts';
import { manifestCarriesCredential } from '../../engine/manifest.ts';
import type { ImportJobService, ShippingInfo } from '../../model/importJob.ts';
import type { JobDescriptor, JobSecrets } from '../../model/job.ts';
import { parseContainerSas, sasUseProblem } from '../../model/containerSas.ts';
import {
  containerSasProblem,
  sasSignature,
  storageAccountKeyProblem,
} from '../../model/credentialRules.ts';
import { writeJobSecrets } from '../../journal/jobs.ts';
import {
  readAnswers,
  rememberAnswers,
  type RememberedAnswers,
} from '../../journal/answersRecord.ts';
import {
  askPackage,
  type MissingAnswers,
  missingAnswersError,
} from '../ship/askShippingDetails.ts';
import { askReturnDetails, type ShipAnswers, type ShipAnswersInput } from '../ship/index.ts';
import { rememberedReturn } from '../ship/rememberedReturn.ts';
import type { PrepareOptions } from './options.ts';
import { askTargetIdentities, type TargetLists } from './targets.ts';

/** What the run was told before its copy. */
export interface UpfrontAnswers {
  /** The job's location (undefined: offline). */
  location: string | undefined;
  /** The datacenter and carriers of the location, when the service said. */
  info: ShippingInfo | undefined;
  /** The return details, when the job is still to be created. */
  returnDetails: Pick<ShipAnswers, 'returnAddress' | 'returnShipping'> | undefined;
  shipNow: boolean;
  /** `--carrier` / `--tracking-number` for the shipping step (when `shipNow`). */
  ship: ShipAnswersInput;
  secrets: JobSecrets;
  /** The named targets' drive ids and recovery passwords, asked when missing (fresh copy). */
  targetIdentities: Pick<TargetLists, 'driveIds' | 'bitlockerKeys'> | undefined;
  /**
   * The operator said yes, before the copy, to creating the job (and sending the shipping
   * details) after it: the run does not stop to ask again once the drives are filled.
   */
  confirmed: boolean;
}

/** What {@link collectAnswers} needs to know about the run. */
export interface CollectInput {
  o: PrepareOptions;
  job: JobDescriptor;
  /** The job's service (undefined: offline). */
  service: ImportJobService | undefined;
  secrets: JobSecrets;
  /** The copy has not started yet: the disk flags are checked too. */
  freshCopy: boolean;
  /** The journal records the job as created: no create answers are needed. */
  created: boolean;
  /**
   * The service says the job no longer waits for its drives (shipping details entered, or
   * later): the shipping question is not asked, there is nothing to ship.
   */
  pastShipping?: boolean;
}

/** The datacenter and carriers of a location; a warning when the service cannot say. */
export type ShippingInfoReader = (location: string) => Promise<ShippingInfo | undefined>;

/**
 * Collects (asks, or takes from flags and the journal) every answer of the run.
 *
 * @throws NeedsAnswerError (exit 3) naming every missing flag, in a run that cannot ask
 * @throws UsageError (exit 2) for a flag's bad value, or after three wrong typed answers
 */
export async function collectAnswers(
  deps: Deps,
  input: CollectInput,
  shippingInfo: ShippingInfoReader,
): Promise<UpfrontAnswers> {
  const { o, job, service } = input;
  const missing: MissingAnswers = { flags: [] };
  const journal = await readAnswers(deps, o.staging, job.name);
  if (input.freshCopy) missing.flags.push(...missingDiskFlags(deps, o));
  // The drives first: what the operator has in hand (a script's are flags, checked above).
  const targetIdentities =
    input.freshCopy && deps.prompt.interactive && o.targets.length > 0
      ? await askTargetIdentities(deps, o)
      : undefined;
  const secrets = await credential(deps, input, missing);

  const toCreate =
    service && !input.created
      ? await createAnswers(deps, input, journal, missing, shippingInfo)
      : undefined;
  const location = toCreate?.location;
  let info = toCreate?.info;
  const returnDetails = toCreate?.returnDetails;
  const shipNow = service && !input.pastShipping ? await wantsShipNow(deps, o, journal) : false;
  let ship: ShipAnswersInput = {};
  if (shipNow) {
    // A job created earlier: the carriers of its recorded location.
    if (!toCreate && job.location) info = await shippingInfo(job.location);
    ship = await packageAnswers(deps, o, journal, {
      carriers: info?.carriers ?? [],
      location: location ?? job.location,
      missing,
    });
  }
  // Creating the job and sending the shipping details are confirmed: a script says --yes.
  const confirms = (service && !input.created) || shipNow;
  if (confirms && !o.yes && !deps.prompt.interactive) missing.flags.push('--yes');
  if (missing.flags.length > 0)
    throw missingAnswersError(missing.flags, 'nothing was copied, no disk was touched');

  if (!deps.exec.dryRun)
    await rememberAnswers(deps, o.staging, job.name, {
      ...(location && !job.location ? { location } : {}),
      ...(returnDetails ? rememberedOf(returnDetails) : {}),
      ...(service ? { shipNow } : {}),
      ...(ship.carrier ? { carrier: ship.carrier } : {}),
    });
  const confirmed = await confirmAhead(deps, input, location, shipNow);
  return {
    location,
    info,
    returnDetails,
    shipNow,
    ship,
    secrets,
    targetIdentities,
    confirmed,
  };
}

/**
 * Interactively, the yes that creating the job (and sending the shipping details) needs, asked
 * before the copy; "no" leaves both questions for after the copy, as before.
 */
async function confirmAhead(
  deps: Deps,
  input: CollectInput,
  location: string | undefined,
  shipNow: boolean,
): Promise<boolean> {
  const { o, job, service } = input;
  if (o.yes || !deps.prompt.interactive || !service) return o.yes;
  const create = input.created
    ? undefined
    : `create import job ${job.name} on the ${service.kind} service${location ? ` in ${location}` : ''}`;
  const what = [create, shipNow ? 'send the shipping details' : undefined].filter(Boolean);
  if (what.length === 0) return false;
  return deps.prompt.confirm({
    message: `After the copy, ${what.join(' and ')} without asking again?`,
    flag: '--yes',
    default: true,
  });
}

/** The location, its carriers and the return details of a job still to be created. */
async function createAnswers(
  deps: Deps,
  input: CollectInput,
  journal: RememberedAnswers,
  missing: MissingAnswers,
  shippingInfo: ShippingInfoReader,
): Promise<Pick<UpfrontAnswers, 'location' | 'info' | 'returnDetails'>> {
  const { location, info } = await jobLocation(
    deps,
    input.o,
    input.job,
    journal,
    missing,
    shippingInfo,
  );
  const remembered = await rememberedReturn(deps, journal);
  const returnDetails = await askReturnDetails(deps, input.o.ship ?? {}, {
    carriers: info?.carriers ?? [],
    location,
    remembered: remembered.answers,
    takeRemembered: remembered.fromJournal,
    missing,
  });
  return { location, info, returnDetails };
}

/** `--ship-now`'s carrier (the last one taken by a run that cannot ask) and tracking number. */
async function packageAnswers(
  deps: Deps,
  o: PrepareOptions,
  journal: RememberedAnswers,
  ctx: Parameters<typeof askPackage>[2],
): Promise<ShipAnswersInput> {
  const carrier = o.ship?.carrier ?? (deps.prompt.interactive ? undefined : journal.carrier);
  const pkg = await askPackage(deps, { ...o.ship, ...(carrier ? { carrier } : {}) }, ctx);
  return { carrier: pkg.carrierName, trackingNumber: pkg.trackingNumber };
}

/**
 * The disk flags a run that cannot ask lacks for a copy not yet started: a drive or target, and
 * a recovery password for each target or already encrypted drive (Linux only unlocks).
 */
function missingDiskFlags(deps: Deps, o: PrepareOptions): string[] {
  if (deps.prompt.interactive) return [];
  const flags: string[] = [];
  if (o.targets.length === 0 && o.drives.length === 0) flags.push('--drive');
  const keyed = o.targets.length > 0 ? o.targets.length : o.drives.length;
  const encrypted = o.targets.length > 0 || o.alreadyEncrypted || deps.platform !== 'win32';
  if (keyed > 0 && encrypted && o.bitlockerKeys.length < keyed) flags.push('--bitlocker-key');
  if (o.targets.length > o.driveIds.length) flags.push('--drive-id');
  return flags;
}

/**
 * A classic manifest carries a storage key or SAS: asked (and kept in the 0600 secrets file)
 * when the job has none; a run that cannot ask names DISKPREP_CONTAINER_SAS.
 */
async function credential(
  deps: Deps,
  input: CollectInput,
  missing: MissingAnswers,
): Promise<JobSecrets> {
  const { job, o, secrets } = input;
  const needed =
    !o.offline && manifestCarriesCredential(job.service) && (input.freshCopy || !input.created);
  if (!needed || secrets.storageAccountKey || secrets.containerSas) return secrets;
  const fromEnv = deps.env.DISKPREP_CONTAINER_SAS ?? deps.env.DISKPREP_STORAGE_ACCOUNT_KEY;
  deps.redactor.add(fromEnv);
  if (!deps.prompt.interactive && !fromEnv) {
    missing.flags.push('DISKPREP_CONTAINER_SAS');
    return secrets;
  }
  const now = deps.clock.now();
  const check = (v: string): true | string => credentialProblem(v, job.container, now) ?? true;
  const typed =
    fromEnv !== undefined
      ? fromEnv.trim()
      : await askValid(deps, {
          message: `Container SAS (${job.container}?sv=...&sig=...) or storage account key of ${job.storageAccount}: the drive manifest carries it`,
          flag: 'DISKPREP_CONTAINER_SAS',
          secret: true,
          check,
        });
  const problem = credentialProblem(typed, job.container, now);
  if (problem)
    throw new UsageError(`the storage credential in the environment: ${problem}`, {
      hint: 'set DISKPREP_CONTAINER_SAS to a SAS of the job container (or record one with diskprep init --amend --fetch-credential sas)',
    });
  const found: JobSecrets = /sig=/.test(typed)
    ? { containerSas: parseContainerSas(typed).token }
    : { storageAccountKey: typed };
  deps.redactor.add(found.containerSas ?? found.storageAccountKey);
  deps.redactor.add(sasSignature(found.containerSas ?? ''));
  if (!deps.exec.dryRun) await writeJobSecrets(deps.fs, o.staging, job.name, found);
  return found;
}

/** Why `v` is neither a SAS of `container` nor a storage account key. */
function credentialProblem(v: string, container: string, now: Date): string | undefined {
  if (!/sig=/.test(v))
    return storageAccountKeyProblem(v)
      ? 'not a container SAS (no sig=) nor a storage account key (base64)'
      : undefined;
  const sas = parseContainerSas(v);
  if (sas.container !== undefined && sas.container !== container)
    return `a SAS of container "${sas.container}", not of the job's container "${container}"`;
  const malformed = containerSasProblem(sas.token);
  if (malformed) return `not a SAS token (${malformed})`;
  // The manifest carries it to the datacenter: it must outlive the import.
  const unusable = sasUseProblem(sas.token, now, true);
  return unusable ? `the SAS ${unusable.problem} (${unusable.hint})` : undefined;
}

/** The job's location: recorded, `--location`, remembered, else asked. */
async function jobLocation(
  deps: Deps,
  o: PrepareOptions,
  job: JobDescriptor,
  journal: RememberedAnswers,
  missing: MissingAnswers,
  shippingInfo: ShippingInfoReader,
): Promise<Pick<UpfrontAnswers, 'location' | 'info'>> {
  const known =
    job.location ?? o.location ?? (deps.prompt.interactive ? undefined : journal.location);
  if (known) return { location: known, info: await shippingInfo(known) };
  let info: ShippingInfo | undefined;
  // A typed location the service does not know is asked again (its list in the reason).
  const check = async (v: string): Promise<true | string> => {
    if (v === '') return 'a location is needed';
    try {
      info = await shippingInfo(v);
      return true;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      return `${err.message.replace(/^"[^"]*" (?:is )?/, '')}${err.hint ? `; ${err.hint}` : ''}`;
    }
  };
  try {
    const location = await askValid(deps, {
      message: 'Location (Azure region / Import/Export location) of the job, e.g. West US',
      flag: '--location',
      ...(journal.location ? { default: journal.location } : {}),
      check,
    });
    return { location, info };
  } catch (err) {
    if (!(err instanceof NeedsAnswerError)) throw err;
    missing.flags.push('--location');
    return { location: undefined, info: undefined };
  }
}

/** `--ship-now` / `--no-ship-now`, else asked (the last answer offered); never unasked. */
async function wantsShipNow(
  deps: Deps,
  o: PrepareOptions,
  journal: RememberedAnswers,
): Promise<boolean> {
  if (o.shipNow !== undefined) return o.shipNow;
  if (o.yes || !deps.prompt.interactive) return false;
  return deps.prompt.confirm({
    message: 'After the copy, enter the shipping details (carrier, tracking number) right away?',
    flag: '--ship-now',
    default: journal.shipNow ?? false,
  });
}

/** The return answers as the journal keeps them: no account number. */
function rememberedOf(
  r: Pick<ShipAnswers, 'returnAddress' | 'returnShipping'>,
): Pick<RememberedAnswers, 'returnAddress' | 'returnCarrier'> {
  const a = r.returnAddress;
  return {
    returnAddress: {
      recipientName: a.recipientName,
      streetAddress1: a.streetAddress1,
      city: a.city,
      ...(a.stateOrProvince ? { stateOrProvince: a.stateOrProvince } : {}),
      postalCode: a.postalCode,
      countryOrRegion: a.countryOrRegion,
      phone: a.phone,
      email: a.email,
    },
    returnCarrier: r.returnShipping.carrierName,
  };
}
