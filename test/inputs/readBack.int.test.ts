/**
 * Regressions of issue 11 §3 and §4, one test per observed defect: files read back from the
 * staging location, a drive or the operator's disk are untrusted input. Each runs through
 * src/main.ts `run()` in-process (the real deps and exit mapping) on real files; the built
 * binary repeats the ones that crashed or hung a real process (test/fuzz/binary.e2e.test.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPublishSettings } from '../../src/publishsettings/load.ts';
import { walkJobFiles, walkJobTree } from '../../src/staging/scan.ts';
import { walkJobFilesSync } from '../../src/engine/walkSync.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import {
  KEY1,
  offlineInitArgs,
  offlinePrepareArgs,
  writeJob,
  writeTree,
} from '../engine/stagingFixture.ts';
import type { CliRun } from '../helpers/cli.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { runMain } from '../helpers/runMain.ts';
import { makeCert, makePfx, v1Xml } from '../publishsettings/fixtures.ts';
import { tempDir } from '../helpers/tempDir.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function dir(prefix: string): string {
  const d = tempDir(prefix);
  return d;
}

/**
 * Exit 2 and one line on stderr matching `re` (`prepare`'s preflight adds its failed check and
 * fix above it: `lines` 3).
 */
function expectOneLine(r: CliRun, re: RegExp, lines = 1): void {
  expect(r.exitCode, r.stderr).toBe(2);
  const all = r.stderr.trim().split('\n');
  expect(all, r.stderr).toHaveLength(lines);
  expect(all.at(-1)).toMatch(re);
  expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
}

/** A staging location with job1 over `data/`, a secret outside it, and the journal. */
function stagingWithJob(data: string | undefined): {
  root: string;
  staging: string;
  target: string;
} {
  const root = dir('readback');
  const staging = path.join(root, 'staging');
  const target = path.join(root, 'target');
  fs.mkdirSync(target);
  writeTree(root, { 'outside/secret.txt': 'outside secret' });
  writeTree(staging, { 'data/a.txt': 'a', 'data/b/c.txt': 'c' });
  writeJob(staging, data === undefined ? {} : { data });
  return { root, staging, target };
}

const prepare = (staging: string, target: string) =>
  runMain(offlinePrepareArgs(staging, target, 'DRIVE1'));

describe('job descriptor: data stays inside the staging location, never .diskprep', () => {
  it.each(['../outside', '.diskprep/journal', '.DiskPrep', '/etc', 'data/../../outside'])(
    'data "%s": plan and prepare exit 2 naming the field; nothing is copied',
    async (data) => {
      const { staging, target } = stagingWithJob(data);
      const file = path.join(staging, '.diskprep', 'jobs', 'job1.json');
      const re = new RegExp(`job descriptor ${file} is invalid: data: `);
      expectOneLine(await runMain(['plan', `s:${staging}`, '--drive-size', '1GB']), re);
      expectOneLine(await prepare(staging, target), re);
      expect(fs.readdirSync(target)).toEqual([]);
    },
  );

  it('data naming a link that leaves the staging location, or enters .diskprep, is refused by its real path', async () => {
    for (const [link, to, says] of [
      ['link-out', '../outside', /data "link-out" leads outside the staging location/],
      [
        'link-in',
        '.diskprep/journal',
        /data "link-in" leads into diskprep's own \.diskprep folder/,
      ],
    ] as const) {
      const { staging, target } = stagingWithJob(link);
      fs.symlinkSync(to, path.join(staging, link));
      expectOneLine(await runMain(['plan', `s:${staging}`, '--drive-size', '1GB']), says);
      expectOneLine(await prepare(staging, target), says, 3);
      expect(fs.readdirSync(target)).toEqual([]);
    }
  });
});

