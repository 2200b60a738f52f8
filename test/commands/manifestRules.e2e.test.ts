/**
 * The drive manifest as the datacenter parses it, after a real `init` + offline `prepare
 * --target` of the built binary: the ContainerSas form, no credential for a Data Box job,
 * ImportDisposition on every blob in its documented place, the root container; and `verify`
 * holding a written manifest to the same rules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initArgs, runCli } from '../helpers/cli.ts';
import {
  containerSasToken,
  offlinePrepareArgs,
  parseManifest,
  STORAGE_KEY,
  writeTree,
} from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const SUB = '8a4a0a51-728e-482e-8daa-c477f03c541d';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(files: Record<string, Buffer | string>): { staging: string; target: string } {
  const staging = tempDir('stg');
  const target = tempDir('tgt');
  writeTree(staging, files);
  return { staging, target };
}

async function ok(args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runCli(args, { env });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

/** `<Blob>` elements of the raw manifest text. */
function rawBlobs(manifest: string): string[] {
  return [...manifest.matchAll(/<Blob>[\s\S]*?<\/Blob>/g)].map((m) => m[0]);
}

interface VerifyJson {
  ok: boolean;
  mismatches: { file: string; problem: string; expected?: string; actual?: string }[];
}

const FILES = {
  'a.txt': 'hello\n',
  'server01/b.txt': 'x'.repeat(5000),
  'server01/Disk0.AIBBlob': Buffer.alloc(8192, 3),
};

