/**
 * Verifies a prepared drive: re-reads every file its manifest lists and checks the length,
 * that blocks cover the file, and every block / page-range MD5; checks the manifest's own MD5
 * against the hash recorded in the job's journal (or given by the operator); and, when the
 * journal of the drive is known, compares the manifest with it: entry count, duplicate
 * FilePath / BlobPath, and files the journal committed for the drive that the manifest lacks
 * or the other way round (two runs writing one drive once produced a manifest listing files
 * twice and missing others, and every file it listed was intact).
 *
 * Reads use direct I/O where the file system takes it ({@link DriveReader}).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InterruptedError } from '../errors.ts';
import { DriveReader, MAX_RANGE } from './driveReader.ts';
import { md5Hex } from './hashChunk.ts';
import type { DriveRecord } from '../journal/copyState.ts';
import { MANIFEST_NAME } from '../model/names.ts';
import { type ManifestEntry, type ManifestStream, openManifest } from './readManifest.ts';

/** One problem found. */
export interface Mismatch {
  target: string;
  /** Path as listed in the manifest (`\session\...`), or the manifest itself. */
  file: string;
  problem:
    | 'missing'
    | 'length'
    | 'hash'
    | 'coverage'
    | 'manifest-hash'
    | 'unreadable'
    | 'duplicate-file-path'
    | 'duplicate-blob-path'
    | 'entry-count'
    | 'not-in-manifest'
    | 'not-in-journal'
    /** A rule of the manifest format (src/engine/manifestRules.ts). */
    | 'manifest-rule';
  offset?: number;
  length?: number;
  expected?: string | number;
  actual?: string | number;
}

/** The journal's view of a drive: its record and the blobs it committed. */
export interface JournalDrive {
  /** The job's journal folder (for messages). */
  journal: string;
  job: string;
  record: DriveRecord;
  /** Streams the committed blobs (the manifest as the engine assembled it). */
  open(): Promise<ManifestStream>;
}

/** The result for one drive. */
export interface DriveVerification {
  target: string;
  driveId: string;
  /** `<Blob>` entries of the manifest. */
  entries: number;
  /** Distinct files read. */
  files: number;
  bytes: number;
  /** MD5 of the manifest file as read now. */
  manifestHash: string;
  /** The hash it was checked against, when one was known. */
  expectedManifestHash: string | undefined;
  /** The journal the manifest was compared with. */
  journal: { path: string; job: string; files: number } | undefined;
  /** Reads bypassed the page cache (O_DIRECT) for every file. */
  directIo: boolean;
  mismatches: Mismatch[];
}

/** Options of {@link verifyDrive} besides the target. */
export interface VerifyDriveOptions {
  /** The journal of the drive, once its id is known (undefined: none found). */
  journal?: (driveId: string) => Promise<JournalDrive | undefined>;
  /** Stops between reads (Ctrl-C). */
  signal?: AbortSignal;
  /** Read with O_DIRECT where possible (default true). */
  direct?: boolean;
  /**
   * Format rules held in the same pass over the manifest (src/engine/manifestRules.ts), given
   * its drive id and head; their mismatches come last.
   */
  rules?: (
    driveId: string,
    head: string,
  ) => { blob(blob: ManifestEntry): void; mismatches(target: string): Mismatch[] };
}

/** MD5 (uppercase hex) of a whole file, streamed. */
export async function md5OfFile(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }))
    h.update(chunk as Buffer);
  return h.digest('hex').toUpperCase();
}

/**
 * Verifies the drive mounted at `target`. `expectedManifestHash` gives a hash the operator
 * named (undefined: the journal's, else none, and the manifest hash is only reported).
 */
