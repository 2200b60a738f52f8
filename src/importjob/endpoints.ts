/**
 * Where a job's service answers: the cloud (`--cloud`, else the one the publish settings'
 * Service Management host belongs to, else public) and its endpoints, with the overrides
 * `--endpoint`, `--arm-endpoint`, `AZURE_AUTHORITY_HOST` and `DISKPREP_BLOB_ENDPOINT`. The
 * service adapters, `diskprep check` and `verify-import` all read them here, so a check probes
 * the very URLs the job is later created, shipped and read at.
 */
import type { AzureOptions } from '../model/importJob.ts';
import type { Deps } from '../deps/types.ts';
import { type Cloud, resolveCloud } from '../publishsettings/clouds.ts';
import { blobEndpoint } from '../storage/client.ts';
import { authorityHostFor } from './token.ts';

/** The endpoints of one run. */
export interface ServiceEndpoints {
  cloud: Cloud;
  /** Azure Resource Manager base URL, without a trailing slash. */
  arm: string;
  /** The Entra ID sign-in host, without a trailing slash. */
  login: string;
  /** classic Service Management base: `--endpoint`, else the publish settings', else the cloud's. */
  classic: string;
  /** The blob service of a storage account, without a trailing slash. */
  blob(account: string): string;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * The endpoints for `azure` (the `--cloud`/`--endpoint`/`--arm-endpoint` options).
 *
 * @param serviceManagementUrl - the chosen publish-settings subscription's, when there is one
 * @throws UsageError for a `--cloud` value that names no cloud
 */
export function serviceEndpoints(
  azure: AzureOptions,
  env: Deps['env'],
  serviceManagementUrl?: string,
): ServiceEndpoints {
  const cloud = resolveCloud(azure.cloud, serviceManagementUrl);
  return {
    cloud,
    arm: trimSlashes(azure.armEndpoint ?? cloud.armEndpoint),
    login: trimSlashes(authorityHostFor(cloud, env)),
    classic: azure.endpoint ?? serviceManagementUrl ?? cloud.serviceManagementUrl,
    blob: (account) => trimSlashes(blobEndpoint(account, env, cloud)),
  };
}
