/* eslint-disable @typescript-eslint/no-explicit-any -- the fakes record free-form service JSON */
/**
 * `diskprep u:` / `diskprep ship` as an operator and a script run it: the built binary in a
 * real terminal (tmux) and as a plain child process, against the loopback classic service
 * (mutual TLS with a publish-settings certificate made by openssl) and the loopback ARM
 * (Data Box, every request validated against the OpenAPI spec).
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createImportJobService } from '../../src/importjob/factory.ts';
import type { CreateJobRequest } from '../../src/model/importJob.ts';
import { recordLocalJob, readLocalJobs } from '../../src/registry/localJobs.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import type { TestPki } from '../fakes/certs.ts';
import type { FakeArm } from '../fakes/fakeArm.ts';
import type { FakeClassic } from '../fakes/fakeClassic.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';
import { runCli } from '../helpers/cli.ts';
import { answerReturnDetails } from '../helpers/answers.ts';
import { hasTmux, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import { classicServiceInput, type ManagementCertFixture, today } from '../ship/fixtures.ts';
import { ARM_SUB, type Fakes, startFakes, SUB } from '../helpers/fakeServices.ts';
import { RETURN_ADDRESS, returnFlags } from '../helpers/returnFlags.ts';
import { makeStaging } from '../helpers/staging.ts';

/** The data of every staging location here: one backup file. */
const SHIP_DATA = { 'backup.AIBBlob': 'data' };

const TOKEN = 'e2e-ship-token-0123456789abcdef';
const ACCOUNT = 'DHL-ACCT-55443322';
const BITLOCKER = '259358-123456-654321-111111-222222-333333-444444-426844';
const STORAGE_KEY = 'U3RvcmFnZUtleUZvclNoaXBUZXN0cw==ShipStorageKeyTail';

let pki: TestPki;
let cert: ManagementCertFixture;
let classic: FakeClassic;
let arm: FakeArm;
let publishSettings: string;
const sessions: TmuxSession[] = [];
const tmux = await hasTmux();

function jobRequest(name: string, location: string, storageAccount: string): CreateJobRequest {
  return {
    name,
    location,
    storageAccount,
    container: 'backups',
    drives: [
      {
        driveId: 'WD-WMATV123456',
        bitLockerKey: BITLOCKER,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: 'B306C4B34DAA0E99957A4B9C779D2FA2',
      },
    ],
    returnAddress: {
      recipientName: 'Old Contact',
      streetAddress1: '9 Old Rd',
      city: 'Seattle',
      postalCode: '98101',
      countryOrRegion: 'US',
      phone: '2065550100',
      email: 'old@example.org',
    },
    returnShipping: { carrierName: 'FedEx', carrierAccountNumber: 'OLD-ACCOUNT-1' },
    storageCredential: { storageAccountKey: STORAGE_KEY },
  };
}

/** A classic job on the fake and a staging location that names it. */
async function classicJob(name: string): Promise<string> {
  const { deps } = realHttpDeps(pki.caPem);
  await createImportJobService(
    classicServiceInput(classic.url, SUB, cert, 'classicacct'),
    deps,
  ).createJob(jobRequest(name, 'West US', 'classicacct'));
  const job: JobDescriptor = {
    version: 1,
    name,
    service: 'classic',
    storageAccount: 'classicacct',
    container: 'backups',
    subscription: SUB,
    location: 'West US',
    blobType: 'page',
    createdAt: new Date().toISOString(),
  };
  return makeStaging([job], SHIP_DATA);
}

/** A Data Box or Microsoft.ImportExport job on the fake ARM and a staging location naming it. */
async function armJob(service: 'databox' | 'importexport', name: string): Promise<string> {
  const { deps } = realHttpDeps(pki.caPem, { env: { DISKPREP_ACCESS_TOKEN: TOKEN } });
  await createImportJobService(
    {
      service,
      azure: { armEndpoint: arm.url },
      job: { subscription: ARM_SUB, resourceGroup: 'rg-backup', storageAccount: 'armacct' },
    },
    deps,
  ).createJob(jobRequest(name, 'westus', 'armacct'));
  return makeStaging(
    [
      {
        version: 1,
        name,
        service,
        storageAccount: 'armacct',
        container: 'backups',
        subscription: ARM_SUB,
        resourceGroup: 'rg-backup',
        location: 'westus',
        blobType: 'block',
        createdAt: new Date().toISOString(),
      },
    ],
    SHIP_DATA,
  );
}

