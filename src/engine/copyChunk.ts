/**
 * Copying one chunk of a large file: read it, hash it, write the same bytes. The code shared by
 * the copy workers and the inline copier. The read and the write wait in libuv's threadpool;
 * the MD5 runs on the calling thread, so a thread with two chunks in flight hashes one while
 * the other's I/O is under way.
 */
import { createHash } from 'node:crypto';
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
  /**
   * Pipeline the chunk's read, MD5 and write in 1 MiB pieces: for a file of one chunk, where
   * no other chunk of the file runs alongside (see {@link PIECE}).
   */
  pipelined?: boolean;
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
  if (job.pipelined && job.kind === 'block' && PIECE < job.len)
    return copyBlockPiecewise(buf, job, want);
  const got = await readInto(job, buf, 0, want);
  if (got !== job.len) return { got, ranges: [] };
  const ranges = hashChunk(buf, job.len, job.kind, job.offset);
  // An all-zero page chunk is neither listed nor written: the target stays sparse.
  if (job.kind === 'page' && ranges.length === 0) return { got, ranges };
  await writeFrom(job, buf, 0, writeLength(buf, job));
  return { got, ranges };
}

/**
 * Bytes per read / hash / write step of a pipelined chunk. 1000 files of 3 MiB (one chunk
 * each), page cache dropped, dev VM: 12.3–13.1 s in 1 MiB pieces, 15.4–16.8 s as one piece;
 * `cp -r` 12.7 s. Files of several chunks keep whole 4 MiB requests, 8 chunks already
 * overlapping: a 4 GiB file in 1 MiB steps took 8.7–18 s, whole chunks 8.6–11.7 s at that
 * hour (the disk was slower than in the README runs), so the measured path stays.
 */
const PIECE = 1024 * 1024;

/**
 * A block chunk in pieces, pipelined: piece k+1 is read and piece k-1 written while piece k is
 * hashed, so a file of one chunk (most files between 1 and 4 MiB) does not pay read, MD5 and
 * write one after the other. The block's MD5 is fed piece by piece from the same buffer.
 */
async function copyBlockPiecewise(buf: Buffer, job: ChunkJob, want: number): Promise<ChunkDone> {
  const md5 = createHash('md5');
  // Writes run while later pieces are read: their failure is kept, never left unhandled.
  const writes: Promise<void>[] = [];
  let writeError: Error | undefined;
  let got = 0;
  let next: Promise<number> | undefined = readInto(job, buf, 0, Math.min(PIECE, want));
  try {
    for (let start = 0; next !== undefined && writeError === undefined; start += PIECE) {
      const end = Math.min(start + PIECE, want);
      const pieceGot: number = await next;
      got = pieceGot;
      next = undefined;
      // Short of the piece and not the end of the file: the source changed; stop reading.
      if (pieceGot !== end && pieceGot !== job.len) break;
      if (pieceGot === end && end < want)
        next = readInto(job, buf, end, Math.min(end + PIECE, want));
      const upto = Math.min(pieceGot, job.len);
      md5.update(buf.subarray(start, upto));
      const writeEnd = upto === job.len ? writeLength(buf, job) : upto;
      writes.push(
        writeFrom(job, buf, start, writeEnd).catch((err: unknown) => {
          writeError ??= err as Error;
        }),
      );
    }
  } finally {
    // Nothing may still touch the buffer once this returns: it is reused for the next chunk.
    await next?.catch(() => 0);
    await Promise.all(writes);
  }
  if (writeError !== undefined) throw writeError;
  if (got !== job.len) return { got, ranges: [] };
  const hex = md5.digest('hex').toUpperCase();
  return { got, ranges: [{ offset: job.offset, length: job.len, md5: hex }] };
}

/** Reads `buf[from, to)` at the chunk's offset; returns the end of what was read. */
async function readInto(job: ChunkJob, buf: Buffer, from: number, to: number): Promise<number> {
  let got = from;
  while (got < to) {
    const { bytesRead: n } = await read(job.src, buf, got, to - got, job.offset + got);
    if (n === 0) break;
    got += n;
    // A direct read stops short only at the end of the file; the next one would be unaligned.
    if (job.srcDirect && got % DIRECT_ALIGN !== 0) break;
  }
  return got;
}

/** How much of the chunk to write: direct writes are whole blocks, padded with zeros (cut off by the final truncate). */
function writeLength(buf: Buffer, job: ChunkJob): number {
  if (!job.dstDirect) return job.len;
  const put = alignUp(job.len);
  buf.fill(0, job.len, put);
  return put;
}

async function writeFrom(job: ChunkJob, buf: Buffer, from: number, to: number): Promise<void> {
  let off = from;
  while (off < to) off += (await write(job.dst, buf, off, to - off, job.offset + off)).bytesWritten;
}

const read = promisify(fs.read);
const write = promisify(fs.write);
