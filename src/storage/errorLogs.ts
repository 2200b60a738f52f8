/**
 * The service's copy logs (`<DriveLog Version="2014-11-01">`, reference/azure-importexport.md
 * §2.4): fetched for drives that did not complete cleanly and summarised as the drive status plus
 * the blobs that failed and why.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Deps } from '../deps/types.ts';
import { blobClient, type StorageCredential, type StorageNetwork } from './client.ts';

/** A summary of one drive's error log. */
export interface DriveLogSummary {
  driveId?: string;
  /** Drive status code (`Completed`, `CompletedWithErrors`, `BitLockerKeyInvalid`...). */
  status?: string;
  /** Blobs whose status is not Completed, with their status. */
  failedBlobs: { blobPath: string; status: string; filePath?: string }[];
  blobCount: number;
}

/** Summarises the text of a DriveLog XML. */
export function summarizeDriveLog(xml: string): DriveLogSummary {
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (n) => n === 'Blob',
  });
  const doc = parser.parse(xml) as {
    DriveLog?: { DriveId?: string; Status?: string; Blob?: Record<string, unknown>[] };
  };
  const log = doc.DriveLog ?? {};
  const blobs = log.Blob ?? [];
  const failedBlobs = blobs
    .filter((b) => b['@_Status'] !== undefined && b['@_Status'] !== 'Completed')
    .map((b) => ({
      blobPath: (b.BlobPath as string | undefined) ?? '',
      status: b['@_Status'] as string,
      ...(b.FilePath ? { filePath: b.FilePath as string } : {}),
    }));
  return {
    ...(log.DriveId !== undefined ? { driveId: String(log.DriveId) } : {}),
    ...(log.Status !== undefined ? { status: String(log.Status) } : {}),
    failedBlobs,
    blobCount: blobs.length,
  };
}

/** Downloads a log blob by URL with the job's storage credential (key or SAS). */
export async function fetchLogBlob(
  url: string,
  account: string,
  credential: StorageCredential | undefined,
  redactor: Deps['redactor'],
  network?: StorageNetwork,
): Promise<string> {
  const buf = await blobClient(url, account, credential, redactor, network).downloadToBuffer();
  return buf.toString('utf8');
}
