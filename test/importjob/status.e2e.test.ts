/* eslint-disable @typescript-eslint/no-explicit-any -- fakes and tests handle free-form service JSON */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImportJobService } from '../../src/importjob/factory.ts';
import { containerClient } from '../../src/storage/client.ts';
import { Redactor } from '../../src/redact.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../fakes/azurite.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FakeArm } from '../fakes/fakeArm.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';
import { runCli } from '../helpers/cli.ts';
import { hasTmux, saveCapture, startInteractive } from '../helpers/tmux.ts';

const TOKEN = 'e2e-token-abcdef-0123456789';
const KEY = '439675-460165-128202-905124-487224-524332-851649-442187';
const SUB = '00000000-1111-2222-3333-444444444444';

let pki: TestPki;
let arm: FakeArm;
let azurite: Azurite;
let staging: string;

beforeAll(async () => {
  [pki, azurite] = await Promise.all([makeTestPki(), startAzurite()]);
  arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
  }).start();
  staging = await mkdtemp(path.join(os.tmpdir(), 'diskprep-staging-'));
  const descriptor: JobDescriptor = {
    version: 1,
    name: 'photos01',
    service: 'databox',
    storageAccount: AZURITE_ACCOUNT,
    container: 'photos',
    prefix: 'job1',
    subscription: SUB,
    resourceGroup: 'rg-backup',
    location: 'westus',
    blobType: 'block',
    createdAt: '2026-11-21T10:00:00Z',
  };
  await mkdir(path.join(staging, '.diskprep', 'jobs'), { recursive: true });
  await writeFile(
    path.join(staging, '.diskprep', 'jobs', 'photos01.json'),
    JSON.stringify(descriptor),
  );
  const journal = path.join(staging, '.diskprep', 'journal', 'photos01');
  await mkdir(journal, { recursive: true });
  await writeFile(
    path.join(journal, 'secrets.json'),
    JSON.stringify({ storageAccountKey: AZURITE_KEY }),
    { mode: 0o600 },
  );

  // The job exists on the (fake) service; the datacenter copied drive 1 and failed on part of drive 2.
  const { deps } = realHttpDeps(pki.caPem, { env: { DISKPREP_ACCESS_TOKEN: TOKEN } });
  await createImportJobService(
    {
      service: 'databox',
      azure: { armEndpoint: arm.url },
      job: { subscription: SUB, resourceGroup: 'rg-backup', storageAccount: AZURITE_ACCOUNT },
    },
    deps,
  ).createJob({
    name: 'photos01',
    location: 'westus',
    storageAccount: AZURITE_ACCOUNT,
    container: 'photos',
    drives: [
      {
        driveId: 'DRIVE1',
        bitLockerKey: KEY,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: 'D863FE44F861AE0DA4DCEAEEFFCCCE68',
      },
      {
        driveId: 'DRIVE2',
        bitLockerKey: KEY,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: 'B306C4B34DAA0E99957A4B9C779D2FA2',
      },
    ],
    returnAddress: {
      recipientName: 'Ops',
      streetAddress1: '1 Main',
      city: 'Redmond',
      postalCode: '98052',
      countryOrRegion: 'US',
      phone: '1',
      email: 'o@example.org',
    },
    returnShipping: { carrierName: 'FedEx', carrierAccountNumber: 'ACCT-123456' },
  });
  const logs = containerClient(
    {
      account: AZURITE_ACCOUNT,
      container: 'databoxcopylog',
      credential: { accountKey: AZURITE_KEY },
      blobEndpoint: azurite.endpoint,
    },
    new Redactor(),
  );
  await logs.createIfNotExists();
  const log =
    '<DriveLog Version="2014-11-01"><DriveId>DRIVE2</DriveId><Blob Status="FileNotFound"><BlobPath>photos/job1/d.bin</BlobPath></Blob>' +
    '<Blob Status="Completed"><BlobPath>photos/job1/c.bin</BlobPath></Blob><Status>CompletedWithErrors</Status></DriveLog>';
  await logs.getBlockBlobClient('photos01_DRIVE2_CopyLog_1.xml').upload(log, log.length);
  arm.updateDataBoxJob('photos01', (job) => {
    job.properties.status = 'CompletedWithErrors';
    job.properties.details.copyProgress = [
      {
        serialNumber: 'DRIVE1',
        copyStatus: 'Completed',
        bytesProcessed: 1000,
        totalBytesToProcess: 1000,
      },
      {
        serialNumber: 'DRIVE2',
        copyStatus: 'CompletedWithErrors',
        bytesProcessed: 7,
        totalBytesToProcess: 18,
      },
    ];
    job.properties.details.copyLogDetails = [
      {
        copyLogDetailsType: 'DataBoxCustomerDisk',
        serialNumber: 'DRIVE2',
        errorLogLink: `${azurite.endpoint}/databoxcopylog/photos01_DRIVE2_CopyLog_1.xml`,
      },
    ];
  });

  // What the import left in the container (verify-import after a real prepare: test/storage/verifyImport.e2e.test.ts).
  const data = containerClient(
    {
      account: AZURITE_ACCOUNT,
      container: 'photos',
      credential: { accountKey: AZURITE_KEY },
      blobEndpoint: azurite.endpoint,
    },
    new Redactor(),
  );
  await data.createIfNotExists();
  await data.getBlockBlobClient('job1/c.bin').upload('charlie', 7);
});

