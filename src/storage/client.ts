/**
 * Access to the import's storage account with @azure/storage-blob: from an account key or a
 * container SAS. The blob endpoint is `https://<account>.blob.<cloud suffix>`; a private cloud or
 * a local emulator (Azurite) is reached with `DISKPREP_BLOB_ENDPOINT`
 * (e.g. `http://127.0.0.1:10000/devstoreaccount1`).
 */
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { CLOUDS, type Cloud } from '../importjob/clouds.ts';

/** Names the environment variable that overrides the blob endpoint. */
export const BLOB_ENDPOINT_ENV = 'DISKPREP_BLOB_ENDPOINT';

/** How to reach a container. */
export interface ContainerTarget {
  account: string;
  container: string;
  credential: { accountKey: string } | { sas: string };
  /** Default: from `cloud` (public). */
  blobEndpoint?: string;
  cloud?: Cloud;
}

/** The account's blob endpoint, without a trailing slash. */
export function blobEndpoint(
  account: string,
  env: Deps['env'],
  cloud: Cloud = CLOUDS.public,
): string {
  const override = env[BLOB_ENDPOINT_ENV];
  if (override) return override.replace(/\/+$/, '');
  return `https://${account}.blob.${cloud.storageSuffix}`;
}

/** Builds a ContainerClient; registers the credential with the redactor. */
export function containerClient(
  target: ContainerTarget,
  redactor: Deps['redactor'],
): ContainerClient {
  const base = (
    target.blobEndpoint ??
    `https://${target.account}.blob.${(target.cloud ?? CLOUDS.public).storageSuffix}`
  ).replace(/\/+$/, '');
  const url = `${base}/${encodeURIComponent(target.container)}`;
  if ('accountKey' in target.credential) {
    redactor.add(target.credential.accountKey);
    let cred: StorageSharedKeyCredential;
    try {
      cred = new StorageSharedKeyCredential(target.account, target.credential.accountKey);
    } catch {
      throw new UsageError(`the storage account key of ${target.account} is not valid base64`, {
        hint: 'copy key1 or key2 from the storage account\'s "Access keys" page',
      });
    }
    return new ContainerClient(url, cred);
  }
  const sas = target.credential.sas.replace(/^[^?]*\?/, '').replace(/^\?/, '');
  redactor.add(sas);
  return new ContainerClient(`${url}?${sas}`);
}
