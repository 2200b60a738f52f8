/**
 * After the import: compare every blob the drive manifests promise with the container, and
 * list the container for blobs nobody promised.
 *
 * Per blob (the manifests are streamed, a few blobs checked at a time):
 * - a block blob must exist as a block blob of the manifest's length, committed from exactly
 *   the manifest's blocks (ids `MD5/<base64>` and sizes, in order): the service stages each
 *   block under the manifest's id and checks its MD5 (reference/azure-importexport.md §2.1);
 * - a page blob must exist as a page blob of the manifest's length whose written pages are
 *   exactly the manifest's page ranges (all-zero pages are left out on both sides);
 * - with `read`, every block / page range is downloaded and its MD5 compared with the manifest
 *   (this reads the whole import back: egress is billed).
 */
import { createHash } from 'node:crypto';
import type { ContainerClient, RestError } from '@azure/storage-blob';
import { CHUNK } from '../../engine/copyChunk.ts';
import type { ManifestEntry, ManifestRange } from '../../engine/readManifest.ts';
import { storageError } from '../../storage/preflight.ts';

/** The blobs one drive's manifest promises. */
export interface ExpectedDrive {
  driveId: string;
  blobs: AsyncIterable<ManifestEntry>;
}

/** What is wrong with one blob. */
export type ImportProblem = 'type' | 'length' | 'blocks' | 'pages' | 'content';

/** A blob that is not what its manifest promised. */
export interface BlobDifference {
  /** Blob name inside the container. */
  name: string;
  /** `FilePath` of the manifest (`\session\...`): the file on the drive. */
  file: string;
  driveId: string;
  problem: ImportProblem;
  /** Byte offset of the first differing block / page range. */
  offset?: number;
  expected?: string | number;
  actual?: string | number;
}

/** A promised blob that is not in the container. */
export interface MissingBlob {
  name: string;
  file: string;
  length: number;
  driveId: string;
}

/** The comparison. */
export interface VerifyImportReport {
  container: string;
  prefix?: string;
  /** Blobs the manifests promise. */
  expected: number;
  /** Blobs that match. */
  matching: number;
  /** Bytes downloaded and hashed (`read`). */
  readBytes: number;
  missing: MissingBlob[];
  extra: { name: string; length: number }[];
  different: BlobDifference[];
}

/** Options of {@link verifyImportedBlobs}. */
export interface VerifyImportOptions {
  account: string;
  prefix?: string;
  /** Download every range and compare its MD5. */
  read?: boolean;
  /** Blobs checked at once (default 8). */
  concurrency?: number;
  /** After each blob: blobs and bytes done so far. */
  onProgress?: (blobs: number, bytes: number) => void;
}

/** Names of blobs the service itself writes (copy logs, manifest backups), never "extra". */
const SERVICE_PREFIXES = ['waimportexport/', 'waies/', 'databoxcopylog/'];

/** Blob name inside the container for a manifest `BlobPath` (`container/name`). */
function blobName(blobPath: string, container: string): string {
  const p = blobPath.replace(/^\/+/, '');
  return p.startsWith(`${container}/`) ? p.slice(container.length + 1) : p;
}

/** `[start, end)` intervals, sorted and with touching ones merged. */
function union(
  ranges: readonly { start: number; end: number }[],
): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

const show = (r: { start: number; end: number } | undefined): string =>
  r ? `${r.start}-${r.end - 1}` : 'none';

function statusOf(err: unknown): number | undefined {
  return (err as RestError).statusCode;
}

