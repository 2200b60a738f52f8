/**
 * Which files go on which drive when several are filled at once. The walk order is fixed
 * (walkOrder.ts), so a drive's files are ranges of it: (after, last], `last` null meaning "to
 * the end, as far as the drive holds". Each drive record keeps its ranges and its own cursor;
 * the copy state keeps the ranges no drive has yet (`pending`). A drive that stops short (full
 * before its plan, or failed) keeps the ranges up to its cursor and gives the rest back to
 * `pending`, for the drives still to come.
 *
 * The plan is made up front, when the drives to fill at once are open: each but the last takes
 * files in walk order while they fit by the space model below; the last takes all that is left
 * (and stops when it is full, like a single drive). Nothing is split: a file is on one drive.
 */
import type { FileRange } from '../journal/copyState.ts';
import type { ScannedFile } from '../model/job.ts';
import { compareWalkPaths } from './walkOrder.ts';

/** Everything: the plan of a job before any drive has files. */
export const WHOLE_WALK: readonly FileRange[] = [{ after: null, last: null }];

/** True when `relPath` is in one of `ranges`. */
export function inRanges(relPath: string, ranges: readonly FileRange[]): boolean {
  return ranges.some(
    (r) =>
      (r.after === null || compareWalkPaths(relPath, r.after) > 0) &&
      (r.last === null || compareWalkPaths(relPath, r.last) <= 0),
  );
}

/**
 * True when a file below the folder `dir` (a relative path) can be in one of `ranges`: a drive's
 * walk enters only such folders, so drives filled at once do not each stat the whole job. A
 * folder's files are contiguous in walk order and all come after the folder's own path.
 */
export function rangesTouchFolder(dir: string, ranges: readonly FileRange[]): boolean {
  const below = (p: string): boolean => p.startsWith(`${dir}/`);
  return ranges.some(
    (r) =>
      // Some file of the folder is at or before `last`: `last` is below it, or after it.
      (r.last === null || below(r.last) || compareWalkPaths(r.last, dir) > 0) &&
      // Some file of the folder is after `after`: `after` is below it, at it, or before it.
      (r.after === null || below(r.after) || compareWalkPaths(r.after, dir) <= 0),
  );
}

/** The parts of `ranges` up to `cursor` (null: nothing), in order. */
export function rangesUpTo(ranges: readonly FileRange[], cursor: string | null): FileRange[] {
  if (cursor === null) return [];
  const out: FileRange[] = [];
  for (const r of ranges) {
    if (r.after !== null && compareWalkPaths(r.after, cursor) >= 0) break;
    if (r.last !== null && compareWalkPaths(r.last, cursor) <= 0) out.push(r);
    else {
      out.push({ after: r.after, last: cursor });
      break;
    }
  }
  return out;
}

/** The parts of `ranges` after `cursor` (null: all of them), in order. */
export function rangesAfter(ranges: readonly FileRange[], cursor: string | null): FileRange[] {
  if (cursor === null) return [...ranges];
  const out: FileRange[] = [];
  for (const r of ranges) {
    if (r.last !== null && compareWalkPaths(r.last, cursor) <= 0) continue;
    if (r.after === null || compareWalkPaths(r.after, cursor) < 0)
      out.push({ ...r, after: cursor });
    else out.push(r);
  }
  return out;
}

/** `a` and `b` together, in walk order (ranges never overlap). */
export function mergeRanges(a: readonly FileRange[], b: readonly FileRange[]): FileRange[] {
  const key = (r: FileRange): string | null => r.after;
  return [...a, ...b].sort((x, y) => {
    const kx = key(x);
    const ky = key(y);
    if (kx === ky) return 0;
    if (kx === null) return -1;
    if (ky === null) return 1;
    return compareWalkPaths(kx, ky);
  });
}

