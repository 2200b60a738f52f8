import { describe, expect, it } from 'vitest';
import {
  inRanges,
  rangesTouchFolder,
  mergeRanges,
  planLanes,
  rangesAfter,
  rangesUpTo,
  sequentialRanges,
  WHOLE_WALK,
} from '../../src/engine/lanePlan.ts';
import type { ScannedFile } from '../../src/model/job.ts';

/** Files a..j of 10 KiB each, in walk order. */
const files: ScannedFile[] = 'abcdefghij'.split('').map((c) => ({
  relPath: c,
  absPath: `/s/${c}`,
  size: 10 * 1024,
  mtimeMs: 0,
  blobType: 'block',
}));
const names = (rs: { after: string | null; last: string | null }[]): string[] =>
  files.map((f) => f.relPath).filter((p) => inRanges(p, rs));

describe('lanePlan', () => {
  it('plans drives in walk order by room; the last takes the rest, open-ended', () => {
    // 12 KiB of clusters + a 4 KiB entry + 100 B of manifest a file: 3 fit in 50 KiB.
    const room = { free: 50 * 1024, bsize: 4096 };
    const p = planLanes(files, WHOLE_WALK, [room, room, room], () => 100);
    expect(p.ranges.map(names)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
      ['g', 'h', 'i', 'j'],
    ]);
    expect(p.ranges[2]).toEqual([{ after: 'f', last: null }]);
    expect(p.bytes).toEqual([30 * 1024, 30 * 1024, 40 * 1024]);
  });

  it('with room to spare, each drive takes files up to its share (one file past it at most)', () => {
    const room = { free: 1024 * 1024, bsize: 4096, share: 40 * 1024 };
    const p = planLanes(files, WHOLE_WALK, [room, room, room], () => 100);
    // 16.5 KiB a file: the third passes 40 KiB, so each of the first two takes 3.
    expect(p.ranges.map(names)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f'],
      ['g', 'h', 'i', 'j'],
    ]);
  });

  it('plans only what is pending: around other drives files, in several ranges', () => {
    const pending = [
      { after: 'b', last: 'd' },
      { after: 'g', last: null },
    ];
    const room = { free: 50 * 1024, bsize: 4096 };
    const p = planLanes(files, pending, [room, room], () => 100);
    expect(p.ranges.map(names)).toEqual([
      ['c', 'd', 'h'],
      ['i', 'j'],
    ]);
    expect(p.ranges[0]).toEqual([
      { after: 'b', last: 'd' },
      { after: 'g', last: 'h' },
    ]);
  });

  it('cuts a drive at its cursor and gives the rest back, merged in walk order', () => {
    const mine = [
      { after: null, last: 'c' },
      { after: 'f', last: null },
    ];
    expect(names(rangesUpTo(mine, 'b'))).toEqual(['a', 'b']);
    expect(names(rangesAfter(mine, 'b'))).toEqual(['c', 'g', 'h', 'i', 'j']);
    expect(names(rangesUpTo(mine, 'g'))).toEqual(['a', 'b', 'c', 'g']);
    expect(names(rangesAfter(mine, 'g'))).toEqual(['h', 'i', 'j']);
    expect(rangesUpTo(mine, null)).toEqual([]);
    const merged = mergeRanges([{ after: 'g', last: null }], [{ after: 'b', last: 'd' }]);
    expect(merged[0]).toEqual({ after: 'b', last: 'd' });
    expect(names(merged)).toEqual(['c', 'd', 'h', 'i', 'j']);
  });

  it('reads a journal of drives filled one after another by their counts', () => {
    const r = sequentialRanges(files, [
      { files: 3, complete: true },
      { files: 2, complete: false },
    ]);
    expect(r.ranges.map(names)).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e', 'f', 'g', 'h', 'i', 'j'],
    ]);
    expect(r.cursors).toEqual(['c', 'e']);
    expect(r.pending).toEqual([]);
    const done = sequentialRanges(files, [{ files: 4, complete: true }]);
    expect(names(done.pending)).toEqual(['e', 'f', 'g', 'h', 'i', 'j']);
  });
});

describe('rangesTouchFolder', () => {
  // Every file of a small tree, in walk order. Skipping a folder that holds a file of the ranges
  // would lose that file: checked for every pair of bounds drawn from the tree.
  const tree = ['a', 'b/c', 'b/d/e', 'b/d/f', 'b/g', 'b-h', 'i/j', 'i/k', 'l'];
  const folders = ['b', 'b/d', 'i'];
  const bounds = [null, ...tree, ...folders];
  it('enters every folder that holds a file of the ranges', () => {
    for (const after of bounds) {
      for (const last of bounds) {
        const ranges = [{ after, last }];
        for (const dir of folders) {
          const has = tree.some((p) => p.startsWith(`${dir}/`) && inRanges(p, ranges));
          if (has)
            expect([after, last, dir, rangesTouchFolder(dir, ranges)]).toEqual([
              after,
              last,
              dir,
              true,
            ]);
        }
      }
    }
  });

  it('skips the folders wholly before, after or between the ranges of a drive', () => {
    const touched = (ranges: { after: string | null; last: string | null }[]) =>
      folders.filter((d) => rangesTouchFolder(d, ranges));
    expect(touched([{ after: null, last: 'a' }])).toEqual([]);
    expect(touched([{ after: 'b-h', last: null }])).toEqual(['i']);
    // b/d may hold files after f that the walk has not met yet: it is entered.
    expect(touched([{ after: 'b/d/f', last: 'b-h' }])).toEqual(['b', 'b/d']);
    expect(touched([{ after: 'b/d', last: 'b-h' }])).toEqual(['b', 'b/d']);
    expect(touched([{ after: 'b/e', last: 'b-h' }])).toEqual(['b']);
    expect(touched([{ after: 'b/c', last: 'b/d/e' }])).toEqual(['b', 'b/d']);
    expect(
      touched([
        { after: null, last: 'b/c' },
        { after: 'i/j', last: null },
      ]),
    ).toEqual(['b', 'i']);
  });
});
