/**
 * Page-blob ranges: the runs of a chunk that are not all zero, on 512-byte page boundaries.
 * All-zero pages are left out of the manifest (the service leaves them as zeros), and need not
 * be written to a sparse target.
 */

/** A page blob's page size: every range offset and length is a multiple of it. */
export const PAGE = 512;

const ZERO = Buffer.alloc(64 * 1024);

/** True when `buf[start, start+len)` is all zero bytes (one native memcmp per 64 KiB). */
export function isAllZero(buf: Uint8Array, start: number, len: number): boolean {
  for (let off = start; off < start + len; off += ZERO.length) {
    const n = Math.min(ZERO.length, start + len - off);
    if (Buffer.compare(ZERO.subarray(0, n), buf.subarray(off, off + n)) !== 0) return false;
  }
  return true;
}

/**
 * The non-zero runs of `buf[0, len)` as `[start, length]` pairs relative to the buffer, each on
 * page boundaries (`len` is a multiple of {@link PAGE}). 64 KiB stretches are tested first, so
 * mostly-zero or mostly-dense chunks cost a few native compares, not one per page.
 */
export function nonZeroRuns(buf: Uint8Array, len: number): [number, number][] {
  const runs: [number, number][] = [];
  let runStart = -1;
  const close = (end: number): void => {
    if (runStart >= 0) {
      runs.push([runStart, end - runStart]);
      runStart = -1;
    }
  };
  const STRIDE = ZERO.length;
  for (let off = 0; off < len; off += STRIDE) {
    const n = Math.min(STRIDE, len - off);
    if (isAllZero(buf, off, n)) {
      close(off);
      continue;
    }
    // Dense stretch: look page by page only where zero pages may start or end a run.
    for (let p = off; p < off + n; p += PAGE) {
      const zero = isAllZero(buf, p, Math.min(PAGE, len - p));
      if (zero) close(p);
      else if (runStart < 0) runStart = p;
    }
  }
  close(len);
  return runs;
}
