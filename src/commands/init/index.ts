/**
 * `diskprep init s:<staging> --job <name> ...`: records an import job in the staging
 * location (the "Initiate offline backup" step). The descriptor holds no secret; a storage
 * account key or container SAS goes to the job's journal, mode 0600.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import {
  assertStagingExists,
  listJobs,
  readJobDescriptor,
  readJobSecrets,
  writeJobDescriptor,
  writeJobSecrets,
} from '../../journal/jobs.ts';
import { jobDescriptorPath } from '../../journal/layout.ts';
import { dataFolderProblem, DISKPREP_DIR } from '../../model/names.ts';
import {
  containerProblem,
  jobNameProblem,
  normalisePrefix,
  prefixProblem,
  ROOT_CONTAINER,
  ROOT_NESTED_PROBLEM,
  storageAccountProblem,
} from '../../model/names.ts';
import {
  DEFAULT_DISPOSITION,
  type Disposition,
  type JobDescriptor,
  type JobSecrets,
  type ServiceKind,
} from '../../model/job.ts';
import { manifestCarriesCredential } from '../../engine/manifest.ts';
import { parseContainerSas, SAS_MIN_DAYS, sasUseProblem } from '../../model/containerSas.ts';
import { problemsError, validateJobData } from '../../staging/validate.ts';
import { containerSasProblem, storageAccountKeyProblem } from '../../model/credentialRules.ts';
import { withJobLock } from '../../journal/jobLock.ts';
import { copyStatePath } from '../../journal/copyState.ts';
import { DEFAULT_SERVICE, warnIfRetired } from '../../model/retiredServices.ts';
import type { AzureOptions } from '../../model/importJob.ts';
import { type DiscoveryFactory, discoverMissing, type FetchCredential } from './discover.ts';
import { screenColumns, withArticle, wrapLine, wrapLines } from '../../format.ts';

/** Options of {@link init}. */
export interface InitOptions {
  staging: string;
  job: string;
  /** Default `databox` (classic and importexport are retired). */
  service?: ServiceKind | undefined;
  /** Asked from the subscription's storage accounts when missing (not offline). */
  storageAccount?: string | undefined;
  /** Required, unless `--amend` keeps the recorded one. */
  container?: string | undefined;
  prefix?: string;
  subscription?: string;
  resourceGroup?: string;
  location?: string;
  blobType: 'page' | 'block' | 'auto';
  /** `<ImportDisposition>` of every blob (default `overwrite`). */
  disposition?: Disposition;
  data?: string;
  force: boolean;
  /** Also `DISKPREP_STORAGE_ACCOUNT_KEY`. */
  storageAccountKey?: string;
  /** Also `DISKPREP_CONTAINER_SAS`. */
  containerSas?: string;
  /** `--break-lock`: take over the job's lock held on another computer. */
  breakLock?: boolean;
  /**
   * `--amend`: change the fields given of a recorded job and keep the rest (descriptor and
   * secrets); `--container` is then optional.
   */
  amend?: boolean;
  /** Options the command line left at their defaults (`service`, `blobType`, `disposition`). */
  defaulted?: readonly string[];
  /** `--fetch-credential`: a classic job's manifest credential read through ARM. */
  fetchCredential?: FetchCredential | undefined;
  /** `--arm-endpoint`, `--cloud`: where the discovery listings are read. */
  azure?: AzureOptions | undefined;
  proxy?: string | undefined;
}

/** The options with the service and container decided. */
type ResolvedInit = InitOptions & { service: ServiceKind; container: string };
/** {@link ResolvedInit} once the storage account is known. */
type ResolvedOptions = ResolvedInit & { storageAccount: string };

