/**
 * Hashing one chunk of a file: the code shared by the small-file path and the chunk copier.
 * A chunk is at most one 4 MiB block and starts on a 4 MiB boundary, so for a block blob it is
 * exactly one manifest block, and for a page blob its non-zero runs are the page ranges.
 */
import { hash } from 'node:crypto';
import { nonZeroRuns } from './pageRanges.ts';

/** One hashed range of a file: a manifest Block or PageRange. */
export interface HashedRange {
  /** Offset in the file. */
  offset: number;
  length: number;
  /** MD5, uppercase hex. */
  md5: string;
}

/** What a chunk becomes in the manifest. */
export type ChunkKind = 'block' | 'page';

/**
 * Hashes `buf[0, len)`, which sits at `fileOffset` in its file: one block, or the page ranges
 * of its non-zero runs (none when the chunk is all zero).
 */
export function hashChunk(
  buf: Uint8Array,
  len: number,
  kind: ChunkKind,
  fileOffset: number,
): HashedRange[] {
  if (kind === 'block') {
    return [{ offset: fileOffset, length: len, md5: md5Hex(buf.subarray(0, len)) }];
  }
  return nonZeroRuns(buf, len).map(([start, n]) => ({
    offset: fileOffset + start,
    length: n,
    md5: md5Hex(buf.subarray(start, start + n)),
  }));
}

/** MD5 of `data` as uppercase hex (crypto.hash: one call, no Hash object, for ≤ 4 MiB inputs). */
export function md5Hex(data: Uint8Array): string {
  return hash('md5', data, 'hex').toUpperCase();
}
