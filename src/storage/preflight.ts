/**
 * Before any copy: prove the storage credentials work and the container exists (or create it),
 * so a wrong key is found in seconds, not after the drives reached the datacenter.
 */
import { type ContainerClient, type RestError } from '@azure/storage-blob';
import { AzureError } from '../errors.ts';

/** What the preflight found. */
export interface PreflightResult {
  /** The container did not exist and was created. */
  created: boolean;
  /** `StorageV2`, `BlobStorage`, `BlockBlobStorage`... when the service said. */
  accountKind?: string;
}

/** Turns a storage failure into a one-line AzureError naming the fix. */
export function storageError(err: unknown, account: string, container: string): AzureError {
  if (err instanceof AzureError) return err;
  const e = err as RestError & {
    code?: string;
    statusCode?: number;
    details?: { errorCode?: string };
  };
  const code = e.details?.errorCode ?? e.code;
  const status = e.statusCode;
  const says = (m: string, hint: string) =>
    new AzureError(m, {
      code: 'ERR_DISKPREP_STORAGE',
      status,
      hint,
      cause: err,
      details: { account, container, ...(code ? { serviceCode: code } : {}) },
    });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/.test(String(e.message)))
    return says(
      `storage account ${account} was not found`,
      'check the account name (3-24 lowercase letters and digits) and the cloud (--cloud)',
    );
  // Azure says AuthenticationFailed for a wrong key; Azurite says AuthorizationFailure.
  if (
    code === 'AuthenticationFailed' ||
    code === 'AuthorizationFailure' ||
    (status === 403 && !code?.startsWith('Authorization'))
  )
    return says(
      `storage account ${account} refused the credentials (wrong key, or an expired/invalid SAS)`,
      'copy key1/key2 from the account\'s "Access keys" page, or make a new SAS',
    );
  if (code?.startsWith('Authorization'))
    return says(
      `the SAS may not do this on ${account}/${container} (${code})`,
      'make a container SAS with permissions racwdl (diskprep makes one from the account key)',
    );
  if (code === 'ContainerNotFound')
    return says(
      `container ${container} does not exist in ${account}`,
      'create it, or let diskprep create it (needs the account key or a SAS with c)',
    );
  if (
    code === 'FeatureNotSupported' ||
    code === 'BlobTypeNotSupported' ||
    code === 'UnsupportedHttpVerb'
  )
    return says(
      `storage account ${account} cannot hold the import (${code}): NFS/premium/file-only accounts are not supported`,
      'use a general-purpose v2 (StorageV2) account with blob storage',
    );
  const text = (e.message ?? String(err)).split('\n')[0] ?? '';
  // Same test as the http seam's: a certificate Node does not trust.
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL|ERR_TLS/.test(code ?? ''))
    return says(
      `storage ${account}/${container}: the TLS handshake failed: ${text}`,
      "trust the server's CA with --ca-file <pem> (TLS-inspecting proxy, private endpoint)",
    );
  return says(
    `storage ${account}/${container}: ${text}${status ? ` (HTTP ${status})` : ''}`,
    'check the account, the container and the network',
  );
}

/** Checks credentials and container; creates the container when allowed. */
export async function storagePreflight(
  client: ContainerClient,
  options: { account: string; create: boolean },
): Promise<PreflightResult> {
  let accountKind: string | undefined;
  try {
    const info = await client.getAccountInfo();
    accountKind = info.accountKind;
  } catch {
    // A container SAS may not read account info; the container check below still proves access.
  }
  if (accountKind === 'FileStorage')
    throw new AzureError(
      `storage account ${options.account} is a FileStorage (premium files) account: it holds no blobs`,
      {
        code: 'ERR_DISKPREP_STORAGE',
        hint: 'use a general-purpose v2 (StorageV2) account',
      },
    );
  try {
    // Listing proves the credentials, the container and read + list rights at once; it also
    // works with a container SAS, which may not read container properties.
    try {
      await client.listBlobsFlat().byPage({ maxPageSize: 1 }).next();
      return { created: false, ...(accountKind ? { accountKind } : {}) };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ContainerNotFound' || !options.create) throw err;
    }
    const r = await client.createIfNotExists();
    return { created: r.succeeded, ...(accountKind ? { accountKind } : {}) };
  } catch (err) {
    throw storageError(err, options.account, client.containerName);
  }
}
