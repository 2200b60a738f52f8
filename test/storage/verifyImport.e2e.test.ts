/**
 * `verify-import` after a real `prepare`: the built binary prepares a drive offline onto a
 * folder, the test uploads every file as the datacenter does (each `<BlobPath>`, a block blob
 * committed from the manifest's blocks, a page blob written with the manifest's page ranges)
 * into Azurite, and `verify-import` compares the container with the journal.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { containerClient } from '../../src/storage/client.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../fakes/azurite.ts';
import { runCli } from '../helpers/cli.ts';
import {
  offlinePrepareArgs,
  parseManifest,
  pseudoRandom,
  writeJob,
  writeTree,
} from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { importDrive } from './importDrive.ts';

const MiB = 1024 * 1024;
let azurite: Azurite;
let staging = '';
let target = '';
let env: Record<string, string>;

beforeAll(async () => {
  azurite = await startAzurite();
  env = { DISKPREP_BLOB_ENDPOINT: azurite.endpoint };
  staging = tempDir('vi-stg');
  target = tempDir('vi-drive');
  writeTree(staging, {
    'docs/a.txt': 'hello\n',
    'docs/empty.txt': '',
    'big.bin': pseudoRandom(6 * MiB, 1),
    // A page blob with a hole: two page ranges in the manifest.
    'disk.vhd': Buffer.concat([pseudoRandom(MiB, 2), Buffer.alloc(4 * MiB), pseudoRandom(MiB, 3)]),
  });
  writeJob(
    staging,
    { storageAccount: AZURITE_ACCOUNT, container: 'backup', prefix: 'seed' },
    { storageAccountKey: AZURITE_KEY },
  );
  const r = await runCli(offlinePrepareArgs(staging, target, 'VI-DRIVE1'));
  expect(r.exitCode, r.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await azurite?.stop();
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(target, { recursive: true, force: true });
});

function container(): ContainerClient {
  return containerClient(
    {
      account: AZURITE_ACCOUNT,
      container: 'backup',
      credential: { accountKey: AZURITE_KEY },
      blobEndpoint: azurite.endpoint,
    },
    new Redactor(),
  );
}

/** Overwrites one byte of a blob in place, keeping its block ids / page ranges. */
async function flipByte(c: ContainerClient, name: string, at: number): Promise<void> {
  const props = await c.getBlobClient(name).getProperties();
  if (props.blobType === 'PageBlob') {
    const page = c.getPageBlobClient(name);
    const start = Math.floor(at / 512) * 512;
    const buf = await page.downloadToBuffer(start, 512);
    buf[at - start] = buf[at - start]! ^ 0x01;
    await page.uploadPages(buf, start, 512);
    return;
  }
  const block = c.getBlockBlobClient(name);
  const list = (await block.getBlockList('committed')).committedBlocks!;
  let off = 0;
  for (const k of list) {
    if (at < off + k.size) {
      const buf = await block.downloadToBuffer(off, k.size);
      buf[at - off] = buf[at - off]! ^ 0x01;
      await block.stageBlock(k.name, buf, k.size);
      await block.commitBlockList(list.map((x) => x.name));
      return;
    }
    off += k.size;
  }
}

const verifyImport = (...extra: string[]) =>
  runCli(['verify-import', `s:${staging}`, '--json', ...extra], { env });

describe('diskprep verify-import after a real prepare (Azurite, built binary)', () => {
  it('the imported container matches the journal; a changed byte, a re-assembled blob, a missing and a stray blob are each listed with their file', async () => {
    const c = container();
    await importDrive(c, target);
    const manifest = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(
      manifest.blobs.map((b) => [b.BlobPath, b.PageRangeList === undefined ? 'block' : 'page']),
    ).toEqual([
      ['backup/seed/big.bin', 'block'],
      ['backup/seed/disk.vhd', 'page'],
      ['backup/seed/docs/a.txt', 'block'],
      ['backup/seed/docs/empty.txt', 'block'],
    ]);

    const ok = await verifyImport('--read');
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      expected: 4,
      matching: 4,
      readBytes: 8 * MiB + 6,
      drives: ['VI-DRIVE1'],
      missing: [],
      extra: [],
      different: [],
    });

    // One byte changed inside the service's copy, ids and ranges kept: only --read sees it.
    await flipByte(c, 'seed/big.bin', 5 * MiB + 3);
    await flipByte(c, 'seed/disk.vhd', 5 * MiB + 700);
    const quick = await verifyImport();
    expect(quick.exitCode, quick.stderr).toBe(0);
    const read = await verifyImport('--read');
    expect(read.exitCode).toBe(1);
    expect(JSON.parse(read.stdout).different).toEqual([
      expect.objectContaining({
        name: 'seed/big.bin',
        file: '\\job1\\big.bin',
        problem: 'content',
        offset: 4 * MiB,
        driveId: 'VI-DRIVE1',
      }),
      expect.objectContaining({
        name: 'seed/disk.vhd',
        file: '\\job1\\disk.vhd',
        problem: 'content',
        offset: 5 * MiB,
      }),
    ]);
    const human = await runCli(['verify-import', `s:${staging}`, '--read'], { env });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain(
      'different: seed/big.bin (file \\job1\\big.bin, drive VI-DRIVE1): content at offset 4194304',
    );

    // Blob assembled from other blocks (a block re-staged under its own MD5 id), one deleted,
    // one nobody promised, a page range written where the manifest has a hole.
    await importDrive(c, target);
    const big = c.getBlockBlobClient('seed/big.bin');
    const blocks = (await big.getBlockList('committed')).committedBlocks!;
    const other = Buffer.alloc(blocks[1]!.size, 7);
    const otherId = `MD5/${createHash('md5').update(other).digest('base64')}`;
    await big.stageBlock(otherId, other, other.length);
    await big.commitBlockList([blocks[0]!.name, otherId]);
    await c.getBlobClient('seed/docs/a.txt').delete();
    await c.getBlockBlobClient('seed/stray.bin').upload('x', 1);
    await c.getPageBlobClient('seed/disk.vhd').uploadPages(Buffer.alloc(512, 1), 2 * MiB, 512);
    const bad = await verifyImport();
    expect(bad.exitCode).toBe(1);
    const out = JSON.parse(bad.stdout);
    expect(out.ok).toBe(false);
    expect(out.missing).toEqual([
      { name: 'seed/docs/a.txt', file: '\\job1\\docs\\a.txt', length: 6, driveId: 'VI-DRIVE1' },
    ]);
    expect(out.extra).toEqual([{ name: 'seed/stray.bin', length: 1 }]);
    expect(out.different).toEqual([
      expect.objectContaining({
        name: 'seed/big.bin',
        file: '\\job1\\big.bin',
        problem: 'blocks',
        offset: 4 * MiB,
      }),
      expect.objectContaining({
        name: 'seed/disk.vhd',
        file: '\\job1\\disk.vhd',
        problem: 'pages',
        offset: 2 * MiB,
      }),
    ]);
  }, 120_000);

  it('a job whose journal records no prepared drive is a one-line error (exit 2)', async () => {
    const empty = tempDir('vi-empty');
    try {
      writeJob(
        empty,
        { storageAccount: AZURITE_ACCOUNT, container: 'backup' },
        { storageAccountKey: AZURITE_KEY },
      );
      const r = await runCli(['verify-import', `s:${empty}`], { env });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/records no prepared drive/);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
