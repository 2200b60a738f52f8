/**
 * Renames retried while antivirus or the indexer holds a new file (EPERM / EACCES / EBUSY on
 * Windows): a fake fs whose rename fails N times, and a fake clock, so nothing waits.
 */
import * as realFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/fsutil/atomicWrite.ts';
import { RENAME_BACKOFF_MS, renameRetrying } from '../../src/fsutil/retryRename.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const errno = (code: string) => Object.assign(new Error(`${code}: held`), { code });

/** The real fs, except that rename fails with `code` the first `times` calls. */
function flakyRename(times: number, code = 'EPERM') {
  let calls = 0;
  const fs = {
    ...realFs,
    rename: async (a: string, b: string) => {
      calls += 1;
      if (calls <= times) throw errno(code);
      return realFs.rename(a, b);
    },
  } as typeof realFs;
  return { fs, calls: () => calls };
}

function fakeClock() {
  const slept: number[] = [];
  return { slept, clock: { sleep: async (ms: number) => void slept.push(ms) } };
}

describe('rename with backoff', () => {
  it('writeFileAtomic succeeds when the rename is refused twice, waiting 60 then 120 ms', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rename-'));
    const { fs, calls } = flakyRename(2);
    const { slept, clock } = fakeClock();
    await writeFileAtomic(fs, join(dir, 'state.json'), '{"a":1}', { clock });
    expect(await readFile(join(dir, 'state.json'), 'utf8')).toBe('{"a":1}');
    expect([calls(), slept]).toEqual([3, [60, 120]]);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('gives up after 5 tries over 900 ms with the last error, leaving no temp file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rename-'));
    const { fs, calls } = flakyRename(99, 'EBUSY');
    const { slept, clock } = fakeClock();
    const err = await writeFileAtomic(fs, join(dir, 'state.json'), 'x', { clock }).catch(
      (e: unknown) => e,
    );
    expect((err as NodeJS.ErrnoException).code).toBe('EBUSY');
    expect([calls(), slept, slept.reduce((a, b) => a + b, 0)]).toEqual([
      5,
      [...RENAME_BACKOFF_MS],
      900,
    ]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not retry other errors, and retries a synchronous rename (as the copy engine uses it)', async () => {
    const { slept, clock } = fakeClock();
    let n = 0;
    const gone = await renameRetrying(() => {
      n += 1;
      throw errno('ENOENT');
    }, clock).catch((e: unknown) => e);
    expect([(gone as NodeJS.ErrnoException).code, n, slept]).toEqual(['ENOENT', 1, []]);
    let m = 0;
    await renameRetrying(() => {
      m += 1;
      if (m < 4) throw errno('EACCES');
    }, clock);
    expect([m, slept]).toEqual([4, [60, 120, 240]]);
  });
});
