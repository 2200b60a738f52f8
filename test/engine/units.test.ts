import { describe, expect, it } from 'vitest';
import { bitLockerKeyProblem, isBitLockerKey } from '../../src/model/bitlockerKey.ts';
import { blobProblem, MAX_BLOCK_BLOB } from '../../src/engine/limits.ts';
import { blobXml, driveInfoXml, manifestHeader } from '../../src/engine/manifest.ts';
import { nonZeroRuns } from '../../src/engine/pageRanges.ts';
import { overlapsData, parseFilefrag } from '../../src/engine/dataExtents.ts';
import { isValidSessionId, sessionIdFor } from '../../src/model/sessionId.ts';
import { compareWalkPaths } from '../../src/engine/walkOrder.ts';
import { driveIdProblem } from '../../src/flows/prepare/targets.ts';
import { progressLine } from '../../src/flows/progress/progressLine.ts';

describe('BitLocker recovery password rule', () => {
  it('accepts the documented example and real-shaped keys', () => {
    expect(isBitLockerKey('442926-020713-108086-436744-137335-435358-242242-279598')).toBe(true);
    expect(isBitLockerKey('000000-000011-000022-000033-000044-000055-000066-000077')).toBe(true);
  });
  it('rejects a group not divisible by 11, a group ≥ 720896, wrong shapes — without echoing the key', () => {
    const p = bitLockerKeyProblem('442926-020713-108086-436744-137335-435358-242242-279599');
    expect(p).toMatch(/group 8/);
    expect(p).not.toContain('279599');
    // 720896 = 65536 × 11: divisible by 11 but out of range.
    expect(bitLockerKeyProblem('720896-000011-000022-000033-000044-000055-000066-000077')).toMatch(
      /group 1/,
    );
    expect(bitLockerKeyProblem('12345-000011-000022-000033-000044-000055-000066-000077')).toMatch(
      /8 groups of 6 digits/,
    );
    expect(bitLockerKeyProblem('000011-000022')).toMatch(/8 groups/);
  });
});

describe('session id', () => {
  it('keeps a valid job name, cleans and tags anything else, always within the rule', () => {
    expect(sessionIdFor('seed-2026_01#1')).toBe('seed-2026_01#1');
    for (const name of ['j', 'my job', 'ünï', 'x'.repeat(80), 'a/b\\c']) {
      const id = sessionIdFor(name);
      expect(isValidSessionId(id), `${name} → ${id}`).toBe(true);
      expect(sessionIdFor(name)).toBe(id);
    }
    expect(sessionIdFor('my job')).not.toBe(sessionIdFor('my-job'));
  });
});

describe('page ranges', () => {
  it('splits non-zero runs on 512-byte pages and leaves zero pages out', () => {
    const b = Buffer.alloc(256 * 1024);
    b[0] = 1;
    b[513] = 1; // pages 0 and 1 → one run of 1024
    b[70_000] = 1; // page 136 (69632..70144)
    b.fill(9, 200 * 1024, 200 * 1024 + 3000); // pages 400..405
    expect(nonZeroRuns(b, b.length)).toEqual([
      [0, 1024],
      [69632, 512],
      [204800, 3072],
    ]);
    expect(nonZeroRuns(Buffer.alloc(4096), 4096)).toEqual([]);
    expect(nonZeroRuns(Buffer.alloc(4096, 1), 4096)).toEqual([[0, 4096]]);
  });
});

describe('walk order', () => {
  it('compares by path segment, as the sorted depth-first walk yields', () => {
    const paths = ['a-c', 'a/b', 'a/z/y', 'a', 'b', 'a/b/c'];
    expect([...paths].sort(compareWalkPaths)).toEqual(['a', 'a/b', 'a/b/c', 'a/z/y', 'a-c', 'b']);
  });
});

describe('limits', () => {
  it('refuses block blobs over 50,000 × 4 MiB and page blobs off 512', () => {
    expect(blobProblem('x', MAX_BLOCK_BLOB, 'block')).toBeUndefined();
    expect(blobProblem('x', MAX_BLOCK_BLOB + 1, 'block')).toMatch(/50,000 blocks of 4 MiB/);
    expect(blobProblem('p.vhd', 1000, 'page')).toMatch(/not a multiple of 512/);
    expect(blobProblem('p.vhd', 1024, 'page')).toBeUndefined();
  });
});

