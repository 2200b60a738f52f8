/**
 * Access to the import's storage account with @azure/storage-blob: from an account key or a
 * container SAS. The blob endpoint is `https://<account>.blob.<cloud suffix>`; a private cloud or
 * a local emulator (Azurite) is reached with `DISKPREP_BLOB_ENDPOINT`
 * (e.g. `http://127.0.0.1:10000/devstoreaccount1`).
 *
 * The SDK runs its own HTTP pipeline, not the http seam, so the seam's network settings are
 * handed to it here: the proxy as `proxyOptions` (decided by the rules of src/deps/proxy.ts), and
 * the extra CAs of `--ca-file` as the `ca` TLS option of every request (the SDK passes it to
 * Node's https.request, also inside a CONNECT tunnel), on top of Node's own trusted roots.
 */
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import {
  AnonymousCredential,
  BlobClient,
  ContainerClient,
  Pipeline,
  type RequestPolicyFactory,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { azureSdkProxyOptions } from '../deps/proxy.ts';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { CA_FILE, readBoundedFile } from '../fsutil/readBoundedFile.ts';
import { CLOUDS, type Cloud } from '../publishsettings/clouds.ts';
import type { JobSecrets } from '../model/job.ts';

/** Names the environment variable that overrides the blob endpoint. */
export const BLOB_ENDPOINT_ENV = 'DISKPREP_BLOB_ENDPOINT';

/** A storage credential: the account key or a SAS (query string, with or without `?`). */
export type StorageCredential = { accountKey: string } | { sas: string };

/** How SDK calls reach the service: the same settings the http seam applies. */
export interface StorageNetwork {
  /** `--proxy` (else HTTPS_PROXY / HTTP_PROXY / NO_PROXY from `env`). */
  proxy?: string;
  env: Deps['env'];
  /** PEM text of `--ca-file`: CAs trusted besides the system ones. */
  ca?: string;
}

/**
 * The network settings of a run for SDK clients: `--proxy`, the environment and the PEM of
 * `--ca-file` (resolved against the working directory).
 *
 * @throws UsageError when the CA file cannot be read
 */
export async function storageNetwork(
  deps: Pick<Deps, 'fs' | 'env' | 'cwd'>,
  options: { proxy?: string; caFile?: string },
): Promise<StorageNetwork> {
  let ca: string | undefined;
  if (options.caFile) {
    const bytes = await readBoundedFile(deps.fs, path.resolve(deps.cwd, options.caFile), CA_FILE);
    if (!bytes)
      throw new UsageError(`--ca-file ${options.caFile} not found`, { hint: CA_FILE.hint });
    ca = bytes.toString('utf8');
  }
  return {
    env: deps.env,
    ...(options.proxy ? { proxy: options.proxy } : {}),
    ...(ca ? { ca } : {}),
  };
}

/** How to reach a container. */
export interface ContainerTarget {
  account: string;
  container: string;
  credential: StorageCredential;
  /** Default: from `cloud` (public). */
  blobEndpoint?: string;
  cloud?: Cloud;
}

/** The credential for @azure/storage-blob out of a job's secrets, or undefined when it has none. */
export function storageCredential(secrets: JobSecrets): StorageCredential | undefined {
  if (secrets.storageAccountKey) return { accountKey: secrets.storageAccountKey };
  if (secrets.containerSas) return { sas: secrets.containerSas };
  return undefined;
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

/** A request policy that adds the extra CAs to the TLS options of every request. */
function trustCaPolicy(ca: string): RequestPolicyFactory {
  const trusted = [...rootCertificates, ca];
  return {
    create: (next) => ({
      sendRequest: (request) => {
        request.requestOverrides = { ...request.requestOverrides, ca: trusted };
        return next.sendRequest(request);
      },
    }),
  };
}

/** The SDK pipeline for calls to `url`: the credential, the proxy and the extra CAs. */
function pipelineFor(
  url: string,
  credential: StorageSharedKeyCredential | AnonymousCredential,
  network: StorageNetwork | undefined,
): Pipeline {
  const options: StoragePipelineOptions = {};
  if (network) {
    const proxyOptions = azureSdkProxyOptions(url, { proxy: network.proxy, env: network.env });
    if (proxyOptions) options.proxyOptions = proxyOptions;
  }
  return new Pipeline([credential, ...(network?.ca ? [trustCaPolicy(network.ca)] : [])], options);
}

function sharedKey(account: string, key: string, redactor: Deps['redactor']) {
  redactor.add(key);
  try {
    return new StorageSharedKeyCredential(account, key);
  } catch {
    throw new UsageError(`the storage account key of ${account} is not valid base64`, {
      hint: 'copy key1 or key2 from the storage account\'s "Access keys" page',
    });
  }
}

/** The SAS query string alone (what follows `?`); registered with the redactor. */
function sasQuery(sas: string, redactor: Deps['redactor']): string {
  const q = sas.replace(/^[^?]*\?/, '').replace(/^\?/, '');
  redactor.add(q);
  return q;
}

/** Builds a ContainerClient; registers the credential with the redactor. */
export function containerClient(
  target: ContainerTarget,
  redactor: Deps['redactor'],
  network?: StorageNetwork,
): ContainerClient {
  const base = (
    target.blobEndpoint ??
    `https://${target.account}.blob.${(target.cloud ?? CLOUDS.public).storageSuffix}`
  ).replace(/\/+$/, '');
  const url = `${base}/${encodeURIComponent(target.container)}`;
  if ('accountKey' in target.credential) {
    const cred = sharedKey(target.account, target.credential.accountKey, redactor);
    return new ContainerClient(url, pipelineFor(url, cred, network));
  }
  const withSas = `${url}?${sasQuery(target.credential.sas, redactor)}`;
  return new ContainerClient(withSas, pipelineFor(url, new AnonymousCredential(), network));
}

/**
 * Builds a BlobClient for a blob URL (a log the service wrote) with the job's credential; a URL
 * that carries its own SAS (`sig=`) is used as it is.
 */
export function blobClient(
  url: string,
  account: string,
  credential: StorageCredential | undefined,
  redactor: Deps['redactor'],
  network?: StorageNetwork,
): BlobClient {
  if (credential && 'accountKey' in credential) {
    const cred = sharedKey(account, credential.accountKey, redactor);
    return new BlobClient(url, pipelineFor(url, cred, network));
  }
  const full =
    credential && 'sas' in credential && !url.includes('sig=')
      ? `${url}${url.includes('?') ? '&' : '?'}${sasQuery(credential.sas, redactor)}`
      : url;
  return new BlobClient(full, pipelineFor(url, new AnonymousCredential(), network));
}