/** What the plan needs to know of a drive: the bytes it can take, and its cluster. */
export interface LaneRoom {
  /** Free bytes on the volume, less the slack kept free. */
  free: number;
  /**
   * Its share, when the drives hold more than is left: the drive takes files until it has this
   * much (the last one may go past it, never past `free`).
   */
  share?: number;
  /** Allocation unit (statfs bsize). */
  bsize: number;
}

/** Space a file takes on a drive besides its manifest entry: clusters and a folder entry. */
export function fileSpace(size: number, bsize: number): number {
  return Math.ceil(size / bsize) * bsize + bsize;
}

/**
 * Plans `rooms.length` drives over the `pending` files of `walk` (the whole job walk, in
 * order): each drive but the last takes files while `fileSpace` + `manifestBytes` fit its room;
 * the last takes every pending file after those. Returns each drive's ranges and bytes, and
 * what stays pending (nothing: the last drive holds the rest until it is full).
 */
export function planLanes(
  walk: Iterable<ScannedFile>,
  pending: readonly FileRange[],
  rooms: readonly LaneRoom[],
  manifestBytes: (f: ScannedFile) => number,
): { ranges: FileRange[][]; bytes: number[] } {
  const ranges: FileRange[][] = rooms.map(() => []);
  const bytes = rooms.map(() => 0);
  let lane = 0;
  let used = 0;
  let prev: string | null = null;
  let open: FileRange | undefined;
  // Whether the previous file of the walk went to the same lane (its range then grows).
  let prevLane = -1;
  let lastPending: string | undefined;
  for (const f of walk) {
    const here = prev;
    prev = f.relPath;
    if (!inRanges(f.relPath, pending)) {
      prevLane = -1;
      continue;
    }
    lastPending = f.relPath;
    if (lane < rooms.length - 1) {
      const need = fileSpace(f.size, rooms[lane]!.bsize) + manifestBytes(f);
      const room = rooms[lane]!;
      // An empty drive takes a file however large: copying it says whether it fits.
      if (
        used > 0 &&
        (used + need > room.free || (room.share !== undefined && used >= room.share))
      ) {
        lane++;
        used = 0;
        prevLane = -1;
      }
      used += need;
    }
    bytes[lane]! += f.size;
    if (prevLane === lane && open) open.last = f.relPath;
    else {
      open = { after: here, last: f.relPath };
      ranges[lane]!.push(open);
    }
    prevLane = lane;
  }
  // The last drive's ranges are open-ended where pending is: files added later are its too.
  const end = ranges[rooms.length - 1]!.at(-1);
  if (pending.at(-1)?.last === null && end !== undefined && end.last === lastPending)
    end.last = null;
  return { ranges, bytes };
}

/**
 * Ranges for the drives of a journal written when drives were filled one after another: drive
 * k holds the next `files` files of the walk; the one not complete (the last) holds the rest.
 * Returns each drive's ranges and cursor, and what is pending (the rest, when every recorded
 * drive is complete).
 */
export function sequentialRanges(
  walk: Iterable<ScannedFile>,
  drives: readonly { files: number; complete: boolean }[],
): { ranges: FileRange[][]; cursors: (string | null)[]; pending: FileRange[] } {
  const ranges: FileRange[][] = drives.map(() => []);
  const cursors: (string | null)[] = drives.map(() => null);
  let k = 0;
  let n = 0;
  let prev: string | null = null;
  let start: string | null = null;
  const it = walk[Symbol.iterator]();
  while (k < drives.length) {
    const d = drives[k]!;
    if (n === d.files) {
      cursors[k] = n > 0 ? prev : null;
      if (!d.complete) break;
      ranges[k] = [{ after: start, last: prev }];
      start = prev;
      k++;
      n = 0;
      continue;
    }
    const next = it.next();
    if (next.done) {
      cursors[k] = n > 0 ? prev : null;
      break;
    }
    prev = next.value.relPath;
    n++;
  }
  if (k < drives.length) {
    ranges[k] = [{ after: start, last: null }];
    return { ranges, cursors, pending: [] };
  }
  return { ranges, cursors, pending: [{ after: start, last: null }] };
}
