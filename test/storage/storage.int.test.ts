import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureError } from '../../src/errors.ts';
import { Redactor } from '../../src/redact.ts';
import { containerClient } from '../../src/storage/client.ts';
import { fetchLogBlob, summarizeDriveLog } from '../../src/storage/errorLogs.ts';
import { storagePreflight } from '../../src/storage/preflight.ts';
import { importContainerSas } from '../../src/storage/sas.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../fakes/azurite.ts';

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

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
