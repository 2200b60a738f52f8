/* eslint-disable @typescript-eslint/no-explicit-any -- fakes and tests handle free-form service JSON */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AzureError, UsageError } from '../../src/errors.ts';
import { createImportJobService } from '../../src/importjob/factory.ts';
import type { ImportExportService } from '../../src/importjob/importexport.ts';
import type { CreateJobRequest } from '../../src/model/importJob.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FakeArm } from '../fakes/fakeArm.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';

const TOKEN = 'arm-token-for-importexport-31337';
const KEY = '238810-662376-448998-450120-652806-203390-606320-483076';
const request: CreateJobRequest = {
  name: 'ie-job',
  location: 'West US',
  storageAccount: 'ieacct',
  container: 'data',
  drives: [
    {
      driveId: '9CA995BB',
      bitLockerKey: KEY,
      manifestFile: '\\DriveManifest.xml',
      manifestHash: '109B21108597EF36D5785F08303F3638',
    },
  ],
  returnAddress: {
    recipientName: 'Ops',
    streetAddress1: '1 Main St',
    city: 'Redmond',
    postalCode: '98052',
    countryOrRegion: 'USA',
    phone: '4255550100',
    email: 'ops@example.org',
  },
  returnShipping: { carrierName: 'FedEx', carrierAccountNumber: '989ffff' },
};

let pki: TestPki;
let arm: FakeArm;
beforeAll(async () => {
  pki = await makeTestPki();
});
afterEach(async () => {
  await arm?.stop();
});

describe('importexport adapter against the 2020-08-01 spec', () => {
  it('creates, ships only from Creating, cancels and lists BitLocker keys', async () => {
    arm = await new FakeArm({
      tls: { key: pki.serverKey, cert: pki.serverCert },
      token: TOKEN,
    }).start();
    const { deps } = realHttpDeps(pki.caPem, { env: { DISKPREP_ACCESS_TOKEN: TOKEN } });
    const service = createImportJobService(
      {
        service: 'importexport',
        azure: { armEndpoint: arm.url },
        job: { subscription: 'sub-1', resourceGroup: 'rg', storageAccount: 'ieacct' },
      },
      deps,
    ) as ImportExportService;
    const info = await service.getShippingInfo('westus');
    expect(info).toMatchObject({ location: 'West US', carriers: ['FedEx', 'DHL'] });
    const created = await service.createJob(request);
    expect(created.job).toMatchObject({
      state: 'creating',
      drives: [{ driveId: '9CA995BB', state: 'specified' }],
    });
    const body = arm.requests.find((r) => r.method === 'PUT')!.body as any;
    expect(body.properties).toMatchObject({
      storageAccountId:
        '/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/ieacct',
      jobType: 'Import',
      diagnosticsPath: 'waimportexport',
      logLevel: 'Verbose',
      backupDriveManifest: true,
    });
    await service.markShipped('ie-job', {
      carrierName: 'FedEx',
      trackingNumber: '123',
      driveCount: 1,
      shipDate: '2026-11-21',
    });
    expect((await service.getJob('ie-job')).state).toBe('shipping');
    const again = (await service
      .markShipped('ie-job', { carrierName: 'FedEx', trackingNumber: '456' })
      .catch((e: unknown) => e)) as AzureError;
    expect(again.message).toMatch(
      /HTTP 409 InvalidJobState\): State can change to Shipping only from Creating/,
    );
    await service.cancel('ie-job', 'x');
    expect((await service.getJob('ie-job')).cancelRequested).toBe(true);
    expect(await service.listBitLockerKeys('ie-job')).toEqual([
      { driveId: '9CA995BB', bitLockerKey: KEY },
    ]);
    expect(deps.redactor.redact(`key ${KEY}`)).toBe('key ***');
    expect(arm.violations).toEqual([]);
  });
});

describe('offline', () => {
  it('creates no job: writes the drive-info XML (0600) and says what to upload', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-offline-'));
    const { deps } = fakeDeps();
    const service = createImportJobService(
      { service: 'offline', azure: {}, job: { storageAccount: 'ieacct' }, journalDir: dir },
      deps,
    );
    const r = await service.createJob(request);
    expect(r.created).toBe(false);
    expect(r.job).toBeUndefined();
    expect(r.driveInfoFiles).toEqual([path.join(dir, '9CA995BB.xml')]);
    expect(r.message).toMatch(/no job was created \(offline\).*upload these drive-info files/);
    const xml = await readFile(r.driveInfoFiles![0]!, 'utf8');
    expect(xml).toContain(`<BitLockerKey>${KEY}</BitLockerKey>`);
    expect(xml).toContain('<ManifestFile>\\DriveManifest.xml</ManifestFile>');
    expect((await stat(r.driveInfoFiles![0]!)).mode & 0o777).toBe(0o600);
    await expect(service.getJob('ie-job')).rejects.toBeInstanceOf(UsageError);
  });
});
