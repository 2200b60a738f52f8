import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureError } from '../../src/errors.ts';
import { Redactor } from '../../src/redact.ts';
import { containerClient } from '../../src/storage/client.ts';
import { fetchLogBlob, summarizeDriveLog } from '../../src/storage/errorLogs.ts';
import { readManifests } from '../../src/storage/manifests.ts';
import { storagePreflight } from '../../src/storage/preflight.ts';
import { importContainerSas } from '../../src/storage/sas.ts';
import { verifyImportedBlobs } from '../../src/storage/verifyImport.ts';
import * as fsPromises from 'node:fs/promises';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../fakes/azurite.ts';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex').toUpperCase();

function manifestXml(driveId: string, blobs: { path: string; data: Buffer }[]): string {
  const items = blobs
    .map(
      (b) =>
        `<Blob><BlobPath>photos/${b.path}</BlobPath><FilePath>\\s1\\${b.path}</FilePath><Length>${b.data.length}</Length>` +
        `<BlockList><Block Offset="0" Length="${b.data.length}" Id="AAAAAA==" Hash="${md5(b.data)}"/></BlockList></Blob>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><DriveManifest Version="2014-11-01"><Drive><DriveId>${driveId}</DriveId><BlobList Id="s1">${items}</BlobList></Drive></DriveManifest>`;
}

describe('storage against Azurite', () => {
  it('preflight: creates the container with the key, then works with a SAS made from the key', async () => {
    const redactor = new Redactor();
    const byKey = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: 'photos',
        credential: { accountKey: AZURITE_KEY },
        blobEndpoint: azurite.endpoint,
      },
      redactor,
    );
    expect(
      (await storagePreflight(byKey, { account: AZURITE_ACCOUNT, create: true })).created,
    ).toBe(true);
    expect(
      (await storagePreflight(byKey, { account: AZURITE_ACCOUNT, create: true })).created,
    ).toBe(false);

    const sas = importContainerSas(
      {
        account: AZURITE_ACCOUNT,
        accountKey: AZURITE_KEY,
        container: 'photos',
        now: new Date(),
        allowHttp: true,
      },
      redactor,
    );
    expect(new URLSearchParams(sas).get('sp')).toBe('racwdl');
    const bySas = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: 'photos',
        credential: { sas },
        blobEndpoint: azurite.endpoint,
      },
      redactor,
    );
    await storagePreflight(bySas, { account: AZURITE_ACCOUNT, create: false });
    await bySas.getBlockBlobClient('probe.txt').upload('x', 1);
    // Secrets are registered: the SAS signature and the key never print.
    expect(redactor.redact(`u=${azurite.endpoint}/photos?${sas} k=${AZURITE_KEY}`)).not.toMatch(
      /sig=[^*&]/,
    );
    expect(redactor.redact(AZURITE_KEY)).toBe('***');
  });

  it('preflight: a wrong key and a missing container are one-line errors with exit 4', async () => {
    const redactor = new Redactor();
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const bad = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: 'photos',
        credential: { accountKey: wrongKey },
        blobEndpoint: azurite.endpoint,
      },
      redactor,
    );
    const e1 = (await storagePreflight(bad, { account: AZURITE_ACCOUNT, create: true }).catch(
      (e: unknown) => e,
    )) as AzureError;
    expect(e1).toBeInstanceOf(AzureError);
    expect(e1.exitCode).toBe(4);
    expect(e1.message).toBe(
      `storage account ${AZURITE_ACCOUNT} refused the credentials (wrong key, or an expired/invalid SAS)`,
    );
    expect(e1.message).not.toContain(wrongKey);
    const good = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: 'nothere',
        credential: { accountKey: AZURITE_KEY },
        blobEndpoint: azurite.endpoint,
      },
      redactor,
    );
    const e2 = (await storagePreflight(good, { account: AZURITE_ACCOUNT, create: false }).catch(
      (e: unknown) => e,
    )) as AzureError;
    expect(e2.message).toBe(`container nothere does not exist in ${AZURITE_ACCOUNT}`);
  });

  it('verify-import: finds missing, extra and different blobs against the manifests', async () => {
    const redactor = new Redactor();
    const c = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: 'photos',
        credential: { accountKey: AZURITE_KEY },
        blobEndpoint: azurite.endpoint,
      },
      redactor,
    );
    await c.createIfNotExists();
    const files = {
      'job1/a.bin': Buffer.from('alpha alpha alpha'),
      'job1/b.bin': Buffer.from('bravo'),
      'job1/c.bin': Buffer.from('charlie'),
      'job1/d.bin': Buffer.from('delta delta'),
    };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-manifest-'));
    const m1 = path.join(dir, 'DRIVE1.manifest.xml');
    const m2 = path.join(dir, 'DRIVE2.manifest.xml');
    await writeFile(
      m1,
      manifestXml('DRIVE1', [
        { path: 'job1/a.bin', data: files['job1/a.bin'] },
        { path: 'job1/b.bin', data: files['job1/b.bin'] },
      ]),
    );
    await writeFile(
      m2,
      manifestXml('DRIVE2', [
        { path: 'job1/c.bin', data: files['job1/c.bin'] },
        { path: 'job1/d.bin', data: files['job1/d.bin'] },
      ]),
    );
    const upload = (name: string, data: Buffer, contentMD5?: Buffer) =>
      c
        .getBlockBlobClient(name)
        .upload(
          data,
          data.length,
          contentMD5 ? { blobHTTPHeaders: { blobContentMD5: contentMD5 } } : {},
        );
    const md5buf = (b: Buffer) => createHash('md5').update(b).digest();
    await upload('job1/a.bin', files['job1/a.bin'], md5buf(files['job1/a.bin']));
    await upload('job1/b.bin', Buffer.from('bravX'), md5buf(Buffer.from('bravX'))); // same length, other MD5
    await upload('job1/c.bin', Buffer.from('charlie!!')); // other length
    await upload('job1/zzz.bin', Buffer.from('stray'));
    await upload('other/outside.bin', Buffer.from('not under the prefix'));
    await upload('waimportexport/log.xml', Buffer.from('<DriveLog/>'));

    const expected = await readManifests(fsPromises, [m1, m2]);
    expect(expected.find((e) => e.blobPath === 'photos/job1/a.bin')?.md5).toBe(
      md5(files['job1/a.bin']).toLowerCase(),
    );
    const report = await verifyImportedBlobs(c, expected, {
      account: AZURITE_ACCOUNT,
      prefix: 'job1',
    });
    expect(report.matching).toBe(1);
    expect(report.missing).toEqual([{ name: 'job1/d.bin', length: 11, driveId: 'DRIVE2' }]);
    expect(report.extra).toEqual([{ name: 'job1/zzz.bin', length: 5 }]);
    expect(report.different.map((d) => [d.name, d.expectedLength, d.actualLength])).toEqual([
      ['job1/b.bin', 5, 5],
      ['job1/c.bin', 7, 9],
    ]);
    expect(report.different[0]!.actualMd5).not.toBe(report.different[0]!.expectedMd5);
  });

  it('fetches and summarises a copy error log blob', async () => {
    const redactor = new Redactor();
    const c = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: 'waimportexport',
        credential: { accountKey: AZURITE_KEY },
        blobEndpoint: azurite.endpoint,
      },
      redactor,
    );
    await c.createIfNotExists();
    const log =
      '<?xml version="1.0" encoding="utf-8"?><DriveLog Version="2014-11-01"><DriveId>DRIVE2</DriveId>' +
      '<Blob Status="Completed"><BlobPath>photos/job1/c.bin</BlobPath><FilePath>\\s1\\job1\\c.bin</FilePath><Length>7</Length></Blob>' +
      '<Blob Status="FileNotFound"><BlobPath>photos/job1/d.bin</BlobPath><FilePath>\\s1\\job1\\d.bin</FilePath><Length>11</Length></Blob>' +
      '<Status>CompletedWithErrors</Status></DriveLog>';
    await c
      .getBlockBlobClient('waies/job1_DRIVE2_20261121-100000-000_error.xml')
      .upload(log, log.length);
    const text = await fetchLogBlob(
      `${azurite.endpoint}/waimportexport/waies/job1_DRIVE2_20261121-100000-000_error.xml`,
      AZURITE_ACCOUNT,
      { accountKey: AZURITE_KEY },
      redactor,
    );
    expect(summarizeDriveLog(text)).toEqual({
      driveId: 'DRIVE2',
      status: 'CompletedWithErrors',
      failedBlobs: [
        { blobPath: 'photos/job1/d.bin', status: 'FileNotFound', filePath: '\\s1\\job1\\d.bin' },
      ],
      blobCount: 2,
    });
  });
});
