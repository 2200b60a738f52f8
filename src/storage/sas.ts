/**
 * Container SAS for an import: the Import/Export service writes blobs (w), reads them back (r),
 * deletes what it renames or overwrites (d), and diskprep lists (l) and creates (c) and adds (a)
 * for preflight and verify-import. `sv` must be at least 2014-02-14 (it is the SDK's current).
 */
import {
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import type { Deps } from '../deps/types.ts';

/** The permissions an import needs: read, add, create, write, delete, list. */
export const IMPORT_SAS_PERMISSIONS = 'racwdl';

/** Options of {@link importContainerSas}. */
export interface ImportSasOptions {
  account: string;
  accountKey: string;
  container: string;
  /** Start time (a few minutes in the past absorbs clock skew). */
  now: Date;
  /** How long the SAS lives (default 90 days: shipping plus processing). */
  validDays?: number;
  /** Allow plain http (emulators only). */
  allowHttp?: boolean;
}

/** A container SAS query string (no leading `?`), registered with the redactor. */
export function importContainerSas(options: ImportSasOptions, redactor: Deps['redactor']): string {
  redactor.add(options.accountKey);
  const startsOn = new Date(options.now.getTime() - 15 * 60_000);
  const expiresOn = new Date(options.now.getTime() + (options.validDays ?? 90) * 86_400_000);
  const sas = generateBlobSASQueryParameters(
    {
      containerName: options.container,
      permissions: ContainerSASPermissions.parse(IMPORT_SAS_PERMISSIONS),
      startsOn,
      expiresOn,
      protocol: options.allowHttp ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
    },
    new StorageSharedKeyCredential(options.account, options.accountKey),
  ).toString();
  redactor.add(sas);
  return sas;
}
