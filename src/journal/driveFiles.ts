/**
 * The per-drive files of a job's journal besides copy-state.json: the committed `<Blob>`
 * elements of each drive (`drive-<n>.blobs.xml`, the body of its manifest) and each drive's
 * drive-info XML (`<DriveID>.xml`, uploaded for offline jobs). The engine and the offline
 * service produce the XML; the journal owns where it goes and how it is written.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { blobsPath, driveInfoFileName } from './copyState.ts';

/**
 * Opens drive `index`'s blob list for appending, cut back to the `recordedBytes` copy-state
 * records: bytes after that were written by a run that stopped before its commit.
 */
export async function openBlobList(
  staging: string,
  job: string,
  index: number,
  recordedBytes: number,
): Promise<fsp.FileHandle> {
  const fh = await fsp.open(blobsPath(staging, job, index), 'a');
  await fh.truncate(recordedBytes);
  await fh.datasync();
  return fh;
}

/**
 * Writes a drive's drive-info XML into the journal folder `dir` (atomically, mode 0600: it
 * holds the BitLocker key) and returns its path. With `keepExisting`, a file already there is
 * left as it is.
 */
export async function writeDriveInfo(
  fs: Deps['fs'],
  dir: string,
  driveId: string,
  xml: string,
  opts: { keepExisting?: boolean } = {},
): Promise<string> {
  const file = path.join(dir, driveInfoFileName(driveId));
  if (opts.keepExisting) {
    const exists = await fs.stat(file).then(
      () => true,
      () => false,
    );
    if (exists) return file;
  }
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(fs, file, xml, { mode: 0o600 });
  return file;
}
