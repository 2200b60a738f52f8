/* eslint-disable @typescript-eslint/no-explicit-any -- fakes and tests handle free-form service JSON */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AzureError } from '../../src/errors.ts';
import { createImportJobService } from '../../src/importjob/factory.ts';
import type { CreateJobRequest, ImportJobService } from '../../src/model/importJob.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FakeArm } from '../fakes/fakeArm.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';

const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.fake-arm-token-4711';
const KEY1 = '439675-460165-128202-905124-487224-524332-851649-442187';
const KEY2 = '111111-222222-333333-444444-555555-666666-777777-888888';
const CARRIER_ACCOUNT = 'FDX-ACCT-99887766';

const request: CreateJobRequest = {
  name: 'backup01',
  location: 'westus',
  storageAccount: 'contosobackup',
  container: 'seeding',
  drives: [
    {
      driveId: '9WM35C2V',
      bitLockerKey: KEY1,
      manifestFile: '\\DriveManifest.xml',
      manifestHash: 'd863fe44f861ae0da4dceaeeffccce68',
    },
    {
      driveId: 'WD-WMATV123456',
      bitLockerKey: KEY2,
      manifestFile: '\\DriveManifest.xml',
      manifestHash: 'B306C4B34DAA0E99957A4B9C779D2FA2',
    },
  ],
  returnAddress: {
    recipientName: 'Jane Doe',
    companyName: 'Contoso',
    streetAddress1: '1 Main St',
    city: 'Redmond',
    stateOrProvince: 'WA',
    postalCode: '98052',
    countryOrRegion: 'US',
    phone: '4255550100',
    email: 'ops@contoso.example',
  },
  returnShipping: { carrierName: 'FedEx', carrierAccountNumber: CARRIER_ACCOUNT },
};

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});

let arm: FakeArm;
afterEach(async () => {
  await arm?.stop();
});
afterAll(() => undefined);

async function setup(
  options: Partial<ConstructorParameters<typeof FakeArm>[0]> = {},
  verbose = true,
) {
  arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
    ...options,
  }).start();
  const t = realHttpDeps(pki.caPem, { verbose, env: { DISKPREP_ACCESS_TOKEN: TOKEN } });
  const service: ImportJobService = createImportJobService(
    {
      service: 'databox',
      azure: { armEndpoint: arm.url },
      job: {
        subscription: '00000000-1111-2222-3333-444444444444',
        resourceGroup: 'rg-backup',
        storageAccount: 'contosobackup',
      },
      timeoutMs: 1500,
    },
    t.deps,
  );
  return { service, ...t };
}

/** Everything a person or a log could see. */
function allOutput(
  recorded: { stderr: string[]; stdout: string[] },
  errors: unknown[] = [],
): string {
  return [
    ...recorded.stderr,
    ...recorded.stdout,
    ...errors.map((e) =>
      e instanceof Error ? `${e.message} ${(e as AzureError).hint ?? ''}` : String(e),
    ),
  ].join('\n');
}