describe('the walkers never yield a file under .diskprep (defence in depth)', () => {
  /** Every file each walker yields, or the error it throws. */
  async function walkAll(staging: string, job: JobDescriptor): Promise<string[][]> {
    const { deps } = fakeDeps();
    const out: string[][] = [];
    const attempt = async (f: () => Promise<string[]>) =>
      out.push(await f().catch((e: unknown) => [`error: ${(e as Error).message}`]));
    await attempt(async () => {
      const got: string[] = [];
      for await (const f of walkJobFiles(deps, staging, job)) got.push(f.absPath);
      return got;
    });
    await attempt(async () => {
      const got: string[] = [];
      for await (const ev of walkJobTree(deps, staging, job))
        if (ev.kind === 'file') got.push(ev.file.absPath);
        else if (ev.kind === 'problem') got.push(`problem: ${ev.problem}`);
      return got;
    });
    await attempt(async () => [...walkJobFilesSync(staging, job)].map((f) => f.absPath));
    return out;
  }

  it('the whole staging location as data: .diskprep (journal, secrets) is skipped', async () => {
    const { staging } = stagingWithJob(undefined);
    const job = writeJob(staging);
    for (const files of await walkAll(staging, job)) {
      expect(files.sort()).toEqual(
        ['data/a.txt', 'data/b/c.txt'].map((f) => path.join(staging, f)).sort(),
      );
    }
  });

  it('a descriptor that skipped the schema (data ".diskprep/journal") is refused by every walker', async () => {
    const { staging } = stagingWithJob(undefined);
    const job: JobDescriptor = { ...writeJob(staging), data: '.diskprep/journal' };
    for (const files of await walkAll(staging, job)) {
      expect(files).toEqual([
        expect.stringMatching(/data "\.diskprep\/journal" leads into diskprep's own/),
      ]);
    }
  });

  it('a link inside the data into .diskprep is a problem, not a file', async () => {
    const { staging } = stagingWithJob(undefined);
    const job = writeJob(staging);
    fs.symlinkSync(path.join(staging, '.diskprep'), path.join(staging, 'data', 'journal-dir'));
    fs.symlinkSync(
      path.join(staging, '.diskprep', 'journal', 'job1', 'secrets.json'),
      path.join(staging, 'data', 'secrets-file'),
    );
    for (const files of await walkAll(staging, job)) {
      expect(files.some((f) => f.includes(`${path.sep}.diskprep${path.sep}`))).toBe(false);
      expect(
        files.some((f) => /symbolic link leads into diskprep's own \.diskprep folder/.test(f)),
      ).toBe(true);
    }
  });
});

describe('copy state: job, session id and drive ids stay names, not paths', () => {
  let staging: string;
  let target: string;
  let state: string;
  let original: string;
  beforeAll(async () => {
    ({ staging, target } = stagingWithJob(undefined));
    expect((await prepare(staging, target)).exitCode).toBe(0);
    state = path.join(staging, '.diskprep', 'journal', 'job1', 'copy-state.json');
    original = fs.readFileSync(state, 'utf8');
  });

  it.each([
    ['job', (s: Record<string, unknown>) => (s.job = '../x')],
    ['job', (s: Record<string, unknown>) => (s.job = 'job2')],
    ['sessionId', (s: Record<string, unknown>) => (s.sessionId = '../../etc')],
    [
      'drives.0.driveId',
      (s: Record<string, unknown>) =>
        ((s.drives as Record<string, unknown>[])[0]!.driveId = '../../x'),
    ],
    [
      'drives.0.bitLockerKey',
      (s: Record<string, unknown>) =>
        ((s.drives as Record<string, unknown>[])[0]!.bitLockerKey = 'nope'),
    ],
    [
      'cursor.files',
      (s: Record<string, unknown>) => ((s.cursor as Record<string, unknown>).files = 1.5),
    ],
    [
      'drives.0.givenUp',
      (s: Record<string, unknown>) =>
        ((s.drives as Record<string, unknown>[])[0]!.givenUp = 'yesterday'),
    ],
  ])(
    '%s broken: prepare and verify --staging exit 2 naming the file and the field',
    async (field, mutate) => {
      const s = JSON.parse(original) as Record<string, unknown>;
      mutate(s);
      fs.writeFileSync(state, JSON.stringify(s));
      const re = new RegExp(
        `the copy journal ${state} is invalid: ${field.replace(/\./g, '\\.')}: `,
      );
      for (const r of [
        await prepare(staging, target),
        await runMain(['verify', '--target', target, '--staging', staging]),
      ]) {
        expectOneLine(r, re);
        expect(r.stderr).not.toContain(KEY1);
      }
      fs.writeFileSync(state, original);
    },
  );
});

describe('manifests: numbers, XML and paths', () => {
  let target: string;
  let manifest: string;
  beforeAll(async () => {
    const s = stagingWithJob(undefined);
    target = s.target;
    expect((await prepare(s.staging, target)).exitCode).toBe(0);
    manifest = fs.readFileSync(path.join(target, 'DriveManifest.xml'), 'utf8');
  });
  const verifyWith = (text: string) => {
    fs.writeFileSync(path.join(target, 'DriveManifest.xml'), text);
    return runMain(['verify', '--target', target]);
  };

  it.each([
    [
      'a fractional blob Length',
      (m: string) => m.replace('<Length>1</Length>', '<Length>1.5</Length>'),
      // The line of the <Blob> element that holds it, in the manifest prepare wrote.
      (m: string) =>
        new RegExp(
          `\\(line ${m.slice(0, m.lastIndexOf('<Blob>', m.indexOf('<Length>1</Length>'))).split('\n').length}\\): Length "1\\.5" is not a whole number`,
        ),
    ],
    [
      'a fractional block Length (aborted Node)',
      (m: string) => m.replace('Offset="0" Length="1"', 'Offset="0" Length="0.5"'),
      /block Length "0\.5" is not a whole number/,
    ],
    [
      'a negative Offset',
      (m: string) => m.replace('Offset="0"', 'Offset="-1"'),
      /block Offset "-1" is not a whole number/,
    ],
    [
      'a Length beyond 2^53',
      (m: string) => m.replace('<Length>1</Length>', '<Length>9007199254740993</Length>'),
      /Length "9007199254740993" is not a whole number/,
    ],
    [
      'a DOCTYPE',
      (m: string) => m.replace('<DriveManifest', '<!DOCTYPE d [<!ENTITY a "a">]><DriveManifest'),
      /\(line 2\): it holds a DOCTYPE or entity declaration/,
    ],
    [
      'a truncated tag',
      (m: string) => m.replace('</FilePath>', '</FilePa'),
      /is not a valid drive manifest \(line \d+\): /,
    ],
    [
      'a FilePath that leaves the drive root',
      (m: string) =>
        m.replace(/<FilePath>[^<]*<\/FilePath>/, '<FilePath>\\..\\..\\etc\\passwd</FilePath>'),
      /FilePath "\\\.\.\\\.\.\\etc\\passwd" has an empty, "\." or "\.\." segment/,
    ],
    [
      'deep nesting',
      (m: string) => m.replace('<Length>', `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}<Length>`),
      /elements nested deeper than 32 levels/,
    ],
    [
      'raw binary',
      () => `<DriveManifest>${'\u0000\u0001\uFFFD'.repeat(2000)}`,
      /not a valid drive manifest/,
    ],
  ])('%s: exit 2, one line naming the manifest', async (_what, mutate, says) => {
    const r = await verifyWith(mutate(manifest));
    expectOneLine(r, typeof says === 'function' ? says(manifest) : says);
    expect(r.stderr).toContain(path.join(target, 'DriveManifest.xml'));
    expect(r.stderr.length).toBeLessThan(400);
  });
});

describe('special files are refused before a byte is read', () => {
  let root: string;
  let fifo: string;
  beforeAll(() => {
    root = dir('special');
    fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
  });

  it.each([
    ['a FIFO', () => fifo, /is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', () => '/dev/zero', /is a character device, not a regular file/],
    ['a folder', () => root, /is a folder, not a regular file/],
  ])(
    '%s as publish settings, manifest, descriptor and --ca-file: exit 2',
    async (_what, special, says) => {
      expectOneLine(await runMain(['settings', `p:${special()}`]), says);
      const target = dir('special-target');
      fs.symlinkSync(special(), path.join(target, 'DriveManifest.xml'));
      expectOneLine(await runMain(['verify', '--target', target]), says);
      const { staging } = stagingWithJob(undefined);
      const descriptor = path.join(staging, '.diskprep', 'jobs', 'job1.json');
      fs.rmSync(descriptor);
      fs.symlinkSync(special(), descriptor);
      expectOneLine(await runMain(['plan', `s:${staging}`, '--drive-size', '1GB']), says);
      expectOneLine(await runMain(['check', '--ca-file', special()]), says);
    },
  );

  it('a FIFO among the files on a drive is reported, not waited for', async () => {
    const { staging, target } = stagingWithJob(undefined);
    expect((await prepare(staging, target)).exitCode).toBe(0);
    const file = path.join(target, 'job1', 'data', 'a.txt');
    fs.rmSync(file);
    execFileSync('mkfifo', [file]);
    const r = await runMain(['verify', '--target', target, '--json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).mismatches).toEqual([
      expect.objectContaining({ file: '\\job1\\data\\a.txt', problem: 'unreadable' }),
    ]);
  });
});

describe('secrets and SAS', () => {
  const BAD_SAS = 'sv=2020-01-01&se=2099-01-01&sig=%zz';

  it('init refuses a SAS with a malformed escape in one line', async () => {
    const { staging } = stagingWithJob(undefined);
    const r = await runMain(offlineInitArgs(staging, 'job2', ['--container-sas', BAD_SAS]));
    expectOneLine(r, /--container-sas is not a SAS token \(it holds a malformed %-escape/);
  });

  it('a secrets file holding one: prepare exits 2 naming the file and the field ("URI malformed" before)', async () => {
    const { staging, target } = stagingWithJob(undefined);
    const secrets = path.join(staging, '.diskprep', 'journal', 'job1', 'secrets.json');
    fs.writeFileSync(secrets, JSON.stringify({ containerSas: BAD_SAS }));
    const r = await prepare(staging, target);
    expectOneLine(
      r,
      new RegExp(`secrets file ${secrets} is invalid: containerSas: it holds a malformed`),
    );
    expect(r.stderr).not.toContain('URI malformed');
  });
});

describe('publish settings', () => {
  let cert: string;
  let root: string;
  beforeAll(async () => {
    root = dir('ps');
    cert = await makePfx(root, await makeCert(root, 'c', 'big'), 'modern');
  }, 60_000);

  it('40,000 subscriptions (and each again, as a duplicate) parse into 40,000', async () => {
    const guid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    const subs = Array.from({ length: 40_000 }, (_, i) => ({ id: guid(i), name: `sub ${i}` }));
    const file = path.join(root, 'big.publishsettings');
    fs.writeFileSync(file, v1Xml(cert, [...subs, ...subs.slice(0, 1000)]));
    const { deps } = fakeDeps();
    const settings = await loadPublishSettings(deps, file);
    expect(settings.subscriptions).toHaveLength(40_000);
    expect(settings.subscriptions[39_999]).toMatchObject({ id: guid(39_999), name: 'sub 39999' });
  });

  it('deep nesting and a DOCTYPE: exit 2, one line with the line number', async () => {
    const deep = path.join(root, 'deep.publishsettings');
    fs.writeFileSync(
      deep,
      `<PublishData>\n<PublishProfile>\n${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</PublishProfile></PublishData>`,
    );
    expectOneLine(
      await runMain(['settings', `p:${deep}`]),
      /deep\.publishsettings is not a valid publish settings file \(line 3\): elements nested deeper than 32 levels/,
    );
    const dtd = path.join(root, 'dtd.publishsettings');
    fs.writeFileSync(
      dtd,
      `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<PublishData/>`,
    );
    expectOneLine(await runMain(['settings', `p:${dtd}`]), /\(line 2\): it holds a DOCTYPE/);
  });
});

describe('journal and per-computer records name the file and the field', () => {
  it('a job record with a drive id that is a path', async () => {
    const { staging, target } = stagingWithJob(undefined);
    expect((await prepare(staging, target)).exitCode).toBe(0);
    const file = path.join(staging, '.diskprep', 'journal', 'job1', 'job.json');
    const record = {
      version: 1,
      job: 'job1',
      service: 'offline',
      location: 'westus',
      createdAt: '2026-11-21T10:00:00Z',
      serviceState: 'Creating',
      drives: [{ driveId: '../../x', manifestHash: '4492E3B626299FA16AD7409632025187' }],
    };
    fs.writeFileSync(file, JSON.stringify(record));
    const { readJobRecord } = await import('../../src/journal/jobRecord.ts');
    await expect(readJobRecord(fakeDeps().deps, staging, 'job1')).rejects.toMatchObject({
      exitCode: 2,
      message: `the journal's job record ${file} is invalid: drives.0.driveId: must not be a path`,
    });
  });
});
