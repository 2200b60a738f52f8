/**
 * Reads byte ranges of files on a drive for `verify`, with direct I/O where the file system
 * takes it, so the medium is checked rather than pages a copy left in the page cache. A range
 * is read through a page-aligned window (page ranges start at any multiple of 512); a file
 * system that accepts O_DIRECT at open but refuses the reads is read buffered from then on.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { alignedBuffer, alignUp, DIRECT_ALIGN } from './alignedBuffer.ts';
import { CHUNK } from './copyChunk.ts';
import { noDirectDevices, openForCopy } from './copyFile.ts';

const read = promisify(fs.read);

/** The largest range {@link DriveReader.range} reads: a manifest block / page range. */
export const MAX_RANGE = CHUNK;

/** One open file on the drive. */
export class DriveReader {
  private readonly buf = alignedBuffer(MAX_RANGE + 2 * DIRECT_ALIGN);
  private fd = -1;
  private file = '';
  /** The current file is read with O_DIRECT. */
  direct = false;

  private readonly wantDirect: boolean;

  /** @param wantDirect use O_DIRECT where the file system takes it */
  constructor(wantDirect: boolean) {
    this.wantDirect = wantDirect;
  }

  /** Opens `file` (closing the previous one); returns its size. Throws the fs error. */
  open(file: string): number {
    this.close();
    // Only a regular file: a FIFO or device on the drive must not block the open or feed the check.
    if (!fs.statSync(file).isFile())
      throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    const o = openForCopy(file, false, this.wantDirect);
    this.fd = o.fd;
    this.direct = o.direct;
    this.file = file;
    return fs.fstatSync(this.fd).size;
  }

  /** The bytes of `[offset, offset + length)` (fewer at the end of the file); valid until the next call. */
  async range(offset: number, length: number): Promise<Buffer> {
    if (!this.direct) return this.buffered(offset, length);
    try {
      const start = offset - (offset % DIRECT_ALIGN);
      const want = alignUp(offset + length) - start;
      let got = 0;
      while (got < want) {
        const { bytesRead } = await read(this.fd, this.buf, got, want - got, start + got);
        got += bytesRead;
        // A direct read stops short only at the end of the file.
        if (bytesRead === 0 || got % DIRECT_ALIGN !== 0) break;
      }
      const from = offset - start;
      return this.buf.subarray(from, from + Math.max(0, Math.min(length, got - from)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
      noDirectDevices.add(fs.fstatSync(this.fd).dev);
      this.open(this.file);
      return this.buffered(offset, length);
    }
  }

  private async buffered(offset: number, length: number): Promise<Buffer> {
    let got = 0;
    while (got < length) {
      const { bytesRead } = await read(this.fd, this.buf, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return this.buf.subarray(0, got);
  }

  /** Closes the current file. */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