const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/** Writes the job descriptor (and secrets) after checking every value against Azure's rules. */
export async function init(
  input: InitOptions,
  deps: Deps,
  discovery?: DiscoveryFactory,
): Promise<void> {
  const staging = path.resolve(deps.cwd, input.staging);
  await assertStagingExists(deps, staging);
  const given = input.amend
    ? await amended(input, deps, staging)
    : { ...input, service: input.service ?? DEFAULT_SERVICE, container: requiredContainer(input) };
  const givenSecrets = readSecretOptions(given, deps);
  checkArmFormats(given);
  const found = await discoverMissing(
    { ...given, credentialGiven: givenSecrets !== undefined },
    deps,
    discovery,
  );
  const options: ResolvedOptions = { ...given, ...found };
  const secrets = found.secrets ? checkFetched(options, found.secrets, deps) : givenSecrets;
  checkNames(options);
  const arm = checkArmValues(options);
  if (!secrets) await refuseWithoutCredential(deps, staging, options);
  const data =
    options.data === undefined ? undefined : await checkDataFolder(deps, staging, options.data);
  // Replacing a job's descriptor and secrets under a running prepare or ship would change them
  // half-way: one run per job at a time.
  await withJobLock(
    deps,
    staging,
    options.job,
    options.amend ? 'init --amend' : options.force ? 'init --force' : 'init',
    () => record(options, deps, { staging, secrets, arm, data }),
    options.breakLock ? { breakLock: true } : {},
  );
}

/** Writes the descriptor and secrets (under the job's lock). */
async function record(
  options: ResolvedOptions,
  deps: Deps,
  checked: {
    staging: string;
    secrets: JobSecrets | undefined;
    arm: ReturnType<typeof checkArmValues>;
    data: string | undefined;
  },
): Promise<void> {
  const { staging, secrets, arm, data } = checked;
  const file = jobDescriptorPath(staging, options.job);
  if (!options.force && !options.amend && (await exists(deps, file))) {
    throw new UsageError(`job "${options.job}" is already recorded in ${staging}`, {
      hint: 'pick another --job name, or pass --force to replace it',
    });
  }
  await checkOverlap(deps, staging, options.job, data);

  const descriptor: JobDescriptor = {
    version: 1,
    name: options.job,
    service: options.service,
    storageAccount: options.storageAccount,
    container: options.container,
    ...(options.prefix !== undefined && normalisePrefix(options.prefix) !== ''
      ? { prefix: normalisePrefix(options.prefix) }
      : {}),
    ...arm,
    blobType: options.blobType,
    disposition: options.disposition ?? DEFAULT_DISPOSITION,
    ...(data !== undefined ? { data } : {}),
    createdAt: deps.clock.now().toISOString(),
  };
  await checkRootContainer(deps, staging, descriptor);
  await writeJobDescriptor(deps.fs, staging, descriptor);
  warnIfRetired(deps, descriptor.service);
  let secretsFile: string | undefined;
  if (secrets) {
    secretsFile = await writeJobSecrets(deps.fs, staging, options.job, secrets);
  } else if (options.force || options.amend) {
    // Replacing a descriptor keeps the key recorded before (read to register it for redaction).
    await readJobSecrets(deps, staging, options.job);
  }

  if (deps.output.jsonMode) {
    deps.output.json(descriptor);
    return;
  }
  const where = `${descriptor.storageAccount}/${descriptor.container}${descriptor.prefix ? `/${descriptor.prefix}` : ''}`;
  const columns = screenColumns(deps.terminal);
  const lines = [
    `${options.amend ? 'amended' : 'recorded'} job "${descriptor.name}" (${descriptor.service}) → ${where}`,
    `  descriptor  ${file}`,
    `  data        ${data ?? `all of ${staging} but ${DISKPREP_DIR}`}`,
    `  blob type   ${descriptor.blobType}`,
    `  disposition ${descriptor.disposition} (a blob of the same name in Azure)`,
    ...(secretsFile ? [`  secrets     ${secretsFile} (mode 0600)`] : []),
  ];
  // Wrapped to the screen (80 columns off a terminal): a deep staging path makes long lines.
  for (const l of wrapLines(lines, columns)) deps.output.line(l);
  const next = `next: diskprep plan s:${staging} --job ${descriptor.name} --drive-size 8TB`;
  for (const l of wrapLine(next, columns)) deps.terminal.info(l);
}

/** `--container`, which every new job needs. */
function requiredContainer(input: InitOptions): string {
  if (input.container === undefined)
    throw new UsageError('a new job needs --container', {
      hint: 'name the destination container (--container <name>), or pass --amend to change a recorded job',
    });
  return input.container;
}

