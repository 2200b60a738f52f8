/**
 * The Azure clouds diskprep knows: where each one's classic Service Management API, Azure
 * Resource Manager, Entra ID (sign-in) and storage live, and where its publish settings file is
 * downloaded. The one cloud table of diskprep: the publish settings parser maps a
 * `ServiceManagementUrl` to its cloud with it, `check`, the Azure services (src/importjob) and
 * storage (src/storage) take their endpoints from it, and `--cloud` offers its names.
 */
import { UsageError } from '../errors.ts';

/** Names accepted by `--cloud`. */
export const CLOUD_NAMES = ['public', 'usgov', 'china', 'germany'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

/** One Azure cloud's endpoints. URLs end with `/`. */
export interface Cloud {
  name: CloudName;
  /** The name Azure tools use (`AzureCloud`, `AzureUSGovernment`, ...). */
  azureName: string;
  /** Classic Service Management API (mutual TLS with the management certificate). */
  serviceManagementUrl: string;
  /** Azure Resource Manager. */
  armEndpoint: string;
  /** Entra ID (Azure AD) authority host, for @azure/identity's `authorityHost`. */
  entraEndpoint: string;
  /** OAuth scope of ARM tokens (`<ARM audience>/.default`). */
  armScope: string;
  /** Storage endpoint suffix: `<account>.blob.<suffix>`. */
  storageSuffix: string;
  /** Where an operator downloads a publish settings file for this cloud. */
  publishSettingsUrl: string;
  /** Hosts of Service Management endpoints that belong to this cloud. */
  serviceManagementHosts: readonly string[];
  /**
   * The DNS domain of this cloud's service hosts: an endpoint under it that is not in
   * {@link Cloud.serviceManagementHosts} (a regional or renamed host) still belongs to it.
   */
  domain: string;
}

/** The cloud table (reference: azure-importexport.md §4.2, §4.3). */
export const CLOUDS: Readonly<Record<CloudName, Cloud>> = {
  public: {
    name: 'public',
    azureName: 'AzureCloud',
    serviceManagementUrl: 'https://management.core.windows.net/',
    armEndpoint: 'https://management.azure.com/',
    entraEndpoint: 'https://login.microsoftonline.com/',
    armScope: 'https://management.azure.com/.default',
    storageSuffix: 'core.windows.net',
    publishSettingsUrl: 'https://manage.windowsazure.com/publishsettings',
    serviceManagementHosts: ['management.core.windows.net'],
    domain: 'windows.net',
  },
  usgov: {
    name: 'usgov',
    azureName: 'AzureUSGovernment',
    serviceManagementUrl: 'https://management.core.usgovcloudapi.net/',
    armEndpoint: 'https://management.usgovcloudapi.net/',
    entraEndpoint: 'https://login.microsoftonline.us/',
    armScope: 'https://management.usgovcloudapi.net/.default',
    storageSuffix: 'core.usgovcloudapi.net',
    publishSettingsUrl:
      'https://portal.azure.us/#blade/Microsoft_Azure_ClassicResources/PublishingProfileBlade',
    serviceManagementHosts: ['management.core.usgovcloudapi.net'],
    domain: 'usgovcloudapi.net',
  },
  china: {
    name: 'china',
    azureName: 'AzureChinaCloud',
    serviceManagementUrl: 'https://management.core.chinacloudapi.cn/',
    armEndpoint: 'https://management.chinacloudapi.cn/',
    entraEndpoint: 'https://login.chinacloudapi.cn/',
    armScope: 'https://management.chinacloudapi.cn/.default',
    storageSuffix: 'core.chinacloudapi.cn',
    publishSettingsUrl:
      'https://portal.azure.cn/#blade/Microsoft_Azure_ClassicResources/PublishingProfileBlade',
    serviceManagementHosts: ['management.core.chinacloudapi.cn'],
    domain: 'chinacloudapi.cn',
  },
  germany: {
    name: 'germany',
    azureName: 'AzureGermanCloud',
    serviceManagementUrl: 'https://management.core.cloudapi.de/',
    armEndpoint: 'https://management.microsoftazure.de/',
    entraEndpoint: 'https://login.microsoftonline.de/',
    armScope: 'https://management.microsoftazure.de/.default',
    storageSuffix: 'core.cloudapi.de',
    publishSettingsUrl: 'https://manage.microsoftazure.de/publishsettings/index',
    // One Microsoft page spells it manage.core.cloudapi.de; accept both.
    serviceManagementHosts: ['management.core.cloudapi.de', 'manage.core.cloudapi.de'],
    domain: 'cloudapi.de',
  },
};

/**
 * The cloud a Service Management URL belongs to, by host name (case-insensitive; scheme,
 * port and path ignored), or undefined for a URL of no known cloud (a test or private
 * endpoint).
 */
export function cloudForServiceManagementUrl(url: string): Cloud | undefined {
  let host: string;
  try {
    host = new URL(url.trim()).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
  return Object.values(CLOUDS).find((c) => c.serviceManagementHosts.includes(host));
}

/** The cloud of a `--cloud` value (also accepts the Azure names, e.g. `AzureUSGovernment`). */
export function cloudByName(name: string): Cloud | undefined {
  const n = name.trim().toLowerCase();
  return Object.values(CLOUDS).find((c) => c.name === n || c.azureName.toLowerCase() === n);
}

/**
 * The cloud of a run: the one `--cloud` names, else the one the publish settings' Service
 * Management endpoint belongs to (by host, then by domain), else public — a test or private
 * endpoint (`--endpoint`, a custom ServiceManagementUrl) keeps the public cloud's other
 * endpoints unless `--cloud` says otherwise.
 *
 * @throws UsageError for a `--cloud` value that names no cloud
 */
export function resolveCloud(name: string | undefined, serviceManagementUrl?: string): Cloud {
  if (name !== undefined) {
    const c = cloudByName(name);
    if (!c)
      throw new UsageError(`unknown cloud "${name}"`, {
        hint: `use one of ${CLOUD_NAMES.join(', ')}`,
      });
    return c;
  }
  if (serviceManagementUrl === undefined) return CLOUDS.public;
  const exact = cloudForServiceManagementUrl(serviceManagementUrl);
  if (exact) return exact;
  let host: string;
  try {
    host = new URL(serviceManagementUrl.trim()).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return CLOUDS.public;
  }
  return Object.values(CLOUDS).find((c) => host.endsWith(`.${c.domain}`)) ?? CLOUDS.public;
}
