import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/engine/smallReadAhead.ts';
import { sourceIdentity } from '../../src/engine/sourceIdentity.ts';
import { isLocalFileSystem } from '../../src/fsutil/localFs.ts';
import { tempDir } from '../helpers/tempDir.ts';

describe('a small file read ahead', () => {
  it('reads the length its stat gave, and one byte more when the file grew since that stat', async () => {
    const dir = tempDir('readahead');
    const f = path.join(dir, 'a.bin');
    fs.writeFileSync(f, 'ten bytes!');
    const now = readAhead('a.bin', f)!;
    const got = await now.data;
    expect([got.len, got.buf.subarray(0, got.len).toString()]).toEqual([10, 'ten bytes!']);
    // The walk's stat is older than the file: the read shows more than it said (copyFile.ts
    // then fails the file as changed instead of writing a cut copy).
    const stale = { ...sourceIdentity('a.bin', f), size: 8n };
    const grown = await readAhead('a.bin', f, stale)!.data;
    expect(grown.len).toBe(9);
  });

  it('gives nothing for a source that is gone or no longer small (its turn says why)', () => {
    const dir = tempDir('readahead');
    expect(readAhead('gone.bin', path.join(dir, 'gone.bin'))).toBeUndefined();
    const big = path.join(dir, 'big.bin');
    fs.writeFileSync(big, Buffer.alloc(1024 * 1024 + 1));
    expect(readAhead('big.bin', big)).toBeUndefined();
  });
});

describe('isLocalFileSystem', () => {
  it('is true for a folder on a local Linux file system, false elsewhere and when statfs fails', () => {
    const dir = tempDir('readahead');
    expect(isLocalFileSystem(dir, 'linux')).toBe(process.platform === 'linux');
    expect(isLocalFileSystem(dir, 'win32')).toBe(false);
    expect(isLocalFileSystem(path.join(dir, 'missing'), 'linux')).toBe(false);
  });
});