/**
 * The recorded job with the fields given on top (`--amend`): what the command line left out or
 * at its default is kept, and the job's data must stay where a started copy put it.
 */
async function amended(input: InitOptions, deps: Deps, staging: string): Promise<ResolvedInit> {
  const job = await readJobDescriptor(deps.fs, staging, input.job).catch((err: unknown) => {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`--amend: no job "${input.job}" in ${staging}`, {
      hint: 'leave out --amend to record a new job',
    });
  });
  const keep = (name: string) => input.defaulted?.includes(name) === true;
  const o: ResolvedInit = {
    ...input,
    service: input.service === undefined || keep('service') ? job.service : input.service,
    storageAccount: input.storageAccount ?? job.storageAccount,
    container: input.container ?? job.container,
    prefix: input.prefix ?? job.prefix,
    subscription: input.subscription ?? job.subscription,
    resourceGroup: input.resourceGroup ?? job.resourceGroup,
    location: input.location ?? job.location,
    blobType: keep('blobType') ? job.blobType : input.blobType,
    disposition: keep('disposition') ? (job.disposition ?? DEFAULT_DISPOSITION) : input.disposition,
    data: input.data ?? job.data,
  };
  const moved = (['service', 'storageAccount', 'container', 'prefix', 'blobType'] as const).filter(
    (k) => (o[k] ?? undefined) !== (job[k] ?? undefined),
  );
  // Any copy journal, even a damaged one: the drives may hold the data under the old names.
  if (moved.length > 0 && (await exists(deps, copyStatePath(staging, job.name))))
    throw new UsageError(
      `--amend: job "${job.name}" has copied data already, so its ${moved.join(', ')} cannot change`,
      {
        hint: 'amend the location, subscription, resource group or credential only, or record a new job',
      },
    );
  return o;
}

/**
 * A classic manifest carries a storage key or SAS: a job without one (given, fetched or kept)
 * could never be prepared, so it is not recorded.
 */
async function refuseWithoutCredential(
  deps: Deps,
  staging: string,
  o: ResolvedOptions,
): Promise<void> {
  if (!manifestCarriesCredential(o.service)) return;
  if (o.force || o.amend) {
    const kept: JobSecrets = await readJobSecrets(deps, staging, o.job).catch(() => ({}));
    if (kept.storageAccountKey || kept.containerSas) return;
  }
  throw new UsageError(
    `${withArticle(o.service)} job's drive manifest carries a storage account key or container SAS, and job "${o.job}" would have neither`,
    {
      code: 'ERR_DISKPREP_NO_CREDENTIAL',
      hint: `add --fetch-credential sas (read through Azure), or --container-sas ${o.container}?<token> (or DISKPREP_CONTAINER_SAS)`,
    },
  );
}

function readSecretOptions(options: ResolvedInit, deps: Deps): JobSecrets | undefined {
  const key = options.storageAccountKey ?? nonEmpty(deps.env.DISKPREP_STORAGE_ACCOUNT_KEY);
  const sas = options.containerSas ?? nonEmpty(deps.env.DISKPREP_CONTAINER_SAS);
  deps.redactor.add(key);
  deps.redactor.add(sas);
  if (key !== undefined && sas !== undefined) {
    throw new UsageError('give a storage account key or a container SAS, not both', {
      hint: 'the drive manifest carries one of them (unset DISKPREP_STORAGE_ACCOUNT_KEY or DISKPREP_CONTAINER_SAS)',
    });
  }
  if (key === undefined && sas === undefined) return undefined;
  const carried = manifestCarriesCredential(options.service);
  const secrets: JobSecrets =
    key !== undefined
      ? { storageAccountKey: checkStorageKey(options, key, carried, deps) }
      : { containerSas: checkContainerSas(options, sas!, carried, deps) };
  // Said once the value is known to be good: a bad one is one line, the error.
  if (!carried) {
    deps.terminal.info(
      `${withArticle(options.service)} job's service is given the storage account by the job itself: the drive manifest carries no key or SAS; the ${key !== undefined ? 'key' : 'SAS'} is kept only for status and verify-import`,
    );
  }
  return secrets;
}