afterAll(async () => {
  await arm?.stop();
  await azurite?.stop();
});

describe('diskprep status (built binary)', () => {
  it('status --json: job state, drives with percent and bytes, and the error-log summary', async () => {
    const r = await runCli(
      [
        'status',
        '--staging',
        staging,
        '--arm-endpoint',
        arm.url,
        '--ca-file',
        pki.caFile,
        '--json',
        '--verbose',
      ],
      { env: { DISKPREP_ACCESS_TOKEN: TOKEN, DISKPREP_BLOB_ENDPOINT: azurite.endpoint } },
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { job: any; errorLogs: any[] };
    expect(out.job).toMatchObject({
      name: 'photos01',
      service: 'databox',
      state: 'completed-with-errors',
      serviceState: 'CompletedWithErrors',
    });
    expect(out.job.drives).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          driveId: 'DRIVE1',
          state: 'completed',
          percentComplete: 100,
          bytesSucceeded: 1000,
        }),
        expect.objectContaining({
          driveId: 'DRIVE2',
          state: 'completed-with-errors',
          percentComplete: 38,
        }),
      ]),
    );
    expect(out.errorLogs).toEqual([
      expect.objectContaining({
        driveId: 'DRIVE2',
        summary: {
          driveId: 'DRIVE2',
          status: 'CompletedWithErrors',
          failedBlobs: [{ blobPath: 'photos/job1/d.bin', status: 'FileNotFound' }],
          blobCount: 2,
        },
      }),
    ]);
    // --verbose logged the calls, with no secret anywhere.
    expect(r.stderr).toMatch(
      /GET https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*photos01\?api-version=2025-07-01&%24expand=details → 200/,
    );
    for (const s of [TOKEN, AZURITE_KEY, KEY]) {
      expect(r.stdout).not.toContain(s);
      expect(r.stderr).not.toContain(s);
    }
    expect(arm.violations).toEqual([]);
  });

  it('status without the CA file fails with exit 4 and names --ca-file', async () => {
    const r = await runCli(['status', '--staging', staging, '--arm-endpoint', arm.url], {
      env: { DISKPREP_ACCESS_TOKEN: TOKEN },
    });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/cannot reach 127\.0\.0\.1:\d+.*--ca-file/);
    expect(r.stderr).not.toContain(TOKEN);
  });

  it("status with a token the service refuses: exit 4 with the service's words", async () => {
    const r = await runCli(
      ['status', '--staging', staging, '--arm-endpoint', arm.url, '--ca-file', pki.caFile],
      {
        env: { DISKPREP_ACCESS_TOKEN: 'wrong-token-zzzzzz' },
      },
    );
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(
      /databox: get job photos01 failed \(HTTP 401 InvalidAuthenticationToken\): The access token is invalid\./,
    );
    expect(r.stderr).not.toContain('wrong-token-zzzzzz');
  });

  it('at an 80-column terminal (tmux): every line fits, with the states, the error log and what next', async () => {
    if (!(await hasTmux()))
      throw new Error('tmux is required for this test (apt-get install tmux)');
    const s = await startInteractive(
      ['status', '--staging', staging, '--arm-endpoint', arm.url, '--ca-file', pki.caFile],
      {
        width: 80,
        env: { DISKPREP_ACCESS_TOKEN: TOKEN, DISKPREP_BLOB_ENDPOINT: azurite.endpoint },
      },
    );
    try {
      expect(await s.exitCode(60_000)).toBe(0);
      const screen = (await s.screen()).trimEnd();
      for (const l of screen.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
      expect(screen).toContain('job photos01 (databox): CompletedWithErrors');
      expect(screen).toMatch(/drive DRIVE2: CompletedWithErrors 38%/);
      expect(screen).toContain('FileNotFound: photos/job1/d.bin');
      expect(screen).toMatch(/^next: see the errors above;/m);
      expect(screen).not.toContain(TOKEN);
      await saveCapture('status (Data Box job, completed with errors)', screen);
    } finally {
      await s.kill();
    }
  });
});