/** Checks one blob; the difference found, 'missing', or undefined when it matches. */
async function checkBlob(
  client: ContainerClient,
  name: string,
  e: ManifestEntry,
  read: boolean,
  counted: (bytes: number) => void,
): Promise<Omit<BlobDifference, 'name' | 'file' | 'driveId'> | 'missing' | undefined> {
  let length: number | undefined;
  try {
    if (e.kind === 'block') {
      const list = await client.getBlockBlobClient(name).getBlockList('committed');
      length = list.blobContentLength;
      if (length !== e.length)
        return { problem: 'length', expected: e.length, actual: length ?? 0 };
      const blocks = list.committedBlocks ?? [];
      for (let i = 0; i < Math.max(blocks.length, e.ranges.length); i++) {
        const want = e.ranges[i];
        const got = blocks[i];
        if (want?.id !== got?.name || want?.length !== got?.size) {
          return {
            problem: 'blocks',
            offset: want?.offset ?? e.length,
            expected: want
              ? `block ${i} ${want.id} (${want.length} bytes)`
              : `${e.ranges.length} blocks`,
            actual: got ? `${got.name} (${got.size} bytes)` : `${blocks.length} blocks`,
          };
        }
      }
    } else {
      const page = client.getPageBlobClient(name);
      length = (await page.getProperties()).contentLength;
      if (length !== e.length)
        return { problem: 'length', expected: e.length, actual: length ?? 0 };
      const have: { start: number; end: number }[] = [];
      for await (const r of page.listPageRanges())
        if (!r.isClear) have.push({ start: r.start, end: r.end + 1 });
      const got = union(have);
      const want = union(e.ranges.map((r) => ({ start: r.offset, end: r.offset + r.length })));
      for (let i = 0; i < Math.max(got.length, want.length); i++) {
        if (got[i]?.start !== want[i]?.start || got[i]?.end !== want[i]?.end) {
          return {
            problem: 'pages',
            offset: Math.min(got[i]?.start ?? Infinity, want[i]?.start ?? Infinity),
            expected: show(want[i]),
            actual: show(got[i]),
          };
        }
      }
    }
  } catch (err) {
    if (statusOf(err) === 404) return 'missing';
    // The other kind of blob under that name: the service refuses the call (409 InvalidBlobType).
    if (statusOf(err) === 409 || statusOf(err) === 400)
      return { problem: 'type', expected: `${e.kind} blob`, actual: `not a ${e.kind} blob` };
    throw err;
  }
  if (read) {
    const blob = client.getBlobClient(name);
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const r of e.ranges) {
      // Read back from the staging location: never trusted to size a buffer.
      if (r.length > CHUNK || r.length < 0)
        return {
          problem: 'content',
          offset: r.offset,
          expected: `≤ ${CHUNK} bytes`,
          actual: r.length,
        };
      const actual = await rangeMd5(blob, buf, r);
      counted(r.length);
      if (actual !== r.hash.toUpperCase())
        return { problem: 'content', offset: r.offset, expected: r.hash, actual };
    }
  }
  return undefined;
}

async function rangeMd5(
  blob: ReturnType<ContainerClient['getBlobClient']>,
  buf: Buffer,
  r: ManifestRange,
): Promise<string> {
  if (r.length === 0) return createHash('md5').digest('hex').toUpperCase();
  const data = await blob.downloadToBuffer(buf, r.offset, r.length);
  return createHash('md5').update(data.subarray(0, r.length)).digest('hex').toUpperCase();
}

/** Compares the container with the blobs the drives' manifests promise. */
export async function verifyImportedBlobs(
  client: ContainerClient,
  drives: Iterable<ExpectedDrive> | AsyncIterable<ExpectedDrive>,
  options: VerifyImportOptions,
): Promise<VerifyImportReport> {
  const container = client.containerName;
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : undefined;
  const report: VerifyImportReport = {
    container,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    expected: 0,
    matching: 0,
    readBytes: 0,
    missing: [],
    extra: [],
    different: [],
  };
  const promised = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let done = 0;
  const counted = (bytes: number): void => {
    report.readBytes += bytes;
  };
  const check = async (driveId: string, e: ManifestEntry): Promise<void> => {
    const name = blobName(e.blobPath, container);
    const r = await checkBlob(client, name, e, options.read === true, counted);
    if (r === 'missing') report.missing.push({ name, file: e.filePath, length: e.length, driveId });
    else if (r) report.different.push({ name, file: e.filePath, driveId, ...r });
    else report.matching++;
    options.onProgress?.(++done, report.readBytes);
  };
  try {
    for await (const drive of drives) {
      for await (const e of drive.blobs) {
        if (failure !== undefined) break;
        report.expected++;
        promised.add(blobName(e.blobPath, container));
        const p: Promise<void> = check(drive.driveId, e)
          .catch((err: unknown) => {
            failure ??= err;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= (options.concurrency ?? 8)) await Promise.race(inFlight);
      }
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failure !== undefined) throw storageError(failure, options.account, container);
  try {
    for await (const b of client.listBlobsFlat(prefix ? { prefix } : {})) {
      if (SERVICE_PREFIXES.some((p) => b.name.startsWith(p)) || promised.has(b.name)) continue;
      report.extra.push({ name: b.name, length: b.properties.contentLength ?? 0 });
    }
  } catch (err) {
    throw storageError(err, options.account, container);
  }
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  report.missing.sort(byName);
  report.different.sort(byName);
  return report;
}
