/**
 * The one way a job reaches its Azure service, for prepare, ship and status: the classic service
 * needs the publish settings (`p:`, a one-line error naming it when missing) and a subscription
 * chosen from them (`--subscription`, else the job's, else the only one, else asked); the ARM
 * services run under `--subscription`, else the job's, with a token (src/importjob/token.ts).
 * The endpoints come from src/importjob/endpoints.ts, `--proxy` reaches the Azure SDK sign-in.
 */
import type { AzureOptions } from '../model/importJob.ts';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { chooseSubscription, loadPublishSettings } from '../publishsettings/load.ts';
import type { JobDescriptor } from '../model/job.ts';
import {
  createImportJobService,
  type FactoryDeps,
  type ImportJobServiceInput,
  type PublishSettingsSubscription,
} from './factory.ts';
import type { ImportJobService } from '../model/importJob.ts';
import { warnIfRetired } from '../model/retiredServices.ts';
import { ArmDiscovery } from './discover.ts';
import { serviceEndpoints } from './endpoints.ts';
import { armTokenSource } from './token.ts';
import { withWaitIndicators } from './waiting.ts';

/** Makes a service adapter (default {@link createImportJobService}); tests put a stub behind it. */
export type ServiceFactory = (input: ImportJobServiceInput, deps: Deps) => ImportJobService;

/** What the connection reads of a job (a descriptor, or this computer's record of one). */
export type ServiceJob = Pick<JobDescriptor, 'name' | 'service'> &
  Partial<Pick<JobDescriptor, 'subscription' | 'resourceGroup' | 'storageAccount'>>;

/** Options of {@link connectJobService}. */
export interface ConnectOptions {
  azure: AzureOptions;
  /** `p:`, the publish-settings file (classic). */
  publishSettings?: string | undefined;
  /** `--subscription`: an id or name. */
  subscription?: string | undefined;
  /** `--proxy`, for the Azure SDK sign-in (the http seam has it already). */
  proxy?: string | undefined;
  /** The command to name in a hint, e.g. `diskprep u: s:D:\staging`. */
  command: string;
  /** Another way out, added to the hint when `p:` is missing (prepare: `--offline`). */
  alternative?: string;
  createService?: ServiceFactory | undefined;
}

/** The service and the subscription it runs under. */
export interface ConnectedService {
  service: ImportJobService;
  /** The subscription id (classic: the one chosen in the publish settings). */
  subscription: string | undefined;
}

/**
 * Connects to the job's service (not for offline jobs: they have none), warning once on stderr
 * when the service is retired.
 *
 * @throws UsageError for a classic job without `p:` or whose storage account is not known
 */
export async function connectJobService(
  deps: Deps,
  job: ServiceJob,
  options: ConnectOptions,
): Promise<ConnectedService> {
  warnIfRetired(deps, job.service);
  let subscription = options.subscription ?? job.subscription;
  let publishSettings: PublishSettingsSubscription | undefined;
  if (job.service === 'classic') {
    publishSettings = await classicSubscription(deps, job, options, subscription);
    subscription = publishSettings.id;
  }
  const service = (options.createService ?? createImportJobService)(
    {
      service: job.service,
      azure: options.azure,
      job: {
        subscription,
        resourceGroup: job.resourceGroup,
        storageAccount: job.storageAccount ?? '',
      },
      ...(publishSettings ? { publishSettings } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
    },
    deps,
  );
  return { service: withWaitIndicators(deps.terminal, service), subscription };
}

/** The publish-settings subscription of a classic job: `p:` read, the subscription chosen. */
async function classicSubscription(
  deps: Deps,
  job: ServiceJob,
  options: ConnectOptions,
  wanted: string | undefined,
): Promise<PublishSettingsSubscription> {
  if (!options.publishSettings)
    throw new UsageError(
      `job ${job.name} runs on the classic service, which needs the publish settings`,
      {
        code: 'ERR_DISKPREP_NEEDS_PUBLISH_SETTINGS',
        hint: `pass p:<file.publishsettings>, e.g. ${options.command} p:C:\\keys\\my.publishsettings${options.alternative ? ` (${options.alternative})` : ''}`,
      },
    );
  if (!job.storageAccount)
    throw new UsageError(`the storage account of job ${job.name} is not known on this computer`, {
      hint: `pass s:<staging> so diskprep reads the job descriptor, e.g. ${options.command} s:D:\\staging p:<file.publishsettings>`,
    });
  const settings = await loadPublishSettings(deps, options.publishSettings);
  return chooseSubscription(deps, settings, wanted);
}

/** Where {@link connectDataBoxJobs} looks: a subscription, optionally narrowed to a resource group. */
export interface DataBoxScope {
  azure: AzureOptions;
  /** `--subscription` (an id). */
  subscription?: string | undefined;
  /** `--resource-group`: only this group's jobs. */
  resourceGroup?: string | undefined;
  proxy?: string | undefined;
  createService?: ServiceFactory | undefined;
}

/**
 * The Data Box service over a subscription or one of its resource groups, for listing jobs and
 * for reaching a job created elsewhere (portal, Azure Backup's agent) by name.
 *
 * @throws UsageError (exit 2) without `--subscription`: ARM has no "every subscription" list of jobs
 */
export function connectDataBoxJobs(deps: Deps, scope: DataBoxScope): ImportJobService {
  if (!scope.subscription)
    throw new UsageError('the Data Box jobs are listed per subscription', {
      hint: 'pass --subscription <id> (and --resource-group <name> for one group), e.g. diskprep jobs --subscription 00000000-1111-2222-3333-444444444444',
    });
  const service = (scope.createService ?? createImportJobService)(
    {
      service: 'databox',
      azure: scope.azure,
      job: {
        subscription: scope.subscription,
        ...(scope.resourceGroup ? { resourceGroup: scope.resourceGroup } : {}),
        storageAccount: '',
      },
      scope: scope.resourceGroup ? 'job' : 'subscription',
      ...(scope.proxy ? { proxy: scope.proxy } : {}),
    },
    deps,
  );
  return withWaitIndicators(deps.terminal, service);
}

/**
 * The ARM listings `init` asks from (subscriptions, resource groups, storage accounts, a
 * manifest credential), at the endpoints and with the token source every ARM job uses.
 */
export function connectDiscovery(
  deps: FactoryDeps,
  options: { azure: AzureOptions; proxy?: string | undefined; timeoutMs?: number },
): ArmDiscovery {
  const endpoints = serviceEndpoints(options.azure, deps.env);
  const tokens = armTokenSource(deps, endpoints.cloud, options.proxy, options.azure);
  return new ArmDiscovery(deps, endpoints.arm, tokens, options.timeoutMs);
}
