/**
 * Copying one chunk of a large file: read it, hash it, write the same bytes. The code shared by
 * the copy workers and the inline copier. The read and the write wait in libuv's threadpool;
 * the MD5 runs on the calling thread, so a thread with two chunks in flight hashes one while
 * the other's I/O is under way.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { alignUp, DIRECT_ALIGN } from './alignedBuffer.ts';
import { hashChunk, type ChunkKind, type HashedRange } from './hashChunk.ts';

/** Size of one chunk: the largest block / page range the manifest allows (4 MiB). */
export const CHUNK = 4 * 1024 * 1024;

/** One chunk to copy between two open files (descriptors are process-wide, so workers share them). */
export interface ChunkJob {
  src: number;
  dst: number;
  /** Offset in both files: a multiple of {@link CHUNK}. */
  offset: number;
  /** Bytes expected (≤ {@link CHUNK}; less only for the last chunk). */
  len: number;
  kind: ChunkKind;
  /** The descriptor was opened with O_DIRECT: lengths are rounded up to the alignment. */
  srcDirect: boolean;
  dstDirect: boolean;
}

/** What a chunk copy did. */
export interface ChunkDone {
  /** Bytes read: differs from `len` when the source changed under us (nothing was written). */
  got: number;
  /** The block, or the non-zero page ranges (none: an all-zero page chunk, not written). */
  ranges: HashedRange[];
}

/**
 * Copies one chunk through `buf` (≥ {@link CHUNK} bytes, page-aligned when either side is
 * direct). The hash is of the bytes in `buf` that are then written, so it is of what was written.
 * Throws the fs error (its `code` intact: ENOSPC, EINVAL...).
 */
export async function copyChunk(buf: Buffer, job: ChunkJob): Promise<ChunkDone> {
  const want = job.srcDirect ? alignUp(job.len) : job.len;
  let got = 0;
  while (got < job.len) {
    const { bytesRead: n } = await read(job.src, buf, got, want - got, job.offset + got);
    if (n === 0) break;
    got += n;
    // A direct read stops short only at the end of the file; the next one would be unaligned.
    if (job.srcDirect && got % DIRECT_ALIGN !== 0) break;
  }
  if (got !== job.len) return { got, ranges: [] };
  const ranges = hashChunk(buf, job.len, job.kind, job.offset);
  // An all-zero page chunk is neither listed nor written: the target stays sparse.
  if (job.kind === 'page' && ranges.length === 0) return { got, ranges };
  let put = job.len;
  if (job.dstDirect) {
    // Direct writes are whole blocks: the tail is padded with zeros, cut off by the final truncate.
    put = alignUp(job.len);
    buf.fill(0, job.len, put);
  }
  let off = 0;
  while (off < put)
    off += (await write(job.dst, buf, off, put - off, job.offset + off)).bytesWritten;
  return { got, ranges };
}

const read = promisify(fs.read);
const write = promisify(fs.write);
