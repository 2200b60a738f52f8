import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttp } from '../../src/deps/http.ts';
import { AzureError } from '../../src/errors.ts';
import { createImportJobService } from '../../src/importjob/factory.ts';
import type { CreateJobRequest } from '../../src/model/importJob.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FakeClassic } from '../fakes/fakeClassic.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';

const SUB = '8a4a0a51-728e-482e-8daa-c477f03c541d';
const KEY = '259358-123456-654321-111111-222222-333333-444444-426844';
const STORAGE_KEY = 'U3RvcmFnZUFjY291bnRLZXlGb3JUZXN0c09ubHk9PQ==StorageKeyTail';
const CARRIER_ACCOUNT = '1234-FEDEX-5678';

const request: CreateJobRequest = {
  name: 'seed-2016',
  location: 'West US',
  storageAccount: 'classicacct',
  container: 'backups',
  drives: [
    {
      driveId: '1W0F9LV1',
      bitLockerKey: KEY,
      manifestFile: '\\DriveManifest.xml',
      manifestHash: 'B306C4B34DAA0E99957A4B9C779D2FA2',
    },
  ],
  returnAddress: {
    recipientName: 'Ops',
    streetAddress1: '1 Main St',
    city: 'Seattle',
    stateOrProvince: 'WA',
    postalCode: '98101',
    countryOrRegion: 'US',
    phone: '2065550100',
    email: 'ops@example.org',
  },
  returnShipping: { carrierName: 'FedEx', carrierAccountNumber: CARRIER_ACCOUNT },
  storageCredential: { storageAccountKey: STORAGE_KEY },
};

let pki: TestPki;
let fake: FakeClassic;
beforeAll(async () => {
  pki = await makeTestPki();
});
afterEach(async () => {
  await fake?.stop();
});

async function setup(cert?: { keyPem: string; certPem: string }, verbose = true) {
  fake = await new FakeClassic({
    tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.caPem },
    subscription: SUB,
    managementCert: pki.clientCert,
  }).start();
  const t = realHttpDeps(pki.caPem, { verbose });
  const service = createImportJobService(
    {
      service: 'classic',
      azure: { endpoint: fake.url },
      job: { storageAccount: 'classicacct' },
      publishSettings: {
        id: SUB,
        serviceManagementUrl: 'https://management.core.windows.net/',
        certificate: cert ?? { keyPem: pki.clientKey, certPem: pki.clientCert },
      },
      timeoutMs: 1500,
    },
    t.deps,
  );
  return { service, ...t };
}

