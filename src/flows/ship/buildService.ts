/**
 * Builds the service adapter of a job for `ship` and `status`: the classic service needs the
 * publish settings (`p:`), the ARM services a token. The factory is a parameter so tests put a
 * stub service behind the same flow.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError, UsageError } from '../../errors.ts';
import {
  createImportJobService,
  type ImportJobServiceInput,
  type PublishSettingsSubscription,
} from '../../importjob/factory.ts';
import type { AzureOptions, ImportJobService } from '../../model/importJob.ts';
import { chooseSubscription, loadPublishSettings } from '../../publishsettings/index.ts';
import type { ShipJob } from '../../model/shipping.ts';

/** Makes a service adapter (default {@link createImportJobService}). */
export type ServiceFactory = (input: ImportJobServiceInput, deps: Deps) => ImportJobService;

/** Options of {@link buildJobService}. */
export interface BuildServiceOptions {
  job: ShipJob;
  azure: AzureOptions;
  publishSettings?: string;
  subscription?: string;
  /** The command to name in the hint when `p:` is missing (`diskprep u:`). */
  command: string;
  /** `--proxy`, for the Azure SDK sign-in (the http seam has it already). */
  proxy?: string;
  createService?: ServiceFactory;
}

/** The service of the job; a usage error naming `p:` when a classic job has none. */
export async function buildJobService(
  deps: Deps,
  options: BuildServiceOptions,
): Promise<ImportJobService> {
  const { job } = options;
  if (job.service === 'offline')
    throw new DiskprepError(
      `job ${job.name} is offline: diskprep created no Azure job, so there is nothing to update here`,
      1,
      {
        code: 'ERR_DISKPREP_OFFLINE_JOB',
        hint: 'create the job in the Azure portal with the drive-info files of the journal, and enter the shipping details there',
      },
    );
  let publishSettings: PublishSettingsSubscription | undefined;
  if (job.service === 'classic') {
    if (!options.publishSettings)
      throw new UsageError(
        `job ${job.name} runs on the classic service, which needs the publish settings`,
        {
          hint: `pass p:<file.publishsettings>, e.g. ${options.command} p:C:\\keys\\my.publishsettings`,
        },
      );
    if (!job.storageAccount)
      throw new UsageError(`the storage account of job ${job.name} is not known on this computer`, {
        hint: `pass s:<staging> so diskprep reads the job descriptor, e.g. ${options.command} s:D:\\staging p:<file.publishsettings>`,
      });
    const settings = await loadPublishSettings(deps, options.publishSettings);
    const sub = await chooseSubscription(deps, settings, options.subscription ?? job.subscription);
    publishSettings = sub;
  }
  return (options.createService ?? createImportJobService)(
    {
      service: job.service,
      azure: options.azure,
      job: {
        subscription: job.subscription,
        resourceGroup: job.resourceGroup,
        storageAccount: job.storageAccount ?? '',
      },
      ...(publishSettings ? { publishSettings } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
    },
    deps,
  );
}
