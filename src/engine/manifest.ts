/**
 * The drive manifest (`DriveManifest Version="2014-11-01"`, reference/azure-importexport.md
 * §2.1) and the drive-info XML. A manifest is assembled as a stream: the header, then each
 * blob's `<Blob>` element in copy order (kept in the journal as they are committed), then the
 * footer; its MD5 (uppercase hex) is the manifest hash. Memory stays constant whatever the
 * number of files.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from '../fsutil/atomicWrite.ts';
import type { Disposition, ServiceKind } from '../model/job.ts';
import type { HashedRange } from './hashChunk.ts';
import { MANIFEST_NAME } from '../model/names.ts';
import { escapeXml } from './xml.ts';

/**
 * The credential the service uses to write the blobs: a storage account key, or the container
 * SAS in the service's form `<container>?<token>` (src/model/containerSas.ts).
 */
export type ManifestCredential = { storageAccountKey: string } | { containerSas: string };

/**
 * Whether the drive manifest of a job of `service` carries `<StorageAccountKey>` or
 * `<ContainerSas>`. Only the classic service reads one: its Put Job takes the same credential
 * (reference/azure-importexport.md §3.2), and the 2014-11-01 manifest format asks for a key or a
 * SAS. The services created through Azure Resource Manager are given the account by the job
 * itself and read neither:
 * - Microsoft.DataBox (databox-2025-07-01.json): `DataBoxCustomerDiskJobDetails` names the
 *   account in `dataImportDetails[].accountDetails` (`StorageAccountDetails.storageAccountId`,
 *   an ARM id the job's creator must have rights on), and each disk of
 *   `importDiskDetailsCollection` (`ImportDiskDetails`) has only `manifestFile`, `manifestHash`
 *   and `bitLockerKey`; no definition holds an account key or a SAS.
 * - Microsoft.ImportExport (storageimportexport-2020-08-01.json): `JobDetails.storageAccountId`,
 *   `DriveStatus` without a credential either.
 * - Microsoft's own preparation for these jobs ("Tutorial: Import data to Blob Storage with
 *   Azure Import/Export service", step 1; reference/databox-customer-disk.md §10) runs
 *   `WAImportExport PrepImport ... /bk: /srcdir: /dstdir: /blobtype: /skipwrite` with neither
 *   `/sk:` nor `/csas:`, so the manifests it writes carry no credential.
 * An offline job is created later in the Azure portal, which since the retirement of the
 * Import/Export portal makes a Data Box customer-disk job: no credential either. A key that is
 * not needed is only a risk on a drive sent by courier.
 */
export function manifestCarriesCredential(service: ServiceKind): boolean {
  return service === 'classic';
}

/** One blob of a manifest. */
export interface ManifestBlob {
  /** `container/prefix/relative/path`. */
  blobPath: string;
  /** `\session\relative\path`, relative to the drive root. */
  filePath: string;
  length: number;
  /** `<ImportDisposition>`: what the service does when the blob exists. */
  disposition: Disposition;
  kind: 'block' | 'page';
  /** Blocks or page ranges, in offset order. */
  ranges: readonly HashedRange[];
}

/**
 * The `<Blob>` element of one file. Its children keep the format's order: BlobPath, FilePath,
 * [ClientData], [Snapshot], Length, [ImportDisposition], PageRangeList | BlockList,
 * [MetadataPath], [PropertiesPath] (src/engine/manifestRules.ts checks it).
 */
export function blobXml(blob: ManifestBlob): string {
  const lines = [
    '      <Blob>',
    `        <BlobPath>${escapeXml(blob.blobPath)}</BlobPath>`,
    `        <FilePath>${escapeXml(blob.filePath)}</FilePath>`,
    `        <Length>${blob.length}</Length>`,
    `        <ImportDisposition>${blob.disposition}</ImportDisposition>`,
  ];
  if (blob.kind === 'page') {
    lines.push('        <PageRangeList>');
    for (const r of blob.ranges) {
      lines.push(
        `          <PageRange Offset="${r.offset}" Length="${r.length}" Hash="${r.md5}"/>`,
      );
    }
    lines.push('        </PageRangeList>');
  } else {
    lines.push('        <BlockList>');
    for (const r of blob.ranges) {
      const id = Buffer.from(r.md5, 'hex').toString('base64');
      lines.push(
        `          <Block Offset="${r.offset}" Length="${r.length}" Id="MD5/${id}" Hash="${r.md5}"/>`,
      );
    }
    lines.push('        </BlockList>');
  }
  lines.push('      </Blob>', '');
  return lines.join('\n');
}