describe('classic adapter over mutual TLS', () => {
  it('creates, reads, ships and cancels a job with the management certificate', async () => {
    const { service, recorded } = await setup();
    const info = await service.getShippingInfo('westus');
    expect(info).toMatchObject({
      location: 'West US',
      carriers: ['FedEx', 'DHL'],
      alternateLocations: ['West US'],
    });
    expect(info.address.lines[0]).toBe('Microsoft Azure Import/Export Service');

    const created = await service.createJob(request);
    expect(created.job).toMatchObject({
      name: 'seed-2016',
      state: 'creating',
      serviceState: 'Creating',
    });
    const put = fake.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(
      `/${SUB}/services/importexport/storageaccounts/classicacct/jobs/seed-2016`,
    );
    expect(put.headers['x-ms-version']).toBe('2014-11-01');
    expect(put.body).toMatchObject({
      Name: 'seed-2016',
      Properties: {
        StorageAccountName: 'classicacct',
        StorageAccountKey: STORAGE_KEY,
        Location: 'West US',
        Type: 'Import',
        ReturnAddress: {
          Name: 'Ops',
          Address: '1 Main St, Seattle, WA, 98101, US',
          Phone: '2065550100',
          Email: 'ops@example.org',
        },
        ReturnShipping: { CarrierName: 'FedEx', CarrierAccountNumber: CARRIER_ACCOUNT },
      },
      DriveList: [
        {
          DriveId: '1W0F9LV1',
          BitLockerKey: KEY,
          ManifestFile: '\\DriveManifest.xml',
          ManifestHash: 'B306C4B34DAA0E99957A4B9C779D2FA2',
        },
      ],
    });

    await service.markShipped('seed-2016', {
      carrierName: 'FedEx',
      trackingNumber: '7777',
      driveCount: 1,
      shipDate: '2026-11-21',
    });
    expect(fake.jobs.get('seed-2016')!.Properties).toMatchObject({
      State: 'Shipping',
      DeliveryPackage: {
        CarrierName: 'FedEx',
        TrackingNumber: '7777',
        DriveCount: 1,
        ShipDate: '2026-11-21',
      },
    });
    const err = (await service
      .markShipped('seed-2016', { carrierName: 'FedEx', trackingNumber: '8888' })
      .catch((e: unknown) => e)) as AzureError;
    expect(err.exitCode).toBe(4);
    // odata.error turned into one readable line with the service's own words.
    expect(err.message).toBe(
      'classic: record the shipment of job seed-2016 failed (HTTP 409 InvalidJobState): The job state can be changed to Shipping only from Creating (it is Shipping).',
    );
    await service.cancel('seed-2016', 'test');
    expect((await service.getJob('seed-2016')).cancelRequested).toBe(true);
    expect(await service.listJobs()).toEqual([
      expect.objectContaining({ name: 'seed-2016', serviceState: 'Shipping' }),
    ]);
    expect(fake.violations).toEqual([]);
    const out = [...recorded.stderr, ...recorded.stdout, err.message].join('\n');
    expect(out).toMatch(/GET https:\/\/127\.0\.0\.1:\d+\/8a4a.*\/jobs\/seed-2016 → 200/);
    for (const s of [KEY, STORAGE_KEY, CARRIER_ACCOUNT, pki.clientKey])
      expect(out).not.toContain(s);
  });

  it('sends a container SAS as <container>?<sas>', async () => {
    const { service } = await setup(undefined, false);
    await service.createJob({
      ...request,
      storageCredential: { containerSas: '?sv=2019-02-02&sr=c&sp=rwdl&sig=abc%2Fdef' },
    });
    expect(fake.requests.find((r) => r.method === 'PUT')!.body!.Properties.ContainerSas).toBe(
      'backups?sv=2019-02-02&sr=c&sp=rwdl&sig=abc%2Fdef',
    );
  });

  it('does not create the job twice when the answer to Put Job is lost', async () => {
    const { service } = await setup(undefined, false);
    fake.faults.add({ method: 'PUT', when: 'after', kind: 'reset' });
    const created = await service.createJob(request);
    expect(created.job?.name).toBe('seed-2016');
    expect(fake.created).toBe(1);
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('is refused with a certificate the server does not know, with exit 4', async () => {
    const { service } = await setup({ keyPem: pki.strangerKey, certPem: pki.strangerCert }, false);
    const err = (await service.getJob('x').catch((e: unknown) => e)) as AzureError;
    expect(err).toBeInstanceOf(AzureError);
    expect(err.exitCode).toBe(4);
    expect(fake.created).toBe(0);
  });

  it('explains a server CA that is not trusted (no --ca-file)', async () => {
    await setup(undefined, false);
    const t = fakeDeps({ http: createHttp({ env: {} }) });
    const service = createImportJobService(
      {
        service: 'classic',
        azure: { endpoint: fake.url },
        job: { storageAccount: 'classicacct' },
        publishSettings: {
          id: SUB,
          serviceManagementUrl: fake.url,
          certificate: { keyPem: pki.clientKey, certPem: pki.clientCert },
        },
      },
      t.deps,
    );
    const err = (await service.getJob('x').catch((e: unknown) => e)) as AzureError;
    expect(err.exitCode).toBe(4);
    expect(err.hint).toMatch(/--ca-file/);
  });
});