/**
 * Checks a credential fetched through ARM by the rules a typed one meets (a SAS that would not
 * outlive the import is refused the same way).
 */
function checkFetched(options: ResolvedOptions, fetched: JobSecrets, deps: Deps): JobSecrets {
  if (fetched.storageAccountKey !== undefined)
    return { storageAccountKey: checkStorageKey(options, fetched.storageAccountKey, true, deps) };
  return { containerSas: checkContainerSas(options, fetched.containerSas ?? '', true, deps) };
}

/** Checks a storage account key and returns it trimmed; warns when it goes on the drives. */
function checkStorageKey(options: ResolvedInit, key: string, carried: boolean, deps: Deps): string {
  const k = key.trim();
  if (storageAccountKeyProblem(k)) {
    throw new UsageError('--storage-account-key is not a storage account key (base64)', {
      hint: 'copy key1 or key2 from the storage account\'s "Access keys" page',
    });
  }
  if (carried) {
    deps.terminal.warn(
      `the storage account key goes into the manifest on every drive and opens the whole account; prefer --container-sas <container>?<sas> (read, write, delete on ${options.container}, valid for at least ${SAS_MIN_DAYS} days)`,
    );
  }
  return k;
}

/**
 * Checks a container SAS in any form {@link parseContainerSas} reads and returns its token
 * alone (the stored form). For a job whose manifest carries it, the SAS must grant what the
 * import needs and outlive the import.
 */
function checkContainerSas(
  options: ResolvedInit,
  sas: string,
  carried: boolean,
  deps: Deps,
): string {
  const { container, token } = parseContainerSas(sas);
  deps.redactor.add(token);
  if (container !== undefined && container !== options.container) {
    throw new UsageError(
      `--container-sas is for container "${container}", but the job's container is "${options.container}"`,
      {
        hint: `give a SAS of container ${options.container} (${options.container}?sv=...&sig=...)`,
      },
    );
  }
  const problem = containerSasProblem(token);
  if (problem) {
    throw new UsageError(`--container-sas is not a SAS token (${problem})`, {
      hint: `give the container SAS as ${options.container}?<token>, or the token alone (sv=...&sig=...)`,
    });
  }
  const unusable = sasUseProblem(token, deps.clock.now(), carried);
  if (unusable)
    throw new UsageError(`--container-sas ${unusable.problem}`, { hint: unusable.hint });
  return token;
}

/**
 * The root container takes no "/" in a blob name: every file of the job's data in a folder is
 * listed in one error (the same as plan's, first 20 on stderr, all in `--json`).
 */
async function checkRootContainer(deps: Deps, staging: string, job: JobDescriptor): Promise<void> {
  if (job.container !== ROOT_CONTAINER) return;
  const { problems } = await validateJobData(deps, staging, job, { throwOnProblems: false });
  const nested = problems.filter((p) => p.problem === ROOT_NESTED_PROBLEM);
  if (nested.length > 0) throw problemsError(deps, nested, job);
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s;
}

function checkNames(o: ResolvedOptions): void {
  const checks: [string, string | undefined, string][] = [
    ['--job', jobNameProblem(o.service, o.job), o.job],
    ['--storage-account', storageAccountProblem(o.storageAccount), o.storageAccount],
    ['--container', containerProblem(o.container), o.container],
  ];
  if (o.prefix !== undefined)
    checks.push(['--prefix', prefixProblem(o.prefix, o.container), o.prefix]);
  for (const [flag, problem, value] of checks) {
    if (problem) {
      throw new UsageError(`${flag} "${value}" is not valid: ${problem}`, {
        hint: `choose another ${flag.slice(2).replace(/-/g, ' ')}`,
      });
    }
  }
}

