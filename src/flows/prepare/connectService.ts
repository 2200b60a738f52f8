/**
 * The Azure service of a job for `s:`: the classic service needs the publish settings (`p:`,
 * one-line error when missing) and a subscription chosen from them (`--subscription`, the job's,
 * the only one, else asked); the ARM services need the job's subscription and resource group
 * and a token. Done before the preflight and before any disk is touched.
 */
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import { createImportJobService, type PublishSettingsSubscription } from '../../importjob/factory.ts';
import type { ImportJobService } from '../../model/importJob.ts';
import { chooseSubscription, loadPublishSettings } from '../../publishsettings/index.ts';
import type { ServiceFactory } from '../ship/index.ts';
import type { JobDescriptor } from '../../model/job.ts';
import type { PrepareOptions } from './options.ts';

/** The service and the subscription it runs under. */
export interface ConnectedService {
  service: ImportJobService;
  /** The subscription id (classic: the one chosen in the publish settings). */
  subscription: string | undefined;
}

/** Connects to the job's service; throws for a classic job without `p:`. */
export async function connectService(
  deps: Deps,
  job: JobDescriptor,
  o: PrepareOptions,
  createService: ServiceFactory = createImportJobService,
): Promise<ConnectedService> {
  let publishSettings: PublishSettingsSubscription | undefined;
  let subscription = o.subscription ?? job.subscription;
  if (job.service === 'classic') {
    if (!o.publishSettings)
      throw new UsageError(
        `job ${job.name} runs on the classic service, which needs the publish settings`,
        {
          code: 'ERR_DISKPREP_NEEDS_PUBLISH_SETTINGS',
          hint: `pass p:<file.publishsettings>, e.g. diskprep s:${o.staging} p:C:\\keys\\my.publishsettings (or --offline to prepare the drives without Azure)`,
        },
      );
    const settings = await loadPublishSettings(deps, o.publishSettings);
    const sub = await chooseSubscription(deps, settings, subscription);
    publishSettings = sub;
    subscription = sub.id;
  }
  const service = createService(
    {
      service: job.service,
      azure: o.azure,
      job: {
        subscription,
        resourceGroup: job.resourceGroup,
        storageAccount: job.storageAccount,
      },
      ...(publishSettings ? { publishSettings } : {}),
      ...(o.proxy ? { proxy: o.proxy } : {}),
    },
    deps,
  );
  return { service, subscription };
}