export async function verifyDrive(
  target: string,
  expectedManifestHash: (driveId: string) => Promise<string | undefined>,
  onFile?: (files: number, bytes: number) => void,
  options: VerifyDriveOptions = {},
): Promise<DriveVerification> {
  const manifestPath = path.join(target, MANIFEST_NAME);
  const manifest = await openManifest(manifestPath);
  const journal = await options.journal?.(manifest.driveId);
  const rules = options.rules?.(manifest.driveId, manifest.head);
  const mismatches: Mismatch[] = [];
  const reader = new DriveReader(options.direct !== false);
  const filePaths = new Set<string>();
  const blobPaths = new Set<string>();
  let entries = 0;
  let files = 0;
  let bytes = 0;
  let directIo = true;
  try {
    for await (const blob of manifest.blobs) {
      if (options.signal?.aborted) throw new InterruptedError();
      entries++;
      rules?.blob(blob);
      const bad = (m: Omit<Mismatch, 'target' | 'file'>): void => {
        mismatches.push({ target, file: blob.filePath, ...m });
      };
      if (blobPaths.has(blob.blobPath))
        bad({ problem: 'duplicate-blob-path', expected: 'listed once', actual: blob.blobPath });
      blobPaths.add(blob.blobPath);
      if (filePaths.has(blob.filePath)) {
        bad({ problem: 'duplicate-file-path', expected: 'listed once', actual: 'listed again' });
        continue;
      }
      filePaths.add(blob.filePath);
      files++;
      const size = await checkFile(target, blob, reader, bad, options.signal);
      if (size === undefined) continue;
      directIo &&= reader.direct;
      bytes += size;
      onFile?.(files, bytes);
    }
  } finally {
    reader.close();
  }
  const manifestHash = await md5OfFile(manifestPath);
  const expected = (await expectedManifestHash(manifest.driveId)) ?? journal?.record.manifestHash;
  const manifestFile = `\\${MANIFEST_NAME}`;
  if (expected !== undefined && expected.toUpperCase() !== manifestHash) {
    mismatches.push({
      target,
      file: manifestFile,
      problem: 'manifest-hash',
      expected,
      actual: manifestHash,
    });
  }
  if (journal) {
    if (journal.record.files !== entries) {
      mismatches.push({
        target,
        file: manifestFile,
        problem: 'entry-count',
        expected: journal.record.files,
        actual: entries,
      });
    }
    const committed = await journal.open();
    for await (const b of committed.blobs) {
      if (!filePaths.delete(b.filePath))
        mismatches.push({ target, file: b.filePath, problem: 'not-in-manifest' });
    }
    for (const f of filePaths) mismatches.push({ target, file: f, problem: 'not-in-journal' });
  }
  if (rules) mismatches.push(...rules.mismatches(target));
  return {
    target,
    driveId: manifest.driveId,
    entries,
    files,
    bytes,
    manifestHash,
    expectedManifestHash: expected,
    journal: journal
      ? { path: journal.journal, job: journal.job, files: journal.record.files }
      : undefined,
    directIo: directIo && files > 0,
    mismatches,
  };
}

/** Checks one file against its manifest entry; returns its size, undefined when it could not be read. */
async function checkFile(
  target: string,
  blob: ManifestEntry,
  reader: DriveReader,
  bad: (m: Omit<Mismatch, 'target' | 'file'>) => void,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const local = path.join(target, ...blob.filePath.split('\\').filter((s) => s !== ''));
  let size: number;
  try {
    size = reader.open(local);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') bad({ problem: 'missing' });
    else bad({ problem: 'unreadable', actual: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
  try {
    if (size !== blob.length) bad({ problem: 'length', expected: blob.length, actual: size });
    if (blob.kind === 'block') {
      let next = 0;
      for (const r of blob.ranges) {
        if (r.offset !== next)
          bad({ problem: 'coverage', offset: next, expected: next, actual: r.offset });
        next = r.offset + r.length;
      }
      if (next !== blob.length)
        bad({ problem: 'coverage', offset: next, expected: blob.length, actual: next });
    }
    for (const r of blob.ranges) {
      if (signal?.aborted) throw new InterruptedError();
      if (!(r.length >= 0 && r.length <= MAX_RANGE && r.offset >= 0)) {
        bad({
          problem: 'coverage',
          offset: r.offset,
          length: r.length,
          expected: `≤ ${MAX_RANGE}`,
          actual: r.length,
        });
        continue;
      }
      const data = await reader.range(r.offset, r.length);
      const actual = data.length === r.length ? md5Hex(data) : `short read (${data.length} bytes)`;
      if (actual !== r.hash.toUpperCase())
        bad({ problem: 'hash', offset: r.offset, length: r.length, expected: r.hash, actual });
    }
    return size;
  } catch (err) {
    if (err instanceof InterruptedError) throw err;
    bad({ problem: 'unreadable', actual: err instanceof Error ? err.message : String(err) });
    return size;
  }
}
