/**
 * Azure clouds: the endpoints each one uses. Sovereign clouds follow the publish settings'
 * ServiceManagementUrl or `--cloud`. (A small table of our own; the lead unifies it with the
 * publish-settings parser's.)
 */
import { UsageError } from '../errors.ts';

/** Endpoints of one Azure cloud. */
export interface Cloud {
  name: CloudName;
  /** Classic Service Management (ASM). */
  serviceManagementUrl: string;
  /** Azure Resource Manager. */
  armUrl: string;
  /** Entra ID authority host. */
  authorityHost: string;
  /** OAuth scope for ARM tokens. */
  armScope: string;
  /** Blob endpoint suffix: `<account>.blob.<suffix>`. */
  storageSuffix: string;
}

export const CLOUD_NAMES = ['public', 'usgov', 'china', 'germany'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

/** The table (sources: reference/azure-importexport.md §4.3). */
export const CLOUDS: Readonly<Record<CloudName, Cloud>> = {
  public: {
    name: 'public',
    serviceManagementUrl: 'https://management.core.windows.net/',
    armUrl: 'https://management.azure.com/',
    authorityHost: 'https://login.microsoftonline.com',
    armScope: 'https://management.azure.com/.default',
    storageSuffix: 'core.windows.net',
  },
  usgov: {
    name: 'usgov',
    serviceManagementUrl: 'https://management.core.usgovcloudapi.net/',
    armUrl: 'https://management.usgovcloudapi.net/',
    authorityHost: 'https://login.microsoftonline.us',
    armScope: 'https://management.usgovcloudapi.net/.default',
    storageSuffix: 'core.usgovcloudapi.net',
  },
  china: {
    name: 'china',
    serviceManagementUrl: 'https://management.core.chinacloudapi.cn/',
    armUrl: 'https://management.chinacloudapi.cn/',
    authorityHost: 'https://login.chinacloudapi.cn',
    armScope: 'https://management.chinacloudapi.cn/.default',
    storageSuffix: 'core.chinacloudapi.cn',
  },
  germany: {
    name: 'germany',
    serviceManagementUrl: 'https://management.core.cloudapi.de/',
    armUrl: 'https://management.microsoftazure.de/',
    authorityHost: 'https://login.microsoftonline.de',
    armScope: 'https://management.microsoftazure.de/.default',
    storageSuffix: 'core.cloudapi.de',
  },
};

/** The cloud named by `--cloud` (default public). */
export function cloudByName(name: string | undefined): Cloud {
  if (name === undefined) return CLOUDS.public;
  const c = (CLOUDS as Record<string, Cloud | undefined>)[name];
  if (!c)
    throw new UsageError(`unknown cloud "${name}"`, {
      hint: `use one of ${CLOUD_NAMES.join(', ')}`,
    });
  return c;
}

/** The cloud whose Service Management host a publish-settings URL names (public when unknown). */
export function cloudFromServiceManagementUrl(url: string): Cloud {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase();
  } catch {
    return CLOUDS.public;
  }
  for (const c of Object.values(CLOUDS)) {
    if (new URL(c.serviceManagementUrl).host === host) return c;
  }
  if (host.endsWith('usgovcloudapi.net')) return CLOUDS.usgov;
  if (host.endsWith('chinacloudapi.cn')) return CLOUDS.china;
  if (host.endsWith('cloudapi.de')) return CLOUDS.germany;
  return CLOUDS.public;
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
