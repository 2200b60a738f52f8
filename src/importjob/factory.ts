/**
 * Picks and builds the adapter for a job: its service kind, the credentials, and the endpoint
 * options (`--endpoint`, `--arm-endpoint`, `--cloud`).
 */
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import type { ServiceKind } from '../model/job.ts';
import type { PublishSubscription } from '../publishsettings/types.ts';
import { ClassicService } from './classic.ts';
import { DataBoxService } from './databox.ts';
import { serviceEndpoints } from './endpoints.ts';
import { ImportExportService } from './importexport.ts';
import { OfflineService } from './offline.ts';
import { armTokenSource, type TokenSource } from './token.ts';
import type { AzureOptions, ImportJobService } from '../model/importJob.ts';

/**
 * What the classic adapter needs of a publish-settings subscription: the part of
 * {@link PublishSubscription} (src/publishsettings) it reads, so tests can hand in a PEM pair.
 */
export type PublishSettingsSubscription = Pick<
  PublishSubscription,
  'id' | 'serviceManagementUrl'
> & {
  certificate: Pick<PublishSubscription['certificate'], 'keyPem' | 'certPem'>;
};

/** Inputs of {@link createImportJobService}. */
export interface ImportJobServiceInput {
  service: ServiceKind;
  azure: AzureOptions;
  /** Where the job lives (from the job descriptor). */
  job: { subscription?: string; resourceGroup?: string; storageAccount: string };
  /** classic: the subscription of the publish settings. */
  publishSettings?: PublishSettingsSubscription;
  /** databox / importexport: where tokens come from (default DISKPREP_ACCESS_TOKEN, then @azure/identity). */
  tokens?: TokenSource;
  /** `--proxy`, for @azure/identity (the http seam applies it to every other call). */
  proxy?: string;
  /** offline: the job's journal folder (drive-info XML). */
  journalDir?: string;
  /** Per-attempt timeout of each call (default 60 s). */
  timeoutMs?: number;
  /** `subscription`: an ARM adapter for listing the jobs of a whole subscription (no resource group). */
  scope?: 'job' | 'subscription';
}

/** What an import-job service, and ARM discovery, use of the deps (network, sign-in, prompts). */
export type FactoryDeps = Pick<
  Deps,
  | 'http'
  | 'clock'
  | 'terminal'
  | 'redactor'
  | 'signal'
  | 'env'
  | 'fs'
  | 'cwd'
  | 'prompt'
  | 'platform'
>;

/** Builds the adapter for `input.service`. */
export function createImportJobService(
  input: ImportJobServiceInput,
  deps: FactoryDeps,
): ImportJobService {
  const endpoints = serviceEndpoints(
    input.azure,
    deps.env,
    input.publishSettings?.serviceManagementUrl,
  );
  switch (input.service) {
    case 'classic': {
      const ps = input.publishSettings;
      if (!ps)
        throw new UsageError('the classic service needs the publish settings', {
          hint: 'pass p:<file.publishsettings> (--publish-settings)',
        });
      return new ClassicService(
        {
          subscriptionId: ps.id,
          serviceManagementUrl: endpoints.classic,
          certificate: ps.certificate,
          timeoutMs: input.timeoutMs,
        },
        input.job.storageAccount,
        deps,
      );
    }
    case 'databox':
    case 'importexport': {
      const { subscription, resourceGroup } = input.job;
      if (!subscription || (!resourceGroup && input.scope !== 'subscription'))
        throw new UsageError(
          `the ${input.service} service needs the subscription and resource group of the job`,
          {
            hint: 'record them with diskprep init --subscription <id> --resource-group <name>',
          },
        );
      const ctx = {
        armUrl: endpoints.arm,
        subscription,
        resourceGroup: resourceGroup ?? '',
        timeoutMs: input.timeoutMs,
      };
      const tokens =
        input.tokens ?? armTokenSource(deps, endpoints.cloud, input.proxy, input.azure);
      return input.service === 'databox'
        ? new DataBoxService(ctx, deps, tokens)
        : new ImportExportService(ctx, deps, tokens);
    }
    case 'offline': {
      if (!input.journalDir) throw new UsageError('offline jobs need the journal folder');
      return new OfflineService(input.journalDir, deps);
    }
  }
}