function checkArmValues(
  o: ResolvedOptions,
): Pick<JobDescriptor, 'subscription' | 'resourceGroup' | 'location'> {
  if (o.service === 'databox' || o.service === 'importexport') {
    const missing = [
      o.subscription ? undefined : '--subscription',
      o.resourceGroup ? undefined : '--resource-group',
      o.location ? undefined : '--location',
    ].filter((x): x is string => x !== undefined);
    if (missing.length > 0) {
      throw new UsageError(`${withArticle(o.service)} job needs ${missing.join(', ')}`, {
        hint: 'give the subscription id, the resource group of the job and the region (e.g. --location westeurope)',
      });
    }
  }
  checkArmFormats(o);
  return {
    ...(o.subscription ? { subscription: o.subscription.trim().toLowerCase() } : {}),
    ...(o.resourceGroup ? { resourceGroup: o.resourceGroup } : {}),
    ...(o.location ? { location: regionName(o.location) } : {}),
  };
}

/** "West Europe" and "westeurope" are the same region. */
function regionName(location: string): string {
  return location.toLowerCase().replace(/\s+/g, '');
}

/** Checks the subscription, resource group and location given (before ARM is asked with them). */
function checkArmFormats(o: InitOptions): void {
  if (o.subscription !== undefined && !GUID.test(o.subscription.trim())) {
    throw new UsageError(`--subscription "${o.subscription}" is not a subscription id (a GUID)`, {
      hint: 'copy it from the portal, or from diskprep settings p:<file>',
    });
  }
  if (o.resourceGroup !== undefined && !/^[-\w.()\p{L}\p{N}]{1,90}$/u.test(o.resourceGroup)) {
    throw new UsageError(`--resource-group "${o.resourceGroup}" is not valid`, {
      hint: 'a resource group name is 1-90 letters, digits, underscores, hyphens, periods or parentheses',
    });
  }
  if (o.resourceGroup !== undefined && o.resourceGroup.endsWith('.')) {
    throw new UsageError(`--resource-group "${o.resourceGroup}" ends with a period`, {
      hint: 'a resource group name cannot end with a period',
    });
  }
  if (o.location !== undefined && !/^[a-z][a-z0-9]{1,40}$/.test(regionName(o.location))) {
    throw new UsageError(`--location "${o.location}" is not an Azure region name`, {
      hint: 'give a region such as westeurope, eastus2 or usgovvirginia',
    });
  }
}

/** Checks `--data` and returns it relative to the staging location, `/`-separated. */
async function checkDataFolder(
  deps: Deps,
  staging: string,
  data: string,
): Promise<string | undefined> {
  const abs = path.resolve(staging, data);
  let real: string;
  let stagingReal: string;
  try {
    stagingReal = await deps.fs.realpath(staging);
    real = await deps.fs.realpath(abs);
  } catch {
    throw new UsageError(`--data folder ${abs} does not exist`, {
      hint: 'give a subfolder of the staging location that holds the data',
    });
  }
  if (!(await deps.fs.stat(real)).isDirectory()) {
    throw new UsageError(`--data ${abs} is not a folder`, {
      hint: 'give a subfolder of the staging location',
    });
  }
  const rel = path.relative(stagingReal, real);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new UsageError(`--data ${abs} is outside the staging location ${staging}`, {
      hint: 'give a subfolder of the staging location (relative to it)',
    });
  }
  const parts = rel.split(path.sep).filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  // The rule every reader of the descriptor applies (never .diskprep, no "..").
  const problem = dataFolderProblem(parts.join('/'));
  if (problem) {
    throw new UsageError(`--data ${abs} ${problem}`, {
      hint: 'give a folder that holds your data',
    });
  }
  return parts.join('/');
}

function overlaps(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

async function checkOverlap(
  deps: Deps,
  staging: string,
  name: string,
  data: string | undefined,
): Promise<void> {
  const clashes: string[] = [];
  for (const other of await listJobs(deps.fs, staging)) {
    if (other === name) continue;
    const job = await readJobDescriptor(deps.fs, staging, other);
    if (overlaps(data, job.data)) clashes.push(`"${other}" (${job.data ?? 'all of it'})`);
  }
  if (clashes.length > 0) {
    throw new UsageError(
      `the data of job "${name}" (${data ?? 'all of the staging location'}) overlaps job ${clashes.join(', ')}`,
      { hint: 'give each job its own subfolder with --data, so no file belongs to two jobs' },
    );
  }
}

async function exists(deps: Deps, file: string): Promise<boolean> {
  try {
    await deps.fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
