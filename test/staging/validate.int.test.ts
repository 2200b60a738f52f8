import { execa } from 'execa';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { walkJobFiles } from '../../src/staging/scan.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { validateJobData } from '../../src/staging/validate.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeTree } from './tree.ts';
import { tempDir } from '../helpers/tempDir.ts';

let staging: string;
let outside: string;

beforeEach(async () => {
  staging = tempDir('stage');
  outside = tempDir('outside');
});
afterEach(async () => {
  await rm(staging, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

function job(over: Partial<JobDescriptor> = {}): JobDescriptor {
  return {
    version: 1,
    name: 'seed',
    service: 'offline',
    storageAccount: 'mystore',
    container: 'seed',
    blobType: 'auto',
    createdAt: '2026-11-21T10:00:00.000Z',
    ...over,
  };
}

async function collect(j: JobDescriptor) {
  const { deps } = fakeDeps();
  const out = [];
  for await (const f of walkJobFiles(deps, staging, j)) out.push(f);
  return out;
}

describe('walk and validate a clean tree', () => {
  it('unicode (NFC and NFD), spaces, empty files, nested folders: sorted, sizes, names kept byte for byte', async () => {
    const nfd = 'Cafe\u0301'; // e + combining acute
    const nfc = 'Z\u00fcrich';
    await makeTree(staging, {
      [`${nfd}/menu.txt`]: 'croissant',
      [`${nfc}.txt`]: 'grüezi',
      'my photos/2026/beach day.jpg': Buffer.alloc(1500, 1),
      'my photos/empty.txt': '',
      'a/b/c/d/e/deep.bin': Buffer.alloc(512),
      'Backup.AIBBlob': Buffer.alloc(4096),
      'zero.baseblob': '',
      '.diskprep/jobs/seed.json': '{}',
      emptydir: { dir: true },
    });
    const files = await collect(job());
    expect(files.map((f) => [f.relPath, f.size, f.blobType])).toEqual([
      ['Backup.AIBBlob', 4096, 'page'],
      [`${nfd}/menu.txt`, 9, 'block'],
      [`${nfc}.txt`, 7, 'block'],
      ['a/b/c/d/e/deep.bin', 512, 'block'],
      ['my photos/2026/beach day.jpg', 1500, 'block'],
      ['my photos/empty.txt', 0, 'block'],
      ['zero.baseblob', 0, 'page'],
    ]);
    // The NFD name was not normalised: it is the name on disk, and it opens.
    expect(files[1]!.relPath.normalize('NFC')).not.toBe(files[1]!.relPath);
    expect(files[1]!.absPath).toBe(path.join(staging, nfd, 'menu.txt'));
    const { deps } = fakeDeps();
    expect(await validateJobData(deps, staging, job())).toEqual({
      files: 7,
      bytes: 9 + 4096 + 7 + 512 + 1500,
      problems: [],
    });
  });

  it('a job with --data covers only that subfolder; links that stay inside the staging location are followed', async () => {
    await makeTree(staging, {
      'photos/a.jpg': 'a',
      'photos/link-to-doc.txt': { link: '../docs/doc.txt' },
      'photos/more': { link: '../docs' },
      'docs/doc.txt': 'doc',
    });
    const files = await collect(job({ data: 'photos' }));
    expect(files.map((f) => f.relPath)).toEqual(['a.jpg', 'link-to-doc.txt', 'more/doc.txt']);
  });
});

describe('walk order with concurrent stats', () => {
  it('a folder of 200 entries (more than the stat window) comes out sorted, folders in place', async () => {
    const entries: Record<string, string> = {};
    const names = Array.from({ length: 200 }, (_, i) => `n${(i * 7919) % 1000}`);
    for (const n of names) entries[n.endsWith('3') ? `${n}/inner.txt` : n] = n;
    await makeTree(staging, entries);
    const got = (await collect(job())).map((f) => f.relPath);
    const want = names
      .map((n) => (n.endsWith('3') ? `${n}/inner.txt` : n))
      .sort((a, b) => (a.split('/')[0]! < b.split('/')[0]! ? -1 : 1));
    expect(got).toEqual(want);
  });
});

describe('problems: all listed at once, nothing walked past silently', () => {
  it('bad names, case collisions, long blob names, page-blob lengths, escaping and broken links, loops, FIFOs', async () => {
    const long = 'L'.repeat(250);
    await makeTree(staging, {
      CON: 'x',
      'docs/nul.txt': 'x',
      'docs/report.': 'x',
      'docs/report ': 'x',
      'docs/a:b.txt': 'x',
      'docs/why?.txt': 'x',
      'docs/ctl\u0001.txt': 'x',
      'docs/README.md': 'x',
      'docs/readme.md': 'x',
      'docs/Caf\u00e9.txt': 'x',
      'docs/Cafe\u0301.txt': 'x',
      [`${long}/${long}/${long}/${long}/${long}/file.txt`]: 'x',
      'disk.vhd': Buffer.alloc(1000),
      'escape.txt': { link: path.join(outside, 'secret.txt') },
      'escape-dir': { link: outside },
      broken: { link: 'does-not-exist' },
      'loop/up': { link: '..' },
      'fine.txt': 'ok',
    });
    await makeTree(outside, { 'secret.txt': 'outside' });
    await execa('mkfifo', [path.join(staging, 'pipe')]);
    const { deps, recorded } = fakeDeps();
    const err = await validateJobData(deps, staging, job()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const u = err as UsageError;
    const problems = u.details!.problems as { path: string; problem: string }[];
    expect(u.message).toBe(
      `${problems.length} entries in the data of job "seed" cannot be imported; nothing was written`,
    );
    expect(u.exitCode).toBe(2);
    const byPath = problems.map((p) => p.path);
    expect(byPath).toEqual([
      'CON',
      `${long}/${long}/${long}/${long}/${long}/file.txt`,
      'broken',
      'disk.vhd',
      'docs/Caf\u00e9.txt',
      'docs/a:b.txt',
      'docs/ctl\u0001.txt',
      'docs/nul.txt',
      'docs/readme.md',
      'docs/report ',
      'docs/report.',
      'docs/why?.txt',
      'escape-dir',
      'escape.txt',
      'loop/up',
      'pipe',
    ]);
    const why = Object.fromEntries(problems.map((p) => [p.path, p.problem]));
    expect(why.CON).toMatch(/reserved device name/);
    expect(why.broken).toMatch(/broken symbolic link/);
    expect(why['disk.vhd']).toMatch(/page blob length 1000 is not a multiple of 512/);
    // Code-point order lists the NFD name (e + U+0301) first, so the NFC one is the duplicate.
    expect(why['docs/Caf\u00e9.txt']).toMatch(/same name as "Cafe\u0301.txt"/);
    expect(why['docs/readme.md']).toMatch(/same name as "README.md"/);
    expect(why['escape.txt']).toMatch(/leads outside the staging location/);
    expect(why['escape-dir']).toMatch(/leads outside the staging location/);
    expect(why['loop/up']).toMatch(/symbolic link loop/);
    expect(why.pipe).toMatch(/not a regular file/);
    expect(why[`${long}/${long}/${long}/${long}/${long}/file.txt`]).toMatch(
      /^blob name 1268 characters long \(with container and prefix\), over Azure's 1024$/,
    );
    // The operator sees each one on stderr (fewer than 20 here).
    expect(recorded.stderr).toHaveLength(problems.length);
    expect(recorded.stderr[0]).toMatch(/^✗ CON: /);
    // The copy walk refuses to follow the escaping link either.
    await rm(path.join(staging, 'pipe'));
    await rm(path.join(staging, 'broken'));
    await expect(collect(job())).rejects.toThrow(/leads outside the staging location/);
  });

  it('a blob name is counted with its container and prefix', async () => {
    const seg = 'n'.repeat(200);
    await makeTree(staging, { [`${seg}/${seg}/${seg}/${seg}/${seg.slice(0, 190)}.bin`]: 'x' });
    const { deps } = fakeDeps();
    // 4 x 201 + 194 = 998 characters: fits in a short container, not with a long prefix.
    await expect(validateJobData(deps, staging, job())).resolves.toMatchObject({ files: 1 });
    await expect(
      validateJobData(fakeDeps().deps, staging, job({ prefix: 'backups/server-01/2026' })),
    ).rejects.toThrow(/1 entry/);
  });

  it('more than 20 problems: the first 20 on stderr, all of them in details', async () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 30; i++) entries[`bad${String(i).padStart(2, '0')}?`] = 'x';
    await makeTree(staging, entries);
    const { deps, recorded } = fakeDeps();
    const err = (await validateJobData(deps, staging, job()).catch(
      (e: unknown) => e,
    )) as UsageError;
    expect((err.details!.problems as unknown[]).length).toBe(30);
    expect(recorded.stderr).toHaveLength(21);
    expect(recorded.stderr[20]).toMatch(/and 10 more/);
    // Nothing was written into the staging location.
    expect((await readdir(staging)).sort()).toEqual(Object.keys(entries).sort());
  });

  it('throwOnProblems: false returns the problems', async () => {
    await makeTree(staging, { 'AUX.log': 'x', 'ok.txt': 'fine' });
    const { deps } = fakeDeps();
    const r = await validateJobData(deps, staging, job(), { throwOnProblems: false });
    expect(r.files).toBe(2);
    expect(r.problems).toEqual([
      { path: 'AUX.log', problem: '"AUX" is a reserved device name on Windows' },
    ]);
  });
});

describe('the root container', () => {
  it('lists every file in a folder as a problem, and a prefix, when the container is $root', async () => {
    await makeTree(staging, {
      'Disk0.AIBBlob': Buffer.alloc(512),
      'Backup/Disk1.AIBBlob': Buffer.alloc(512),
      'Backup/old/Disk2.AIBBlob': Buffer.alloc(512),
    });
    const { deps } = fakeDeps();
    const { problems } = await validateJobData(deps, staging, job({ container: '$root' }), {
      throwOnProblems: false,
    });
    expect(problems).toEqual([
      {
        path: 'Backup/Disk1.AIBBlob',
        problem:
          'blob names in the root container ($root) cannot contain "/": this file is in a folder',
      },
      {
        path: 'Backup/old/Disk2.AIBBlob',
        problem:
          'blob names in the root container ($root) cannot contain "/": this file is in a folder',
      },
    ]);
    // A descriptor edited by hand: a prefix adds a "/" to every name.
    const withPrefix = await validateJobData(
      deps,
      staging,
      job({ container: '$root', prefix: 'seed', data: 'Backup/old' }),
      { throwOnProblems: false },
    );
    expect(withPrefix.problems).toEqual([
      {
        path: '.',
        problem: 'prefix "seed": the root container ($root) holds no virtual directories',
      },
    ]);
    // Any other container takes folders.
    expect(
      (await validateJobData(deps, staging, job(), { throwOnProblems: false })).problems,
    ).toEqual([]);
  });
});

describe('a local walk and a share walk see the same data', () => {
  // On Linux a local file system is walked with synchronous stats (src/fsutil/localFs.ts); where
  // the file system is not known to be local (a share, FUSE, Windows) stats go through the
  // threadpool, several at once. platform 'win32' takes the second path on this machine.
  it('same files, sizes, order and problems, whichever path the stats take', async () => {
    const entries: Record<string, string | { link: string } | Buffer> = {
      'docs/README.md': 'x',
      'docs/readme.md': 'y',
      'docs/nul.txt': 'z',
      'inside-link': { link: 'docs/README.md' },
      'escape.txt': { link: path.join(outside, 'secret.txt') },
      'disk.vhd': Buffer.alloc(1000),
    };
    for (let i = 0; i < 70; i++) entries[`many/f${(i * 37) % 100}.bin`] = Buffer.alloc(i);
    await makeTree(staging, entries);
    await makeTree(outside, { 'secret.txt': 'outside' });
    const seen = [];
    for (const platform of ['linux', 'win32'] as const) {
      const files: string[] = [];
      const { deps } = fakeDeps({ platform });
      const summary = await validateJobData(deps, staging, job(), {
        throwOnProblems: false,
        onFile: (f) => files.push(`${f.relPath}:${f.size}:${f.blobType}`),
      });
      seen.push({ files, summary });
    }
    expect(seen[0]!.summary.problems.map((p) => p.path)).toEqual([
      'disk.vhd',
      'docs/nul.txt',
      'docs/readme.md',
      'escape.txt',
    ]);
    expect(seen[0]!.files).toHaveLength(75);
    expect(seen[1]).toEqual(seen[0]);
  });
});