describe('databox adapter against a spec-validating fake ARM', () => {
  it('runs a job from creation to shipping, every request conforming to the 2025-07-01 spec', async () => {
    const { service, recorded } = await setup();
    const info = await service.getShippingInfo('westus');
    expect(info.carriers).toEqual(['FedEx', 'DHL']);
    expect(info.address.lines).toContain('1 Datacenter Way');

    const created = await service.createJob(request);
    expect(created.created).toBe(true);
    expect(created.job?.serviceState).toBe('AwaitingShipmentDetails');
    expect(created.job?.state).toBe('creating');
    expect(created.job?.drives.map((d) => d.driveId).sort()).toEqual([
      '9WM35C2V',
      'WD-WMATV123456',
    ]);

    const put = arm.requests.find((r) => r.operationId === 'Jobs_Create')!;
    const details = (put.body as any).properties.details;
    expect(details.importDiskDetailsCollection['9WM35C2V']).toEqual({
      manifestFile: '\\DriveManifest.xml',
      manifestHash: 'D863FE44F861AE0DA4DCEAEEFFCCCE68',
      bitLockerKey: KEY1,
    });
    expect(details.returnToCustomerPackageDetails).toEqual({
      carrierName: 'FedEx',
      carrierAccountNumber: CARRIER_ACCOUNT,
    });
    // availableSkus first, then the PUT, the Location poll, then the GET of the job.
    const ops = arm.requests.map(
      (r) => r.operationId ?? (r.path.includes('operationResults') ? 'poll' : r.path),
    );
    // (regionConfiguration first, from getShippingInfo above; the poll's final Location is the job.)
    expect(ops.slice(1, 6)).toEqual([
      'Service_ListAvailableSkusByResourceGroup',
      'Jobs_Create',
      'poll',
      'Jobs_Get',
      'Jobs_Get',
    ]);
    expect(arm.requests.filter((r) => r.operationId === 'Jobs_Get').at(-1)!.query).toContain(
      '%24expand=details',
    );

    await service.setReturnDetails('backup01', {
      returnShipping: { carrierName: 'DHL', carrierAccountNumber: 'DHL-5544' },
    });
    expect(
      arm.databoxJobs.get('backup01')!.properties.details.returnToCustomerPackageDetails
        .carrierName,
    ).toBe('DHL');

    await service.markShipped('backup01', {
      carrierName: 'FedEx',
      trackingNumber: '123456789012',
      driveCount: 2,
    });
    const shipped = await service.getJob('backup01');
    expect(shipped.serviceState).toBe('ShippedToAzureDC');
    expect(shipped.state).toBe('shipping');
    expect(shipped.deliveryPackage).toEqual({
      carrierName: 'FedEx',
      trackingNumber: '123456789012',
    });

    // State rules: a second markDevicesShipped and a cancel after shipping are refused, in the service's words.
    const again = await service
      .markShipped('backup01', { carrierName: 'FedEx', trackingNumber: '999' })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AzureError);
    expect((again as AzureError).exitCode).toBe(4);
    expect((again as AzureError).message).toMatch(
      /HTTP 409 InvalidJobState.*only while awaiting shipment details/,
    );
    const cancel = await service.cancel('backup01', 'changed my mind').catch((e: unknown) => e);
    expect((cancel as AzureError).message).toMatch(/cannot be cancelled/);

    const list = await service.listJobs();
    expect(list).toEqual([
      expect.objectContaining({ name: 'backup01', serviceState: 'ShippedToAzureDC' }),
    ]);

    expect(arm.violations).toEqual([]);
    expect(arm.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // Verbose logs name method, URL, status and timing, and no secret.
    const out = allOutput(recorded, [again, cancel]);
    expect(out).toMatch(
      /PUT https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/jobs\/backup01\?api-version=2025-07-01 → 202 \(\d+ ms/,
    );
    for (const secret of [KEY1, KEY2, CARRIER_ACCOUNT, 'DHL-5544', TOKEN])
      expect(out).not.toContain(secret);
  });

  it('follows a create through Azure-AsyncOperation status documents until Succeeded', async () => {
    const { service, recorded } = await setup({ lro: 'azure-async-operation' });
    const created = await service.createJob(request);
    expect(created.created).toBe(true);
    expect(created.job?.serviceState).toBe('AwaitingShipmentDetails');
    const polls = arm.requests.filter((r) => r.path.includes('/operationStatuses/'));
    // InProgress, then Succeeded: polled until the status document said so, then the job read.
    expect(polls).toHaveLength(2);
    const ops = arm.requests.map(
      (r) => r.operationId ?? r.path.replace(/.*\/operationStatuses\/.*/, 'status'),
    );
    expect(ops.slice(ops.indexOf('Jobs_Create'))).toEqual([
      'Jobs_Create',
      'status',
      'status',
      'Jobs_Get',
    ]);
    expect(arm.created).toBe(1);
    expect(arm.violations).toEqual([]);
    expect(allOutput(recorded)).not.toContain(KEY1);
  });

  it('a create whose Azure-AsyncOperation ends Failed is one error carrying the service message', async () => {
    const { service, recorded } = await setup({
      lro: 'azure-async-operation',
      asyncOutcome: 'Failed',
    });
    const err = await service.createJob(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AzureError);
    expect((err as AzureError).message).toMatch(
      /The return address could not be validated by the carrier/,
    );
    expect((err as AzureError).message).not.toContain('\n');
    expect(arm.databoxJobs.has('backup01')).toBe(false);
    expect(arm.violations).toEqual([]);
    expect(allOutput(recorded, [err])).not.toContain(KEY1);
  });

  it('reports drive copy progress and log links once the datacenter copies', async () => {
    const { service } = await setup(undefined, false);
    await service.createJob(request);
    arm.updateDataBoxJob('backup01', (job) => {
      job.properties.status = 'DataCopy';
      job.properties.details.copyProgress = [
        {
          serialNumber: '9WM35C2V',
          copyStatus: 'InProgress',
          bytesProcessed: 250,
          totalBytesToProcess: 1000,
        },
        {
          serialNumber: 'WD-WMATV123456',
          copyStatus: 'DriveCorrupted',
          bytesProcessed: 0,
          totalBytesToProcess: 500,
        },
      ];
      job.properties.details.copyLogDetails = [
        {
          copyLogDetailsType: 'DataBoxCustomerDisk',
          serialNumber: 'WD-WMATV123456',
          errorLogLink: 'https://acct.blob.core.windows.net/databoxcopylog/x_error.xml',
          verboseLogLink: 'https://v',
        },
      ];
    });
    const job = await service.getJob('backup01');
    expect(job.state).toBe('transferring');
    const [a, b] = [
      job.drives.find((d) => d.driveId === '9WM35C2V')!,
      job.drives.find((d) => d.driveId === 'WD-WMATV123456')!,
    ];
    expect(a).toMatchObject({
      state: 'transferring',
      percentComplete: 25,
      bytesSucceeded: 250,
      totalBytes: 1000,
    });
    expect(b).toMatchObject({
      state: 'failed',
      serviceState: 'DriveCorrupted',
      errorLogUri: 'https://acct.blob.core.windows.net/databoxcopylog/x_error.xml',
    });
    expect(arm.violations).toEqual([]);
  });

  it('explains an unregistered Microsoft.DataBox provider in one line with the command to run', async () => {
    const { service } = await setup({ providerRegistered: false });
    const err = (await service.createJob(request).catch((e: unknown) => e)) as AzureError;
    expect(err).toBeInstanceOf(AzureError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toBe(
      'subscription 00000000-1111-2222-3333-444444444444 is not registered for the Microsoft.DataBox resource provider',
    );
    expect(err.hint).toMatch(
      /^run: az provider register --namespace Microsoft\.DataBox --subscription 0000/,
    );
    expect(arm.created).toBe(0);
  });

  it('checks availableSkus before creating and stops when customer disk is disabled', async () => {
    const { service } = await setup({
      sku: {
        enabled: false,
        disabledReason: 'Country',
        disabledReasonMessage: 'Not offered in this country.',
      },
    });
    const err = (await service.createJob(request).catch((e: unknown) => e)) as AzureError;
    expect(err.message).toMatch(/not available for US → westus: Not offered in this country/);
    expect(arm.requests.some((r) => r.operationId === 'Jobs_Create')).toBe(false);
  });

  it('retries 429 (honouring Retry-After through the clock) and 500 without waiting for real', async () => {
    const { service, deps } = await setup(undefined, false);
    arm.faults.add(
      { method: 'POST', path: '/availableSkus', kind: 'status', status: 429, retryAfter: '7' },
      { method: 'POST', path: '/availableSkus', kind: 'status', status: 500 },
    );
    const before = deps.clock.monotonic();
    const created = await service.createJob(request);
    expect(created.created).toBe(true);
    // 7 s from Retry-After + 2 s backoff after the 500 + 10 s LRO Retry-After, all on the fake clock.
    expect(deps.clock.monotonic() - before).toBeGreaterThanOrEqual(19_000);
    expect(arm.requests.filter((r) => r.path.endsWith('/availableSkus'))).toHaveLength(3);
    expect(arm.created).toBe(1);
  });

  it.each([
    ['a connection reset after the service created the job', { kind: 'reset' as const }],
    ['a 500 after the service created the job', { kind: 'status' as const, status: 500 }],
    ['an answer slower than the timeout', { kind: 'delay' as const, ms: 2500 }],
  ])('never creates the job twice: %s', async (_name, fault) => {
    const { service } = await setup(undefined, false);
    arm.faults.add({ method: 'PUT', path: '/jobs/backup01', when: 'after', ...fault });
    const created = await service.createJob(request);
    expect(created.job?.name).toBe('backup01');
    expect(arm.created).toBe(1);
    expect(arm.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(arm.violations).toEqual([]);
  });

  it('turns a connection reset on reads into a retry, and gives up with exit 4 when it persists', async () => {
    const { service } = await setup(undefined, false);
    await service.createJob(request);
    arm.faults.add({ method: 'GET', kind: 'reset' });
    expect((await service.getJob('backup01')).name).toBe('backup01');
    for (let i = 0; i < 5; i++) arm.faults.add({ method: 'GET', kind: 'reset' });
    const err = (await service.getJob('backup01').catch((e: unknown) => e)) as AzureError;
    expect(err).toBeInstanceOf(AzureError);
    expect(err.exitCode).toBe(4);
    expect(err.message).toMatch(/cannot reach 127\.0\.0\.1:\d+/);
  });

  it('rejects an answer that lacks a required field with a clear AzureError', async () => {
    const { service } = await setup(undefined, false);
    arm.faults.add({
      method: 'GET',
      path: '/jobs/ghost',
      kind: 'status',
      status: 200,
      body: { name: 'ghost', properties: {} },
    });
    const err = (await service.getJob('ghost').catch((e: unknown) => e)) as AzureError;
    expect(err).toBeInstanceOf(AzureError);
    expect(err.message).toMatch(
      /databox: get job ghost: unexpected answer: (sku|properties\.status)/,
    );
  });

  it('refuses bad input before any call', async () => {
    const { service } = await setup(undefined, false);
    const bad = { ...request, drives: [{ ...request.drives[0]!, manifestHash: 'xyz' }] };
    await expect(service.createJob(bad)).rejects.toThrow(
      /drives\.0\.manifestHash: hex MD5 expected/,
    );
    expect(arm.requests).toHaveLength(0);
  });
});
