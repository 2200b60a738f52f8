/**
 * Verifies a prepared drive: re-reads every file its manifest lists and checks the length,
 * that blocks cover the file, and every block / page-range MD5; and checks the manifest's own
 * MD5 against the hash recorded in the job's journal (or given by the operator).
 *
 * Reads go through the page cache: right after a copy they may be answered from RAM. For a
 * check of the medium, unmount and mount the drive again first (README "verify").
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { openRegularFile } from '../fsutil/readBoundedFile.ts';
import { CHUNK } from './copyChunk.ts';
import { md5Hex } from './hashChunk.ts';
import { MANIFEST_NAME } from './manifest.ts';
import { openManifest } from './readManifest.ts';

/** One problem found. */
export interface Mismatch {
  target: string;
  /** Path as listed in the manifest (`\session\...`), or the manifest itself. */
  file: string;
  problem: 'missing' | 'length' | 'hash' | 'coverage' | 'manifest-hash' | 'unreadable';
  offset?: number;
  length?: number;
  expected?: string | number;
  actual?: string | number;
}

/** The result for one drive. */
export interface DriveVerification {
  target: string;
  driveId: string;
  files: number;
  bytes: number;
  /** MD5 of the manifest file as read now. */
  manifestHash: string;
  /** The hash it was checked against, when one was known. */
  expectedManifestHash: string | undefined;
  mismatches: Mismatch[];
}

/** MD5 (uppercase hex) of a whole file, streamed. */
export async function md5OfFile(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }))
    h.update(chunk as Buffer);
  return h.digest('hex').toUpperCase();
}

/**
 * Verifies the drive mounted at `target`. `expectedManifestHash` resolves the recorded hash
 * once the drive id is known (undefined: none known, the manifest hash is only reported).
 */
export async function verifyDrive(
  target: string,
  expectedManifestHash: (driveId: string) => Promise<string | undefined>,
  onFile?: (files: number, bytes: number) => void,
  /** Ctrl-C / SIGTERM: stop between two reads (at most one 4 MiB range later). */
  signal?: AbortSignal,
): Promise<DriveVerification> {
  const manifestPath = path.join(target, MANIFEST_NAME);
  const manifest = await openManifest(manifestPath);
  const mismatches: Mismatch[] = [];
  const buf = Buffer.allocUnsafeSlow(CHUNK);
  let files = 0;
  let bytes = 0;
  for await (const blob of manifest.blobs) {
    files++;
    const local = path.join(target, ...blob.filePath.split('\\').filter((s) => s !== ''));
    const bad = (m: Omit<Mismatch, 'target' | 'file'>): void => {
      mismatches.push({ target, file: blob.filePath, ...m });
    };
    let fh: fsp.FileHandle;
    try {
      // Only a regular file: a FIFO or device on the drive must not block or feed the check.
      const opened = await openRegularFile(fsp, local, { what: 'file', maxBytes: Infinity });
      if (!opened) {
        bad({ problem: 'missing' });
        continue;
      }
      fh = opened.handle;
    } catch (err) {
      bad({ problem: 'unreadable', actual: err instanceof Error ? err.message : String(err) });
      continue;
    }
    try {
      const size = (await fh.stat()).size;
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
        if (r.length > CHUNK) {
          bad({
            problem: 'coverage',
            offset: r.offset,
            length: r.length,
            expected: `≤ ${CHUNK}`,
            actual: r.length,
          });
          continue;
        }
        signal?.throwIfAborted();
        let got = 0;
        while (got < r.length) {
          const { bytesRead } = await fh.read(buf, got, r.length - got, r.offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        const actual =
          got === r.length ? md5Hex(buf.subarray(0, got)) : `short read (${got} bytes)`;
        if (actual !== r.hash.toUpperCase()) {
          bad({ problem: 'hash', offset: r.offset, length: r.length, expected: r.hash, actual });
        }
      }
      bytes += size;
    } catch (err) {
      if (signal?.aborted) throw err;
      bad({ problem: 'unreadable', actual: err instanceof Error ? err.message : String(err) });
    } finally {
      await fh.close();
    }
    onFile?.(files, bytes);
  }
  const manifestHash = await md5OfFile(manifestPath);
  const expected = await expectedManifestHash(manifest.driveId);
  if (expected !== undefined && expected.toUpperCase() !== manifestHash) {
    mismatches.push({
      target,
      file: `\\${MANIFEST_NAME}`,
      problem: 'manifest-hash',
      expected,
      actual: manifestHash,
    });
  }
  return {
    target,
    driveId: manifest.driveId,
    files,
    bytes,
    manifestHash,
    expectedManifestHash: expected,
    mismatches,
  };
}
