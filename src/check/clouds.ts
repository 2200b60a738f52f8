/**
 * The endpoints check needs per cloud (a small copy of src/publishsettings' cloud table, which
 * replaces it at merge): classic Service Management, ARM, the Entra login host and the blob
 * suffix.
 */

/** One cloud's endpoints (base URLs without a trailing slash). */
export interface CloudEndpoints {
  name: string;
  asm: string;
  arm: string;
  login: string;
  blobSuffix: string;
}

/** The clouds `--cloud` names. */
export const CLOUDS: Record<string, CloudEndpoints> = {
  public: {
    name: 'AzureCloud',
    asm: 'https://management.core.windows.net',
    arm: 'https://management.azure.com',
    login: 'https://login.microsoftonline.com',
    blobSuffix: 'blob.core.windows.net',
  },
  usgov: {
    name: 'AzureUSGovernment',
    asm: 'https://management.core.usgovcloudapi.net',
    arm: 'https://management.usgovcloudapi.net',
    login: 'https://login.microsoftonline.us',
    blobSuffix: 'blob.core.usgovcloudapi.net',
  },
  china: {
    name: 'AzureChinaCloud',
    asm: 'https://management.core.chinacloudapi.cn',
    arm: 'https://management.chinacloudapi.cn',
    login: 'https://login.chinacloudapi.cn',
    blobSuffix: 'blob.core.chinacloudapi.cn',
  },
  germany: {
    name: 'AzureGermanCloud',
    asm: 'https://management.core.cloudapi.de',
    arm: 'https://management.microsoftazure.de',
    login: 'https://login.microsoftonline.de',
    blobSuffix: 'blob.core.cloudapi.de',
  },
};

/** The cloud a ServiceManagementUrl belongs to (public when unknown). */
export function cloudOfServiceManagementUrl(url: string): string {
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      return '';
    }
  })();
  for (const [key, c] of Object.entries(CLOUDS)) if (new URL(c.asm).hostname === host) return key;
  return 'public';
}