describe('manifest XML', () => {
  it('escapes names and writes block ids as MD5/<base64>', () => {
    const xml = blobXml({
      blobPath: 'c/a&b<"x">\'.txt',
      filePath: '\\s\\a&b<"x">\'.txt',
      length: 3,
      disposition: 'rename',
      kind: 'block',
      ranges: [{ offset: 0, length: 3, md5: '900150983CD24FB0D6963F7D28E17F72' }],
    });
    expect(xml).toContain('<BlobPath>c/a&amp;b&lt;&quot;x&quot;&gt;&apos;.txt</BlobPath>');
    expect(xml).toMatch(
      /<\/Length>\n\s*<ImportDisposition>rename<\/ImportDisposition>\n\s*<BlockList>/,
    );
    expect(xml).toContain(
      'Id="MD5/kAFQmDzST7DWlj99KOF/cg==" Hash="900150983CD24FB0D6963F7D28E17F72"',
    );
    expect(() =>
      blobXml({
        blobPath: 'a\u0001',
        filePath: 'x',
        length: 0,
        disposition: 'overwrite',
        kind: 'block',
        ranges: [],
      }),
    ).toThrow(/control character/);
    const head = manifestHeader({
      driveId: 'D1',
      credential: { containerSas: 'c?sv=1&sig=x' },
      clientCreator: 'diskprep 1',
    });
    expect(head).toContain('<DriveManifest Version="2014-11-01">');
    expect(head).toContain('<ContainerSas>c?sv=1&amp;sig=x</ContainerSas>');
    expect(head.indexOf('<DriveId>')).toBeLessThan(head.indexOf('<BlobList>'));
    const bare = manifestHeader({ driveId: 'D1', credential: undefined, clientCreator: 'x' });
    expect(bare).not.toMatch(/StorageAccountKey|ContainerSas/);
    expect(
      driveInfoXml({
        driveId: 'D1',
        bitLockerKey: 'k',
        manifestFile: '\\DriveManifest.xml',
        manifestHash: 'AB',
      }),
    ).toMatch(
      /<Drive>\s*<DriveId>D1<\/DriveId>\s*<BitLockerKey>k<\/BitLockerKey>\s*<ManifestFile>\\DriveManifest.xml<\/ManifestFile>\s*<ManifestHash>AB<\/ManifestHash>\s*<\/Drive>/,
    );
  });
});

describe('prepare helpers', () => {
  it('drive ids: no spaces, printable, no path characters', () => {
    expect(driveIdProblem('WD-WMATV123456')).toBeUndefined();
    expect(driveIdProblem('WD WMA')).toMatch(/no spaces/);
    expect(driveIdProblem('a/b')).toMatch(/cannot hold/);
  });
  it('progress line shows bytes, files, rate and ETA (a wide terminal)', () => {
    const line = progressLine(
      {
        drive: { index: 0, driveId: 'D1', files: 5, bytes: 1024 ** 3 },
        done: { files: 5, bytes: 1024 ** 3 },
        total: { files: 10, bytes: 2 * 1024 ** 3 },
        resumedFiles: 0,
      },
      100 * 1024 * 1024,
      200,
    );
    expect(line).toContain('drive 1 D1');
    expect(line).toContain('50%');
    expect(line).toContain('1.0 GiB/2.0 GiB');
    expect(line).toContain('5/10 files');
    expect(line).toContain('100 MiB/s');
    expect(line).toContain('ETA 0:10');
  });
});

describe('filefrag extents', () => {
  it('parses real filefrag -s -e output (ext4) and refuses what it does not understand', () => {
    const out = [
      'Filesystem type is: ef53',
      'File size of sp.bin is 104857600 (25600 blocks of 4096 bytes)',
      ' ext:     logical_offset:        physical_offset: length:   expected: flags:',
      '   0:     1000..    1002:   20648936..  20648938:      3:       1000:',
      '   1:    12800..   13311:   20650496..  20651007:    512:   20660736: last',
      'sp.bin: 2 extents found',
    ].join('\n');
    const ex = parseFilefrag(out)!;
    expect(ex).toEqual([
      [1000 * 4096, 1003 * 4096],
      [12800 * 4096, 13312 * 4096],
    ]);
    expect(overlapsData(ex, 0, 4 * 1024 * 1024)).toBe(true);
    expect(overlapsData(ex, 8 * 1024 * 1024, 12 * 1024 * 1024)).toBe(false);
    expect(
      parseFilefrag(
        'File size of h is 2147483648 (524288 blocks of 4096 bytes)\nh: 0 extents found',
      ),
    ).toEqual([]);
    expect(parseFilefrag(out.replace(' last', ' last,delalloc'))).toBeUndefined();
    expect(parseFilefrag(out.replace('2 extents', '3 extents'))).toBeUndefined();
    expect(parseFilefrag('garbage')).toBeUndefined();
  });
});