/** Bytes a file adds to a manifest, estimated from above (for free-space planning). */
export function blobXmlEstimate(relPathBytes: number, length: number): number {
  return 3 * relPathBytes + 450 + Math.ceil(length / (4 * 1024 * 1024)) * 140;
}

/** Everything of a manifest before its first blob; no credential element without a credential. */
export function manifestHeader(opts: {
  driveId: string;
  credential: ManifestCredential | undefined;
  clientCreator: string;
}): string {
  const cred =
    opts.credential === undefined
      ? []
      : 'storageAccountKey' in opts.credential
        ? [
            `    <StorageAccountKey>${escapeXml(opts.credential.storageAccountKey)}</StorageAccountKey>`,
          ]
        : [`    <ContainerSas>${escapeXml(opts.credential.containerSas)}</ContainerSas>`];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<DriveManifest Version="2014-11-01">',
    '  <Drive>',
    `    <DriveId>${escapeXml(opts.driveId)}</DriveId>`,
    ...cred,
    `    <ClientCreator>${escapeXml(opts.clientCreator)}</ClientCreator>`,
    '    <BlobList>',
    '',
  ].join('\n');
}

/** Everything of a manifest after its last blob. */
export const MANIFEST_FOOTER = '    </BlobList>\n  </Drive>\n</DriveManifest>\n';

/** What a drive manifest is assembled from: its header, the journal's blob file and how much of it counts. */
export interface ManifestParts {
  header: string;
  blobsFile: string;
  /** Committed length of `blobsFile` (the rest is an unrecorded batch and never counts). */
  blobsBytes: number;
}

/**
 * The bytes of a drive manifest, in order: the header, the first `blobsBytes` bytes of the
 * journal's blob file, the footer. The one code path that assembles a manifest: the engine
 * writes it to the drive ({@link writeDriveManifest}); `verify` and `verify-import` rebuild the
 * blob list from the journal with it. A chunk is only valid until the next one is requested
 * (the read buffer is reused).
 */
export async function* manifestBytes(parts: ManifestParts): AsyncGenerator<Buffer> {
  yield Buffer.from(parts.header, 'utf8');
  if (parts.blobsBytes > 0) {
    const src = await fsp.open(parts.blobsFile, 'r');
    try {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      for (let at = 0; at < parts.blobsBytes;) {
        const want = Math.min(buf.length, parts.blobsBytes - at);
        const { bytesRead } = await src.read(buf, 0, want, at);
        if (bytesRead === 0)
          throw new Error(`journal file ${parts.blobsFile} is shorter than recorded`);
        yield buf.subarray(0, bytesRead);
        at += bytesRead;
      }
    } finally {
      await src.close();
    }
  }
  yield Buffer.from(MANIFEST_FOOTER, 'utf8');
}

/**
 * Writes `<target>/DriveManifest.xml` from {@link manifestBytes} through a temporary name +
 * fsync + rename. Returns its MD5 (uppercase hex).
 */
export async function writeDriveManifest(
  opts: ManifestParts & { target: string },
): Promise<string> {
  const final = path.join(opts.target, MANIFEST_NAME);
  const tmp = path.join(opts.target, `~dp-manifest.part`);
  const md5 = createHash('md5');
  const out = await fsp.open(tmp, 'w', 0o644);
  try {
    let pos = 0;
    for await (const data of manifestBytes(opts)) {
      md5.update(data);
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await out.write(data, off, data.length - off, pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    }
    await out.sync();
  } catch (err) {
    await out.close();
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await out.close();
  await fsp.rename(tmp, final);
  await syncDir(fsp, opts.target);
  return md5.digest('hex').toUpperCase();
}

/** The drive-info XML a person uploads in the portal when no API call is made. */
export function driveInfoXml(d: {
  driveId: string;
  bitLockerKey: string;
  manifestFile: string;
  manifestHash: string;
}): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Drive>',
    `  <DriveId>${escapeXml(d.driveId)}</DriveId>`,
    `  <BitLockerKey>${escapeXml(d.bitLockerKey)}</BitLockerKey>`,
    `  <ManifestFile>${escapeXml(d.manifestFile)}</ManifestFile>`,
    `  <ManifestHash>${escapeXml(d.manifestHash)}</ManifestHash>`,
    '</Drive>',
    '',
  ].join('\n');
}
