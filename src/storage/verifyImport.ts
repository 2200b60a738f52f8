/**
 * After the import: list the container (under the job's prefix) and compare every blob with the
 * drive manifests: missing, extra, and different (length, or Content-MD5 where both sides have
 * one).
 */
import type { ContainerClient } from '@azure/storage-blob';
import { storageError } from './preflight.ts';
import type { ExpectedBlob } from './manifests.ts';

/** A blob that is not what the manifest promised. */
export interface BlobDifference {
  name: string;
  expectedLength: number;
  actualLength: number;
  expectedMd5?: string;
  actualMd5?: string;
  driveId: string;
}

/** The comparison. */
export interface VerifyImportReport {
  container: string;
  prefix?: string;
  checked: number;
  matching: number;
  missing: { name: string; length: number; driveId: string }[];
  extra: { name: string; length: number }[];
  different: BlobDifference[];
}

/** Names of blobs the service itself writes (copy logs, manifest backups), never "extra". */
const SERVICE_PREFIXES = ['waimportexport/', 'waies/', 'databoxcopylog/'];

/** Blob name inside the container for a manifest `BlobPath` (`container/name`). */
function blobName(blobPath: string, container: string): string {
  const p = blobPath.replace(/^\/+/, '');
  return p.startsWith(`${container}/`) ? p.slice(container.length + 1) : p;
}

/** Compares the container with the expected blobs. */
export async function verifyImportedBlobs(
  client: ContainerClient,
  expected: readonly ExpectedBlob[],
  options: { account: string; prefix?: string },
): Promise<VerifyImportReport> {
  const container = client.containerName;
  const want = new Map<string, ExpectedBlob>();
  for (const e of expected) want.set(blobName(e.blobPath, container), e);
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : undefined;
  const report: VerifyImportReport = {
    container,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    checked: 0,
    matching: 0,
    missing: [],
    extra: [],
    different: [],
  };
  const seen = new Set<string>();
  try {
    for await (const b of client.listBlobsFlat(prefix ? { prefix } : {})) {
      if (SERVICE_PREFIXES.some((p) => b.name.startsWith(p))) continue;
      report.checked++;
      const actualLength = b.properties.contentLength ?? 0;
      const e = want.get(b.name);
      if (!e) {
        report.extra.push({ name: b.name, length: actualLength });
        continue;
      }
      seen.add(b.name);
      const md5 = b.properties.contentMD5
        ? Buffer.from(b.properties.contentMD5).toString('hex')
        : undefined;
      if (actualLength !== e.length || (md5 && e.md5 && md5 !== e.md5)) {
        report.different.push({
          name: b.name,
          expectedLength: e.length,
          actualLength,
          ...(e.md5 ? { expectedMd5: e.md5 } : {}),
          ...(md5 ? { actualMd5: md5 } : {}),
          driveId: e.driveId,
        });
      } else report.matching++;
    }
  } catch (err) {
    throw storageError(err, options.account, container);
  }
  for (const [name, e] of want) {
    if (!seen.has(name) && (!prefix || name.startsWith(prefix)))
      report.missing.push({ name, length: e.length, driveId: e.driveId });
  }
  report.missing.sort((a, b) => a.name.localeCompare(b.name));
  return report;
}
