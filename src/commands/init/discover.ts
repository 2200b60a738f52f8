/**
 * `init`'s questions answered from Azure instead of typed: the subscription, storage account,
 * resource group and region of a job come from ARM listings (asked when there is a choice;
 * non-interactively exit 3 naming the flag with up to ten candidates), and a classic job's
 * manifest credential is fetched through ARM (`--fetch-credential sas|key`, or asked), never
 * typed on a command line.
 */
import type { Choice, Deps } from '../../deps/types.ts';
import {
  AzureError,
  MAX_CANDIDATES,
  NeedsAnswerError,
  needsChoice,
  UsageError,
} from '../../errors.ts';
import { manifestCarriesCredential } from '../../engine/manifest.ts';
import { connectDiscovery } from '../../importjob/connect.ts';
import type { ArmDiscovery, FoundStorageAccount } from '../../importjob/discover.ts';
import type { AzureOptions } from '../../model/importJob.ts';
import type { JobSecrets, ServiceKind } from '../../model/job.ts';
import { withArticle } from '../../format.ts';

/** How a classic job's manifest credential is fetched. */
export type FetchCredential = 'sas' | 'key' | 'none';

/** What {@link discoverMissing} reads. */
export interface DiscoverInput {
  service: ServiceKind;
  container: string;
  storageAccount?: string | undefined;
  subscription?: string | undefined;
  resourceGroup?: string | undefined;
  location?: string | undefined;
  /** `--fetch-credential`. */
  fetchCredential?: FetchCredential | undefined;
  /** A key or SAS came with the command (flag or environment). */
  credentialGiven: boolean;
  azure?: AzureOptions | undefined;
  proxy?: string | undefined;
}

/** What was found; a value given on the command line is returned as given. */
export interface Discovered {
  storageAccount: string;
  subscription?: string;
  resourceGroup?: string;
  location?: string;
  /** The fetched manifest credential (registered with the redactor). */
  secrets?: JobSecrets;
}

/** Makes the ARM lister (tests hand in one at a fake). */
export type DiscoveryFactory = (deps: Deps, input: DiscoverInput) => ArmDiscovery;

/** A fetched SAS lasts this long: past init's 60-day minimum, with a month of margin. */
export const FETCHED_SAS_DAYS = 90;
const DAY_MS = 86_400_000;

const defaultFactory: DiscoveryFactory = (deps, input) =>
  connectDiscovery(deps, { azure: input.azure ?? {}, proxy: input.proxy });

/**
 * Fills in what the command line lacks from ARM.
 *
 * @throws NeedsAnswerError (exit 3) non-interactively when a choice is needed
 * @throws UsageError for an offline job without `--storage-account`, or a storage account the
 *   subscription does not hold
 */
export async function discoverMissing(
  input: DiscoverInput,
  deps: Deps,
  factory: DiscoveryFactory = defaultFactory,
): Promise<Discovered> {
  const arm = input.service === 'databox' || input.service === 'importexport';
  const carried = manifestCarriesCredential(input.service);
  checkCredentialFlag(input, carried);
  const given = {
    ...(input.subscription ? { subscription: input.subscription } : {}),
    ...(input.resourceGroup ? { resourceGroup: input.resourceGroup } : {}),
    ...(input.location ? { location: input.location } : {}),
  };
  const armMissing = arm && (!input.subscription || !input.resourceGroup || !input.location);
  const mayFetch =
    carried &&
    !input.credentialGiven &&
    input.fetchCredential !== 'none' &&
    (input.fetchCredential !== undefined || (deps.prompt.interactive && !input.storageAccount));
  if (input.service === 'offline' || (input.storageAccount && !armMissing && !mayFetch)) {
    if (!input.storageAccount)
      throw new UsageError('an offline job needs --storage-account', {
        hint: 'name the storage account the data goes to (--storage-account <name>)',
      });
    return { storageAccount: input.storageAccount, ...given };
  }

  const discovery = factory(deps, input);
  const subscription = input.subscription ?? (await pickSubscription(deps, discovery));
  const account = await pickStorageAccount(deps, discovery, subscription, input.storageAccount);
  const found: Discovered = { storageAccount: account.name, ...given };
  if (arm) {
    found.subscription = subscription;
    if (!input.location) {
      found.location = account.location;
      deps.terminal.info(`location: ${account.location} (the region of ${account.name})`);
    }
    found.resourceGroup =
      input.resourceGroup ?? (await pickResourceGroup(deps, discovery, subscription, account));
  }
  if (mayFetch) {
    const secrets = await fetchCredential(deps, discovery, input, subscription, account);
    if (secrets) found.secrets = secrets;
  }
  return found;
}

function checkCredentialFlag(input: DiscoverInput, carried: boolean): void {
  if (input.fetchCredential === undefined || input.fetchCredential === 'none') return;
  if (!carried)
    throw new UsageError(
      `--fetch-credential is for classic jobs: ${withArticle(input.service)} job's manifest carries no key or SAS`,
      { hint: 'leave out --fetch-credential' },
    );
  if (input.credentialGiven)
    throw new UsageError('--fetch-credential and a given key or SAS exclude each other', {
      hint: 'drop --fetch-credential, or the --container-sas / --storage-account-key (and DISKPREP_ environment) value',
    });
}

/**
 * Runs the listing that answers `flag`. When Azure cannot be asked (no sign-in, no network),
 * the flag is still what the operator needs to know: non-interactively that is exit 3 naming
 * it; interactively the Azure error, its hint naming the flag as the other way out.
 */