describe('the drive manifest as the datacenter parses it (built binary)', () => {
  it('classic with a SAS: <container>?<token>, the chosen disposition after Length on every blob; verify holds a tampered manifest to the rules', async () => {
    const { staging, target } = setup(FILES);
    const token = containerSasToken('seed');
    const sig = new URLSearchParams(token).get('sig')!;
    await ok(initArgs(staging, 'seed01', 'classic', 'seed', ['--disposition', 'rename']), {
      DISKPREP_CONTAINER_SAS: `seed?${token}`,
    });
    await ok(offlinePrepareArgs(staging, target, 'M1'));
    const file = path.join(target, 'DriveManifest.xml');
    const m = parseManifest(file);
    expect(m.ContainerSas).toBe(`seed?${token}`);
    expect(m.StorageAccountKey).toBeUndefined();
    expect(m.blobs.map((b) => [b.BlobPath, b.ImportDisposition])).toEqual([
      ['seed/a.txt', 'rename'],
      ['seed/server01/Disk0.AIBBlob', 'rename'],
      ['seed/server01/b.txt', 'rename'],
    ]);
    // The format's order: ... Length, ImportDisposition, then the block or page-range list.
    for (const blob of rawBlobs(fs.readFileSync(file, 'utf8'))) {
      expect(blob).toMatch(
        /^<Blob>\s*<BlobPath>[^<]*<\/BlobPath>\s*<FilePath>[^<]*<\/FilePath>\s*<Length>\d+<\/Length>\s*<ImportDisposition>rename<\/ImportDisposition>\s*<(BlockList|PageRangeList)>/,
      );
    }
    const good = JSON.parse(
      await ok(['verify', '--target', target, '--staging', staging, '--json']),
    ) as VerifyJson;
    expect(good).toMatchObject({ ok: true, mismatches: [] });

    // The manifest as an older diskprep wrote it: a bare token, and a value the service does not know.
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      text
        .replace('<ContainerSas>seed?', '<ContainerSas>')
        .replace('<ImportDisposition>rename<', '<ImportDisposition>Overwrite<'),
    );
    const r = await runCli(['verify', '--target', target, '--json']);
    expect(r.exitCode).toBe(1);
    const bad = JSON.parse(r.stdout) as VerifyJson;
    expect(bad.mismatches).toEqual([
      {
        target,
        file: '\\DriveManifest.xml',
        problem: 'manifest-rule',
        expected: 'ContainerSas "<container>?<SAS token>"',
        actual: 'a bare SAS token, without "<container>?" in front',
      },
      {
        target,
        file: '\\seed01\\a.txt',
        problem: 'manifest-rule',
        expected: 'ImportDisposition rename | no-overwrite | overwrite',
        actual: '"Overwrite"',
      },
    ]);
    const human = await runCli(['verify', '--target', target]);
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toMatch(/\\DriveManifest\.xml: manifest-rule \(expected ContainerSas/);
    for (const out of [r.stdout, r.stderr, human.stdout, human.stderr]) {
      expect(out).not.toContain(sig);
      expect(out).not.toContain(encodeURIComponent(sig));
    }
  });

  it('databox: neither a key nor a SAS on the drive, overwrite by default; verify refuses a key in it', async () => {
    const { staging, target } = setup(FILES);
    const arm = ['--subscription', SUB, '--resource-group', 'rg', '--location', 'westeurope'];
    const init = await runCli(initArgs(staging, 'box01', 'databox', 'seed', arm), {
      env: { DISKPREP_STORAGE_ACCOUNT_KEY: STORAGE_KEY },
    });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/the drive manifest carries no key or SAS/);
    await ok(offlinePrepareArgs(staging, target, 'M2'));
    const file = path.join(target, 'DriveManifest.xml');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/StorageAccountKey|ContainerSas/);
    expect(text).not.toContain(STORAGE_KEY);
    expect(new Set(parseManifest(file).blobs.map((b) => b.ImportDisposition))).toEqual(
      new Set(['overwrite']),
    );
    await ok(['verify', '--target', target, '--staging', staging]);

    fs.writeFileSync(
      file,
      text.replace(
        '</DriveId>',
        `</DriveId>\n    <StorageAccountKey>${STORAGE_KEY}</StorageAccountKey>`,
      ),
    );
    const r = await runCli(['verify', '--target', target, '--staging', staging, '--json']);
    expect(r.exitCode).toBe(1);
    expect((JSON.parse(r.stdout) as VerifyJson).mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: '\\DriveManifest.xml',
          problem: 'manifest-rule',
          expected: expect.stringMatching(/^no StorageAccountKey or ContainerSas \(a databox job/),
          actual: 'StorageAccountKey',
        }),
      ]),
    );
    expect(r.stdout + r.stderr).not.toContain(STORAGE_KEY);
  });

  it('$root: nested files refused by name at init; top-level files become $root/<name>; verify refuses a nested root blob', async () => {
    const { staging, target } = setup({
      'top/Disk0.AIBBlob': Buffer.alloc(1024, 1),
      'top/Disk1.BaseBlob': Buffer.alloc(512, 2),
      'top/Backup/Disk2.AIBBlob': Buffer.alloc(512, 3),
    });
    const rootInit = initArgs(staging, 'root01', 'offline', '$root', ['--data', 'top']);
    const refused = await runCli(rootInit);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /Backup\/Disk2\.AIBBlob: blob names in the root container \(\$root\) cannot contain "\/"/,
    );
    expect(refused.stderr).toMatch(/1 entry in the data of job "root01" cannot be imported/);
    fs.rmSync(path.join(staging, 'top', 'Backup'), { recursive: true });
    await ok(rootInit);
    await ok(offlinePrepareArgs(staging, target, 'M3'));
    const file = path.join(target, 'DriveManifest.xml');
    expect(parseManifest(file).blobs.map((b) => [b.BlobPath, b.FilePath])).toEqual([
      ['$root/Disk0.AIBBlob', '\\root01\\Disk0.AIBBlob'],
      ['$root/Disk1.BaseBlob', '\\root01\\Disk1.BaseBlob'],
    ]);
    await ok(['verify', '--target', target, '--staging', staging]);

    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('$root/Disk1.BaseBlob', '$root/Backup/Disk1.BaseBlob'),
    );
    const r = await runCli(['verify', '--target', target, '--json']);
    expect(r.exitCode).toBe(1);
    expect((JSON.parse(r.stdout) as VerifyJson).mismatches).toEqual([
      expect.objectContaining({
        file: '\\root01\\Disk1.BaseBlob',
        problem: 'manifest-rule',
        expected: 'a blob name without "/" in the root container ($root)',
        actual: '"$root/Backup/Disk1.BaseBlob"',
      }),
    ]);
  });
});