const home = () => mkdtemp(path.join(os.tmpdir(), 'diskprep-ship-home-'));

let fakes: Fakes | undefined;
beforeAll(async () => {
  fakes = await startFakes(TOKEN);
  ({ pki, cert, classic, arm, publishSettings } = fakes);
});

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.kill();
});

afterAll(async () => {
  await fakes?.stop();
});

const SECRETS = () => [
  ACCOUNT,
  TOKEN,
  BITLOCKER,
  STORAGE_KEY,
  cert.pfxBase64.slice(0, 64),
  cert.keyPem.split('\n')[1]!,
];

function expectNoSecrets(...texts: string[]): void {
  for (const t of texts) for (const s of SECRETS()) expect(t).not.toContain(s);
}

const classicWrites = (job: string) =>
  classic.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/jobs/${job}`));
const armWrites = (job: string) =>
  arm.requests.filter(
    (r) => (r.method === 'PATCH' || r.method === 'POST') && r.path.includes(`/jobs/${job}`),
  );

/** `diskprep u: s: p:` of a classic job at a terminal, this computer's files under `homeDir`. */
async function classicUpdate(staging: string, homeDir: string): Promise<TmuxSession> {
  const s = await startInteractive(
    ['u:', `s:${staging}`, `p:${publishSettings}`, '--ca-file', pki.caFile],
    { env: { DISKPREP_HOME: homeDir } },
  );
  sessions.push(s);
  return s;
}

/** Answers the prompts the way an operator types them; returns the screen. */
async function answerAll(
  s: TmuxSession,
  o: { tracking: string; returnCarrierDown: number; account: string },
): Promise<void> {
  await s.waitFor('Carrier taking the drives to the datacenter');
  await s.keys('Enter'); // FedEx, the first listed carrier
  await s.waitFor('Tracking number of the package');
  await s.type(o.tracking);
  await s.waitFor('Number of drives in the package');
  await s.keys('Enter'); // default: drives of the job
  await s.waitFor('Date the package was shipped');
  await s.keys('Enter'); // default: today
  await answerReturnDetails(s, { carrierDown: o.returnCarrierDown, account: o.account });
  await s.waitFor('Type "yes" to send these details to Azure');
}

describe.skipIf(!tmux)('diskprep u: interactive, in a real terminal', () => {
  it('classic: u: s: p: — every prompt, review, "yes": the service gets exactly the return details and the shipment', async () => {
    const staging = await classicJob('seed01');
    const h = await home();
    const s = await classicUpdate(staging, h);
    await s.waitFor('job seed01 (classic): Creating');
    await s.waitFor('drive WD-WMATV123456: Specified');
    await answerAll(s, { tracking: ' 781234567890 ', returnCarrierDown: 1, account: ACCOUNT });
    const review = await s.screen();
    expect(review).toMatch(/return carrier account:\s+•+ \(hidden\)/);
    expect(review).toMatch(/tracking number:\s+781234567890/);
    await s.type('yes');
    expect(await s.exitCode()).toBe(0);
    const screen = await s.screen();

    const writes = classicWrites('seed01');
    expect(writes.map((w) => [w.method, w.body])).toEqual([
      [
        'PATCH',
        {
          Properties: {
            ReturnAddress: {
              Name: 'Backup Ops',
              Address: '1 Main St, Redmond, WA, 98052, US',
              Phone: '+1 425 555 0100',
              Email: 'ops@example.org',
            },
            ReturnShipping: { CarrierName: 'DHL', CarrierAccountNumber: ACCOUNT },
          },
        },
      ],
      [
        'PATCH',
        {
          Properties: {
            State: 'Shipping',
            DeliveryPackage: {
              CarrierName: 'FedEx',
              TrackingNumber: '781234567890',
              DriveCount: 1,
              ShipDate: today(),
            },
          },
        },
      ],
    ]);
    expect(classic.jobs.get('seed01')!.Properties.State).toBe('Shipping');
    expect(classic.violations).toEqual([]);

    const file = path.join(staging, '.diskprep', 'journal', 'seed01', 'shipping.json');
    expect(screen).toContain(`saved to ${file}`);
    const saved = await readFile(file, 'utf8');
    expect(JSON.parse(saved)).toMatchObject({
      job: 'seed01',
      service: 'classic',
      state: 'Shipping',
      shipment: {
        carrierName: 'FedEx',
        trackingNumber: '781234567890',
        driveCount: 1,
        shipDate: today(),
      },
      returnAddress: { recipientName: 'Backup Ops', stateOrProvince: 'WA', countryOrRegion: 'US' },
      returnShipping: { carrierName: 'DHL' },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const remembered = await readFile(path.join(h, 'return-address.json'), 'utf8');
    expectNoSecrets(screen, saved, remembered);
  });

  it('classic: "no" at the review sends nothing and exits 1', async () => {
    const staging = await classicJob('seed02');
    const s = await classicUpdate(staging, await home());
    await answerAll(s, { tracking: '781234567899', returnCarrierDown: 0, account: ACCOUNT });
    await s.type('no');
    expect(await s.exitCode()).toBe(1);
    const screen = await s.screen();
    expect(screen).toContain(
      'nothing was sent: the shipping details of job seed02 were not confirmed',
    );
    expect(classicWrites('seed02')).toEqual([]);
    expect(classic.jobs.get('seed02')!.Properties.State).toBe('Creating');
    await expect(
      stat(path.join(staging, '.diskprep', 'journal', 'seed02', 'shipping.json')),
    ).rejects.toThrow(/ENOENT/);
    expectNoSecrets(screen);
  });

  it('classic: "y" at the typed confirmation goes back to the review, nothing sent; "yes" then sends the first answers', async () => {
    const staging = await classicJob('seed07');
    const s = await classicUpdate(staging, await home());
    await answerAll(s, { tracking: '781234567811', returnCarrierDown: 1, account: ACCOUNT });
    await s.type('y');
    await s.waitFor('"y" is not "yes": nothing was sent');
    // The review again, then the question again: nothing was sent meanwhile.
    await s.waitFor(/not "yes"[\s\S]*tracking number:\s+781234567811[\s\S]*Type "yes"/);
    expect(classicWrites('seed07')).toEqual([]);
    await s.type('yes');
    expect(await s.exitCode()).toBe(0);
    expect(classicWrites('seed07').map((w) => w.body)).toEqual([
      {
        Properties: {
          ReturnAddress: {
            Name: 'Backup Ops',
            Address: '1 Main St, Redmond, WA, 98052, US',
            Phone: '+1 425 555 0100',
            Email: 'ops@example.org',
          },
          ReturnShipping: { CarrierName: 'DHL', CarrierAccountNumber: ACCOUNT },
        },
      },
      {
        Properties: {
          State: 'Shipping',
          DeliveryPackage: {
            CarrierName: 'FedEx',
            TrackingNumber: '781234567811',
            DriveCount: 1,
            ShipDate: today(),
          },
        },
      },
    ]);
    expectNoSecrets(await s.screen());
  });

  it('databox: ship --staging with --arm-endpoint/--ca-file/token — PATCH return details, then markDevicesShipped', async () => {
    const staging = await armJob('databox', 'photos01');
    const s = await startInteractive(
      ['ship', '--staging', staging, '--arm-endpoint', arm.url, '--ca-file', pki.caFile],
      { env: { DISKPREP_HOME: await home(), DISKPREP_ACCESS_TOKEN: TOKEN } },
    );
    sessions.push(s);
    await s.waitFor('job photos01 (databox): AwaitingShipmentDetails');
    await answerAll(s, { tracking: '1Z999AA10123456784', returnCarrierDown: 1, account: ACCOUNT });
    await s.type('yes');
    expect(await s.exitCode()).toBe(0);
    const screen = await s.screen();
    const writes = armWrites('photos01');
    expect(writes.map((w) => w.operationId)).toEqual(['Jobs_Update', 'Jobs_MarkDevicesShipped']);
    expect((writes[0]!.body as any).properties.details).toEqual({
      contactDetails: {
        contactName: 'Backup Ops',
        phone: '+1 425 555 0100',
        emailList: ['ops@example.org'],
      },
      shippingAddress: {
        streetAddress1: '1 Main St',
        city: 'Redmond',
        stateOrProvince: 'WA',
        country: 'US',
        postalCode: '98052',
        addressType: 'None',
      },
      returnToCustomerPackageDetails: { carrierName: 'DHL', carrierAccountNumber: ACCOUNT },
    });
    expect(writes[1]!.body).toEqual({
      deliverToDcPackageDetails: { carrierName: 'FedEx', trackingId: '1Z999AA10123456784' },
    });
    expect(arm.databoxJobs.get('photos01')!.properties.status).toBe('ShippedToAzureDC');
    expect(arm.violations).toEqual([]);
    const file = path.join(staging, '.diskprep', 'journal', 'photos01', 'shipping.json');
    expect(screen).toContain(`saved to ${file}`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ state: 'ShippedToAzureDC' });
    expectNoSecrets(screen, await readFile(file, 'utf8'));
  });
});

const FLAGS = [
  '--carrier',
  'FedEx',
  '--tracking-number',
  '781234567890',
  '--drive-count',
  '1',
  ...returnFlags('DHL', ACCOUNT),
];

/** `diskprep u: s: p:` of a classic job, no TTY, with `flags`. */
const classicShip = async (staging: string, flags: string[]) =>
  runCli(['u:', `s:${staging}`, `p:${publishSettings}`, '--ca-file', pki.caFile, ...flags], {
    env: { DISKPREP_HOME: await home() },
  });

/** `diskprep ship --staging` of a job on the fake ARM, no TTY, with `flags`. */
const armShip = (staging: string, flags: string[], diskprepHome: string) =>
  runCli(
    ['ship', '--staging', staging, '--arm-endpoint', arm.url, '--ca-file', pki.caFile, ...flags],
    {
      env: { DISKPREP_HOME: diskprepHome, DISKPREP_ACCESS_TOKEN: TOKEN },
    },
  );

describe('diskprep ship scripted (no TTY)', () => {
  it('databox: every answer as a flag, --yes --json: one JSON document, the job shipped', async () => {
    const staging = await armJob('databox', 'photos02');
    const h = await home();
    const r = await armShip(
      staging,
      [...FLAGS, '--ship-date', today(), '--yes', '--verbose', '--json'],
      h,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(0);
    const file = path.join(staging, '.diskprep', 'journal', 'photos02', 'shipping.json');
    expect(JSON.parse(r.stdout)).toEqual({
      job: 'photos02',
      service: 'databox',
      state: 'ShippedToAzureDC',
      shipment: {
        carrierName: 'FedEx',
        trackingNumber: '781234567890',
        driveCount: 1,
        shipDate: today(),
      },
      returnAddress: RETURN_ADDRESS,
      returnShipping: { carrierName: 'DHL' },
      savedTo: file,
    });
    expect(armWrites('photos02').map((w) => w.operationId)).toEqual([
      'Jobs_Update',
      'Jobs_MarkDevicesShipped',
    ]);
    expect(arm.violations).toEqual([]);
    // This computer's list: the job is recorded as shipped, so a bare u: has nothing to send:
    // it shows where the one job created here is, exit 0.
    const fs = (await import('node:fs/promises')).default;
    const [local] = await readLocalJobs({ env: { DISKPREP_HOME: h }, platform: 'linux', fs });
    expect(local).toMatchObject({ name: 'photos02', staging, shippedAt: expect.any(String) });
    const again = await runCli(['u:', '--arm-endpoint', arm.url, '--ca-file', pki.caFile], {
      env: { DISKPREP_HOME: h, DISKPREP_ACCESS_TOKEN: TOKEN },
    });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^job photos02 \(databox\) is ShippedToAzureDC: /);
    expect(armWrites('photos02')).toHaveLength(2);
    expectNoSecrets(r.stdout, r.stderr, await readFile(file, 'utf8'));
  });

  it('classic: u: s: p: with flags and --yes, --json; u: again shows where the job is, exit 0', async () => {
    const stagingDir = await classicJob('seed03');
    const r = await classicShip(stagingDir, [...FLAGS, '--yes', '--verbose', '--json']);
    expect(r.exitCode).toBe(0);
    // --verbose logged the writes, and still no secret.
    expect(r.stderr).toMatch(/PATCH https:\/\/127\.0\.0\.1:\d+\/.*\/jobs\/seed03/);
    expect(JSON.parse(r.stdout)).toMatchObject({
      job: 'seed03',
      service: 'classic',
      state: 'Shipping',
    });
    expect(classicWrites('seed03').map((w) => Object.keys(w.body!.Properties as object))).toEqual([
      ['ReturnAddress', 'ReturnShipping'],
      ['State', 'DeliveryPackage'],
    ]);
    expectNoSecrets(r.stdout, r.stderr);
    // The retired service said so once (connect, status and ship in one run), on stderr only.
    expect(r.stderr.match(/retired on/g)).toEqual(['retired on']);
    expect(r.stderr).toContain(
      '⚠ the classic Azure Import/Export service (publish settings) was retired on 2024-08-31: use --service databox',
    );

    // u: again, now that the job is Shipping: where it is, exit 0, nothing sent.
    const again = await classicShip(stagingDir, []);
    expect(again.exitCode, again.stderr).toBe(0);
    const text = again.stdout.replace(/\n +/g, ' ');
    expect(text).toContain(
      'job seed03 (classic) is Shipping: its shipping details were already entered (FedEx 781234567890)',
    );
    expect(text).toContain('What can still be changed:');
    expect(text).toContain('next: waiting for the drives to arrive at the datacenter');
    expect(again.stdout).not.toMatch(/ship the drives|Type "yes"/);
    for (const l of again.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(classicWrites('seed03')).toHaveLength(2);
  });

  it('an account number that is part of the tracking number: both exact in the review, --json and the service', async () => {
    const account = '123456789'; // inside 781234567890
    const flags = [
      ...FLAGS.slice(0, FLAGS.indexOf('--return-name')),
      ...returnFlags('FedEx', account),
    ];
    const r = await classicShip(await classicJob('seed06'), [...flags, '--yes', '--json']);
    expect(r.exitCode).toBe(0);
    // The review the operator reads (stderr) and the result (stdout) carry the value as typed.
    expect(r.stderr).toMatch(/tracking number:\s+781234567890\n/);
    expect(r.stderr).toMatch(/return carrier account:\s+•+ \(hidden\)/);
    expect(r.stderr).toContain('FedEx 781234567890, 1 drive');
    const out = JSON.parse(r.stdout) as { shipment: { trackingNumber: string } };
    expect(out.shipment.trackingNumber).toBe('781234567890');
    expect(r.stdout).not.toMatch(/carrierAccount/i);
    // The service got both values exact; the account never shows on its own.
    const [returnWrite, shipWrite]: any[] = classicWrites('seed06').map((w) => w.body);
    expect(returnWrite.Properties.ReturnShipping.CarrierAccountNumber).toBe(account);
    expect(shipWrite.Properties.DeliveryPackage.TrackingNumber).toBe('781234567890');
    for (const t of [r.stdout, r.stderr])
      expect(t.replaceAll('781234567890', '')).not.toContain(account);
  });

  it('importexport: a 500 after the shipment PATCH was applied: checked, not sent twice, exit 0', async () => {
    const staging = await armJob('importexport', 'ie01');
    arm.faults.add({
      method: 'PATCH',
      path: '/jobs/ie01',
      bodyContains: '"trackingNumber"',
      when: 'after',
      kind: 'status',
      status: 500,
    });
    const r = await armShip(staging, [...FLAGS, '--yes', '--verbose', '--json'], await home());
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(0);
    expect(arm.faults.pending).toBe(0);
    expect(r.stderr).toMatch(/record the shipment of job ie01: the earlier attempt took effect/);
    const writes = arm.requests.filter(
      (q) => q.method === 'PATCH' && q.path.endsWith('/jobs/ie01'),
    );
    expect(
      writes.map((w) => Object.keys((w.body as { properties: object }).properties).sort()),
    ).toEqual([
      ['returnAddress', 'returnShipping'],
      ['deliveryPackage', 'state'],
    ]);
    const job = arm.importExportJobs.get('ie01')!.properties;
    expect(job.state).toBe('Shipping');
    expect(job.deliveryPackage).toMatchObject({
      carrierName: 'FedEx',
      trackingNumber: '781234567890',
    });
    expect(JSON.parse(r.stdout)).toMatchObject({
      job: 'ie01',
      service: 'importexport',
      state: 'Shipping',
    });
    expect(arm.violations).toEqual([]);
  });

  it('non-interactive without --tracking-number and --yes: one exit 3 naming both, nothing sent', async () => {
    const staging = await classicJob('seed04');
    const flags = FLAGS.filter(
      (f, i) => f !== '--tracking-number' && FLAGS[i - 1] !== '--tracking-number',
    );
    const r = await runCli(
      [
        'ship',
        '--staging',
        staging,
        '--publish-settings',
        publishSettings,
        '--ca-file',
        pki.caFile,
        ...flags,
        '--non-interactive',
      ],
      { env: { DISKPREP_HOME: await home() } },
    );
    expect(r.exitCode).toBe(3);
    // Every missing flag at once: the tracking number and the go-ahead of a script.
    expect(r.stderr).toContain(
      'missing --tracking-number, --yes: no answer in a non-interactive run — pass all 2 and run the same command again (nothing was sent)',
    );
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('diskprep:')),
    ).toHaveLength(1);
    expect(classicWrites('seed04')).toEqual([]);
    expectNoSecrets(r.stdout, r.stderr);
  });

  it('classic job without p: names p:, exit 2', async () => {
    const staging = await classicJob('seed05');
    const r = await runCli(['u:', `s:${staging}`, ...FLAGS, '--yes'], {
      env: { DISKPREP_HOME: await home() },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /job seed05 runs on the classic service, which needs the publish settings — pass p:<file\.publishsettings>/,
    );
  });
});

describe("diskprep status without s: (this computer's list)", () => {
  it('shows the job and says what to do next', async () => {
    const staging = await armJob('databox', 'photos03');
    const h = await home();
    const fs = (await import('node:fs/promises')).default;
    await recordLocalJob(
      { env: { DISKPREP_HOME: h }, platform: 'linux', fs },
      {
        name: 'photos03',
        service: 'databox',
        staging,
        subscription: ARM_SUB,
        resourceGroup: 'rg-backup',
        storageAccount: 'armacct',
        createdAt: new Date().toISOString(),
      },
    );
    const env = { DISKPREP_HOME: h, DISKPREP_ACCESS_TOKEN: TOKEN };
    const args = ['status', '--arm-endpoint', arm.url, '--ca-file', pki.caFile];
    const text = await runCli(args, { env });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('job photos03 (databox): AwaitingShipmentDetails');
    // Wrapped at 80 columns (no terminal): the next step joined back from its lines.
    for (const l of text.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(text.stdout.replace(/\n +/g, ' ')).toContain(
      `next: waiting for shipping details: ship the drives, then run diskprep u: s:${staging}`,
    );
    const json = await runCli([...args, '--json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      job: { name: 'photos03' },
      next: expect.stringMatching(/^waiting for shipping details/),
    });
    expectNoSecrets(text.stdout, text.stderr, json.stdout);
  });
});