async function listing<T>(
  deps: Deps,
  flag: string,
  question: string,
  list: () => Promise<T>,
): Promise<T> {
  try {
    return await list();
  } catch (err) {
    if (!(err instanceof AzureError)) throw err;
    if (!deps.prompt.interactive)
      throw new NeedsAnswerError(question, flag, {
        hint: `pass ${flag} (the candidates could not be listed: ${err.message})`,
        details: { flag, candidates: [], listingError: err.message },
        cause: err,
      });
    throw new AzureError(err.message, {
      code: err.code,
      hint: `${err.hint ? `${err.hint}; ` : ''}or pass ${flag}`,
      cause: err,
      ...(err.details ? { details: err.details } : {}),
    });
  }
}

/**
 * Asks one question of `choices`; non-interactively a {@link NeedsAnswerError} naming `flag`
 * with the first ten candidates (in the hint and in `--json` details).
 */
async function choose<T>(
  deps: Deps,
  q: { message: string; flag: string; choices: Choice<T>[]; candidate: (c: Choice<T>) => string },
  defaultValue?: T,
): Promise<T> {
  if (!deps.prompt.interactive) throw needsChoice(q.message, q.flag, q.choices.map(q.candidate));
  return deps.prompt.select({
    message: q.message,
    flag: q.flag,
    choices: q.choices,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
  });
}

async function pickSubscription(deps: Deps, discovery: ArmDiscovery): Promise<string> {
  const subs = (
    await listing(deps, '--subscription', 'Subscription of the job', () =>
      discovery.subscriptions(),
    )
  ).filter((s) => s.state !== 'Disabled');
  if (subs.length === 0)
    throw new UsageError('the Azure sign-in reaches no subscription', {
      hint: 'sign in with an account that has a subscription, or pass --subscription <id>',
    });
  if (subs.length === 1) {
    deps.terminal.info(`subscription: ${subs[0]!.name} (${subs[0]!.id}), the only one reachable`);
    return subs[0]!.id;
  }
  return choose(deps, {
    message: 'Subscription of the job',
    flag: '--subscription',
    choices: subs.map((s) => ({ name: `${s.name} (${s.id})`, value: s.id })),
    candidate: (c) => c.name,
  });
}

async function pickStorageAccount(
  deps: Deps,
  discovery: ArmDiscovery,
  subscription: string,
  wanted: string | undefined,
): Promise<FoundStorageAccount> {
  const accounts = await listing(
    deps,
    '--storage-account',
    'Storage account the data goes to',
    () => discovery.storageAccounts(subscription),
  );
  const list = (n: number) =>
    accounts
      .slice(0, n)
      .map((a) => a.name)
      .join(', ');
  if (wanted !== undefined) {
    const hit = accounts.find((a) => a.name === wanted);
    if (!hit)
      throw new UsageError(`storage account "${wanted}" is not in subscription ${subscription}`, {
        hint:
          accounts.length > 0
            ? `pick one of: ${list(MAX_CANDIDATES)} (or pass --subscription of the account)`
            : 'create the storage account first, or pass --subscription of the account',
      });
    return hit;
  }
  if (accounts.length === 0)
    throw new UsageError(`subscription ${subscription} holds no storage account`, {
      hint: 'create a storage account (StorageV2) for the import, then run init again',
    });
  return choose(deps, {
    message: 'Storage account the data goes to',
    flag: '--storage-account',
    choices: accounts.map((a) => ({
      name: a.name,
      value: a,
      description: `${a.kind}, ${a.location}, resource group ${a.resourceGroup}`,
    })),
    candidate: (c) => `${c.name} (${c.description ?? ''})`,
  });
}

async function pickResourceGroup(
  deps: Deps,
  discovery: ArmDiscovery,
  subscription: string,
  account: FoundStorageAccount,
): Promise<string> {
  const groups = await listing(deps, '--resource-group', 'Resource group of the job', () =>
    discovery.resourceGroups(subscription),
  );
  // The storage account's group first: the usual place for its import job.
  groups.sort(
    (a, b) => Number(b.name === account.resourceGroup) - Number(a.name === account.resourceGroup),
  );
  return choose(
    deps,
    {
      message: 'Resource group of the job',
      flag: '--resource-group',
      choices: groups.map((g) => ({ name: g.name, value: g.name, description: g.location })),
      candidate: (c) => c.name,
    },
    groups.some((g) => g.name === account.resourceGroup) ? account.resourceGroup : undefined,
  );
}

async function fetchCredential(
  deps: Deps,
  discovery: ArmDiscovery,
  input: DiscoverInput,
  subscription: string,
  account: FoundStorageAccount,
): Promise<JobSecrets | undefined> {
  const mode =
    input.fetchCredential ??
    (await deps.prompt.select<FetchCredential>({
      message: 'The drive manifest carries a credential of the storage account',
      flag: '--fetch-credential',
      choices: [
        {
          name: 'sas',
          value: 'sas',
          description: `a SAS of container ${input.container} (rwdl, ${FETCHED_SAS_DAYS} days)`,
        },
        { name: 'key', value: 'key', description: 'the account key (opens the whole account)' },
        { name: 'none', value: 'none', description: 'give one later with init --force' },
      ],
      default: 'sas',
    }));
  if (mode === 'none') return undefined;
  if (mode === 'key')
    return { storageAccountKey: await discovery.accountKey(subscription, account) };
  const expiry = new Date(deps.clock.now().getTime() + FETCHED_SAS_DAYS * DAY_MS);
  return {
    containerSas: await discovery.containerSas(subscription, account, input.container, expiry),
  };
}
