import fsPromises, { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ship, type ShipOptions } from '../../src/commands/ship/index.ts';
import { AzureError, DiskprepError, NeedsAnswerError, UsageError } from '../../src/errors.ts';
import { readLocalJobs, recordLocalJob } from '../../src/registry/localJobs.ts';
import { acceptsShippingDetails, nextStep } from '../../src/flows/ship/jobStates.ts';
import { looksLikePlaceholder } from '../../src/flows/ship/askShippingDetails.ts';
import { writeJobDescriptor } from '../../src/journal/jobs.ts';
import { rememberAnswers } from '../../src/journal/answersRecord.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { type Answers, fakeDeps } from '../helpers/fakeDeps.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { RETURN_ADDRESS } from '../helpers/returnFlags.ts';
import { stubService, type StubOptions } from './stubService.ts';

const ACCOUNT = 'FDX-ACCT-7731-9904';
const descriptor = (over: Partial<JobDescriptor> = {}): JobDescriptor => ({
  version: 1,
  name: 'seed01',
  service: 'importexport',
  subscription: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'rg-backup',
  storageAccount: 'backupacct',
  container: 'backups',
  location: 'West US',
  blobType: 'page',
  createdAt: '2026-11-18T09:00:00Z',
  ...over,
});

/** A staging location with one job descriptor and a copy journal of `prepared` complete drives. */
async function staging(over: Partial<JobDescriptor> = {}, prepared?: number): Promise<string> {
  const dir = tempDir('ship-staging');
  const job = descriptor(over);
  await writeJobDescriptor(fsPromises, dir, job);
  if (prepared !== undefined) {
    const journal = path.join(dir, '.diskprep', 'journal', job.name);
    await mkdir(journal, { recursive: true });
    const drives = Array.from({ length: prepared + 1 }, (_, i) => ({
      index: i,
      driveId: `WD-${i + 1}`,
      bitLockerKey: '111111-222222-333333-444444-555555-666666-777777-888888',
      complete: i < prepared,
    }));
    await writeFile(path.join(journal, 'copy-state.json'), JSON.stringify({ version: 1, drives }));
  }
  return dir;
}

const ALL_FLAGS: Omit<ShipOptions, 'azure' | 'yes'> = {
  carrier: 'fedex',
  trackingNumber: ' 781234567890 ',
  driveCount: 2,
  shipDate: '2026-11-20',
  returnAddress: {
    name: 'Backup Ops',
    phone: '+1 425 555 0100',
    email: 'ops@example.org',
    street: '1 Main St',
    city: 'Redmond',
    state: 'WA',
    postalCode: '98052',
    country: 'US',
  },
  returnCarrier: 'FedEx',
  returnCarrierAccount: ACCOUNT,
};

/** Return details `prepare` kept for job seed01 (its answers.json: no account number). */
const SITE_TWO = {
  returnAddress: {
    recipientName: 'Site Two Ops',
    streetAddress1: '9 Harbour Rd',
    city: 'Galway',
    postalCode: 'H91 E2K3',
    countryOrRegion: 'IE',
    phone: '+353 91 555 0100',
    email: 'site2@example.org',
  },
  returnCarrier: 'FedEx',
};

const INTERACTIVE: Answers = {
  '--carrier': 'FedEx',
  '--tracking-number': '  781234567890  ',
  '--drive-count': undefined,
  '--ship-date': undefined,
  '--return-name': 'Backup Ops',
  '--return-phone': '+1 425 555 0100',
  '--return-email': 'ops@example.org',
  '--return-street': '1 Main St',
  '--return-city': 'Redmond',
  '--return-state': 'WA',
  '--return-postal-code': '98052',
  '--return-country': 'US',
  '--return-carrier': 'DHL',
  '--return-carrier-account': ACCOUNT,
  '--yes': 'yes',
};

/** The deps this computer's registry (local jobs) is read and written with, under `home`. */
function homeDeps(home: string) {
  return { env: { DISKPREP_HOME: home }, platform: 'linux' as const, fs: fsPromises };
}

async function run(
  opts: {
    staging?: string;
    answers?: Answers;
    flags?: Partial<ShipOptions>;
    json?: boolean;
    stub?: StubOptions;
    home?: string;
  } = {},
) {
  const home = opts.home ?? tempDir('home');
  const t = fakeDeps({
    ...(opts.answers ? { answers: opts.answers } : {}),
    json: opts.json ?? false,
    env: { DISKPREP_HOME: home },
  });
  const stub = stubService(opts.stub);
  const options: ShipOptions = {
    azure: {},
    returnAddress: {},
    yes: false,
    ...(opts.staging ? { staging: opts.staging } : {}),
    ...opts.flags,
  };
  let error: unknown;
  let result;
  try {
    result = await ship(options, t.deps, { createService: () => stub.service });
  } catch (err) {
    error = err;
  }
  const everything = [...t.recorded.stdout, ...t.recorded.stderr].join('\n');
  return { ...t, ...stub, error, result, home, everything };
}

describe('diskprep ship: the interactive flow', () => {
  it('asks every question, reviews, commits on "yes", saves the details and marks the job shipped', async () => {
    const dir = await staging({}, 2);
    const r = await run({ staging: dir, answers: { ...INTERACTIVE } });
    expect(r.error).toBeUndefined();
    // The order of questions, each named by its flag.
    expect(r.asked).toEqual([
      '--carrier',
      '--tracking-number',
      '--drive-count',
      '--ship-date',
      '--return-name',
      '--return-phone',
      '--return-email',
      '--return-street',
      '--return-city',
      '--return-state',
      '--return-postal-code',
      '--return-country',
      '--return-carrier',
      '--return-carrier-account',
      '--yes',
    ]);
    const returnAddress = RETURN_ADDRESS;
    // Return details before the shipment; trimmed tracking number; defaults: 2 drives from
    // the journal (a third, incomplete one is not counted), today from the clock.
    expect(r.calls).toEqual([
      { op: 'getJob', name: 'seed01' },
      { op: 'getShippingInfo', location: 'West US' },
      {
        op: 'setReturnDetails',
        name: 'seed01',
        details: {
          returnAddress,
          returnShipping: { carrierName: 'DHL', carrierAccountNumber: ACCOUNT },
        },
      },
      {
        op: 'markShipped',
        name: 'seed01',
        shipment: {
          carrierName: 'FedEx',
          trackingNumber: '781234567890',
          driveCount: 2,
          shipDate: '2026-11-21',
        },
      },
      { op: 'getJob', name: 'seed01' },
    ]);
    const file = path.join(dir, '.diskprep', 'journal', 'seed01', 'shipping.json');
    expect(r.result?.savedTo).toBe(file);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({
      version: 1,
      job: 'seed01',
      service: 'importexport',
      state: 'Shipping',
      shipment: { carrierName: 'FedEx', trackingNumber: '781234567890', driveCount: 2 },
      returnAddress,
      returnShipping: { carrierName: 'DHL' },
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The job state and drives were shown, the account only masked.
    const err = r.recorded.stderr.join('\n');
    expect(err).toContain('job seed01 (importexport): Creating');
    expect(err).toContain('  drive WD-1: Specified');
    expect(err).toMatch(/return carrier account:\s+•+ \(hidden\)/);
    expect(err).toContain('one package and one tracking number per job');
    // At 80 columns a path too long for a line is broken over lines indented under it.
    for (const l of r.recorded.stdout) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(r.recorded.stdout.map((l) => l.trim()).join('')).toContain(`saved to${file}`);
    // No secret anywhere: output, saved record, remembered address.
    const memory = await readFile(path.join(r.home, 'return-address.json'), 'utf8');
    for (const text of [r.everything, await readFile(file, 'utf8'), memory])
      expect(text).not.toContain(ACCOUNT);
    expect(JSON.parse(memory)).toMatchObject({ returnAddress, returnCarrier: 'DHL' });
    // This computer's list now says the job shipped.
    const [local] = await readLocalJobs(r.deps);
    expect(local).toMatchObject({
      name: 'seed01',
      staging: dir,
      shippedAt: '2026-11-21T10:00:00.000Z',
    });
  });

  it.each([['no'], ['y'], [''], ['yes please']])(
    'typed "%s" at the review: nothing is sent, exit 1',
    async (typed) => {
      const dir = await staging();
      const r = await run({ staging: dir, answers: { ...INTERACTIVE, '--yes': typed } });
      expect(r.error).toBeInstanceOf(DiskprepError);
      expect((r.error as DiskprepError).exitCode).toBe(1);
      expect((r.error as Error).message).toMatch(/^nothing was sent/);
      expect(r.calls.map((c) => c.op)).toEqual(['getJob', 'getShippingInfo']);
      await expect(
        stat(path.join(dir, '.diskprep', 'journal', 'seed01', 'shipping.json')),
      ).rejects.toThrow(/ENOENT/);
      expect(await readLocalJobs(r.deps)).toEqual([]);
    },
  );

  it('offers the remembered return address (not the account) as defaults on the next run', async () => {
    const home = tempDir('home');
    const first = await run({ staging: await staging(), answers: { ...INTERACTIVE }, home });
    expect(first.error).toBeUndefined();
    const defaults: Answers = { ...INTERACTIVE, '--tracking-number': '781234567891' };
    for (const k of Object.keys(defaults))
      if (k.startsWith('--return-') && k !== '--return-carrier-account') defaults[k] = undefined;
    // The select prompt takes the remembered carrier by name.
    defaults['--return-carrier'] = 'DHL';
    const second = await run({
      staging: await staging({ name: 'seed02' }),
      answers: defaults,
      home,
      stub: { name: 'seed02' },
    });
    expect(second.error).toBeUndefined();
    const set = second.calls.find((c) => c.op === 'setReturnDetails');
    expect(set).toMatchObject({
      details: {
        returnAddress: { recipientName: 'Backup Ops', city: 'Redmond', email: 'ops@example.org' },
        returnShipping: { carrierName: 'DHL', carrierAccountNumber: ACCOUNT },
      },
    });
    expect(second.asked).toContain('--return-carrier-account');
  });

  it("offers this job's return details (kept by prepare) before this computer's last ones", async () => {
    const home = tempDir('home');
    // Another job shipped from this computer: Redmond, DHL, remembered computer-wide.
    const other = await run({
      staging: await staging({ name: 'seed02' }),
      answers: { ...INTERACTIVE },
      home,
      stub: { name: 'seed02' },
    });
    expect(other.error).toBeUndefined();
    const dir = await staging();
    await rememberAnswers(fakeDeps().deps, dir, 'seed01', SITE_TWO);
    const defaults: Answers = { ...INTERACTIVE, '--tracking-number': '781234567892' };
    for (const k of Object.keys(defaults))
      if (k.startsWith('--return-') && k !== '--return-carrier-account') defaults[k] = undefined;
    defaults['--return-carrier'] = 'FedEx';
    const r = await run({ staging: dir, answers: defaults, home });
    expect(r.error).toBeUndefined();
    expect(r.calls.find((c) => c.op === 'setReturnDetails')).toMatchObject({
      details: {
        returnAddress: { recipientName: 'Site Two Ops', city: 'Galway', countryOrRegion: 'IE' },
        returnShipping: { carrierName: 'FedEx', carrierAccountNumber: ACCOUNT },
      },
    });
  });

  it('another carrier than the listed ones can be typed for the shipment to the datacenter', async () => {
    const r = await run({
      staging: await staging(),
      answers: { ...INTERACTIVE, '--carrier': ['\u0000other', 'UPS'] },
    });
    expect(r.error).toBeUndefined();
    expect(r.calls.find((c) => c.op === 'markShipped')).toMatchObject({
      shipment: { carrierName: 'UPS' },
    });
  });
});

describe('diskprep ship: states', () => {
  it('u: on a job already shipping: where it is, what can still change, what next; exit 0, nothing sent', async () => {
    const home = tempDir('home');
    const dir = await staging();
    const deps = homeDeps(home);
    await recordLocalJob(deps, {
      name: 'seed01',
      service: 'importexport',
      staging: dir,
      createdAt: '2026-11-18T09:00:00Z',
    });
    const r = await run({
      answers: {},
      stub: {
        serviceState: 'Shipping',
        deliveryPackage: { carrierName: 'FedEx', trackingNumber: '781234567890' },
      },
      home,
    });
    expect(r.error).toBeUndefined();
    expect(r.result).toBeUndefined();
    expect(r.asked).toEqual([]);
    expect(r.recorded.stdout).toEqual([
      'job seed01 (importexport) is Shipping: its shipping details were already entered',
      '  (FedEx 781234567890); the service waits for the drives to arrive at the',
      '  datacenter',
      '  shipped: FedEx 781234567890',
      'What can still be changed:',
      '  - the return address, carrier and account: in the Azure portal, until the',
      '    datacenter packs the drives',
      '  - not the shipment, and the job can no longer be cancelled',
      'next: waiting for the drives to arrive at the datacenter: nothing to do until',
      '  then',
    ]);
    expect(r.everything).not.toMatch(/ship the drives|Type "yes"|Shipping rules/);
    expect(r.calls.map((c) => c.op)).toEqual(['getJob']);
    // This computer's list learns the job left the waiting state.
    // Marked at the run's clock (fakeDeps: 2026-11-21T10:00:00Z).
    expect((await readLocalJobs(deps))[0]?.shippedAt).toBe('2026-11-21T10:00:00.000Z');
  });

  it('u: without s: when the one job created here was shipped already: where it is, exit 0', async () => {
    const home = tempDir('home');
    const dir = await staging();
    const deps = homeDeps(home);
    await recordLocalJob(deps, {
      name: 'seed01',
      service: 'importexport',
      staging: dir,
      createdAt: '2026-11-18T09:00:00Z',
      shippedAt: '2026-11-19T09:00:00Z',
    });
    const r = await run({
      answers: {},
      stub: { serviceState: 'Transferring', state: 'transferring' },
      home,
    });
    expect(r.error).toBeUndefined();
    expect(r.recorded.stdout[0]).toBe(
      'job seed01 (importexport) is Transferring: the datacenter is copying the drives',
    );
    expect(r.recorded.stdout.join('\n')).toContain('next: the datacenter is copying the drives');
    expect(r.calls.map((c) => c.op)).toEqual(['getJob']);
  });

  it('u: on a completed Data Box job, --json: one document saying where it is, nothing changeable', async () => {
    const dir = await staging();
    const r = await run({
      staging: dir,
      json: true,
      stub: { kind: 'databox', serviceState: 'Completed', state: 'completed' },
    });
    expect(r.error).toBeUndefined();
    expect(r.recorded.json).toEqual([
      {
        job: 'seed01',
        service: 'databox',
        state: 'Completed',
        sent: false,
        shipment: null,
        stillChangeable: [],
        next: `done: check the imported data with diskprep verify-import s:${dir}, then clean up the staging location`,
      },
    ]);
    expect(r.calls.map((c) => c.op)).toEqual(['getJob']);
  });

  it('u: on a job not yet waiting for details (Data Box still DeviceOrdered) is still exit 1', async () => {
    const dir = await staging();
    const r = await run({
      staging: dir,
      stub: { kind: 'databox', serviceState: 'DeviceOrdered', state: 'creating' },
    });
    expect((r.error as DiskprepError).exitCode).toBe(1);
    expect((r.error as Error).message).toMatch(/is DeviceOrdered, so it takes no shipping details/);
  });

  it('databox takes details only while AwaitingShipmentDetails', () => {
    expect(
      acceptsShippingDetails({ service: 'databox', serviceState: 'AwaitingShipmentDetails' }),
    ).toBe(true);
    expect(acceptsShippingDetails({ service: 'databox', serviceState: 'DeviceOrdered' })).toBe(
      false,
    );
    expect(acceptsShippingDetails({ service: 'databox', serviceState: 'ShippedToAzureDC' })).toBe(
      false,
    );
    expect(acceptsShippingDetails({ service: 'classic', serviceState: 'Creating' })).toBe(true);
    expect(acceptsShippingDetails({ service: 'importexport', serviceState: 'Shipping' })).toBe(
      false,
    );
  });

  it('a failed shipment after the return details were set is exit 4 and saves nothing', async () => {
    const dir = await staging();
    const r = await run({
      staging: dir,
      answers: { ...INTERACTIVE },
      stub: { failShipment: true },
    });
    expect(r.error).toBeInstanceOf(AzureError);
    expect(r.recorded.stderr.join('\n')).toMatch(
      /return details of job seed01 were updated but the shipment was not recorded/,
    );
    await expect(
      stat(path.join(dir, '.diskprep', 'journal', 'seed01', 'shipping.json')),
    ).rejects.toThrow(/ENOENT/);
  });
});

describe('diskprep ship: scripts', () => {
  it('every answer as a flag with --yes and --json: no question, one JSON document', async () => {
    const dir = await staging({
      service: 'databox',
      subscription: '00000000-1111-2222-3333-444444444444',
      resourceGroup: 'rg',
      location: 'westus',
    });
    const r = await run({
      staging: dir,
      json: true,
      flags: { ...ALL_FLAGS, yes: true },
      stub: { kind: 'databox', location: 'westus' },
    });
    expect(r.error).toBeUndefined();
    expect(r.recorded.json).toEqual([
      {
        job: 'seed01',
        service: 'databox',
        state: 'ShippedToAzureDC',
        shipment: {
          carrierName: 'FedEx',
          trackingNumber: '781234567890',
          driveCount: 2,
          shipDate: '2026-11-20',
        },
        returnAddress: expect.objectContaining({
          recipientName: 'Backup Ops',
          countryOrRegion: 'US',
        }),
        returnShipping: { carrierName: 'FedEx' },
        savedTo: path.join(dir, '.diskprep', 'journal', 'seed01', 'shipping.json'),
      },
    ]);
    expect(r.everything).not.toContain(ACCOUNT);
  });

  it("a script takes this job's return details kept by prepare: only the account number is needed", async () => {
    const dir = await staging();
    await rememberAnswers(fakeDeps().deps, dir, 'seed01', SITE_TWO);
    const r = await run({
      staging: dir,
      flags: { ...ALL_FLAGS, returnAddress: {}, returnCarrier: undefined, yes: true },
    });
    expect(r.error).toBeUndefined();
    expect(r.calls.find((c) => c.op === 'setReturnDetails')).toMatchObject({
      details: {
        returnAddress: { recipientName: 'Site Two Ops', streetAddress1: '9 Harbour Rd' },
        returnShipping: { carrierName: 'FedEx', carrierAccountNumber: ACCOUNT },
      },
    });
    // Without them, the flags are named (nothing of another job's is sent unasked).
    const bare = await run({
      staging: await staging(),
      flags: { ...ALL_FLAGS, returnAddress: {}, returnCarrier: undefined, yes: true },
    });
    expect((bare.error as DiskprepError).exitCode).toBe(3);
    expect((bare.error as DiskprepError).message).toMatch(/--return-name/);
  });

  it('a truncated answers.json (read back from the staging location): exit 2 naming the file and the fix, nothing sent', async () => {
    const dir = await staging();
    const file = await rememberAnswers(fakeDeps().deps, dir, 'seed01', SITE_TWO);
    await writeFile(file, (await readFile(file, 'utf8')).slice(0, 40));
    const r = await run({ staging: dir, flags: { ...ALL_FLAGS, yes: true } });
    const err = r.error as DiskprepError;
    expect([err.exitCode, err.message.split('\n').length]).toEqual([2, 1]);
    expect(err.message).toContain(file);
    expect(err.hint).toMatch(/^delete it/);
    expect(r.calls.map((c) => c.op)).not.toContain('setReturnDetails');
  });

  it('a missing answer in a non-interactive run exits 3 naming its flag', async () => {
    const r = await run({
      staging: await staging(),
      flags: { ...ALL_FLAGS, trackingNumber: undefined, yes: true },
    });
    expect(r.error).toBeInstanceOf(NeedsAnswerError);
    expect((r.error as NeedsAnswerError).flag).toBe('--tracking-number');
    expect((r.error as NeedsAnswerError).exitCode).toBe(3);
    expect(r.calls.map((c) => c.op)).toEqual(['getJob', 'getShippingInfo']);
  });

  it('all flags but no --yes in a non-interactive run: exit 3 naming --yes, nothing sent', async () => {
    const r = await run({ staging: await staging(), flags: { ...ALL_FLAGS } });
    expect(r.error).toBeInstanceOf(NeedsAnswerError);
    expect((r.error as NeedsAnswerError).flag).toBe('--yes');
    expect(r.calls.some((c) => c.op === 'markShipped' || c.op === 'setReturnDetails')).toBe(false);
  });

  it.each([
    [{ shipDate: '2026-11-22' }, /--ship-date "2026-11-22": the ship date cannot be in the future/],
    [
      { shipDate: '2026-11-01' },
      /--ship-date "2026-11-01": more than 14 days ago: drives must be shipped within two weeks/,
    ],
    [{ shipDate: '2026-02-30' }, /--ship-date "2026-02-30": a date as YYYY-MM-DD/],
    [{ trackingNumber: '   ' }, /--tracking-number "": the tracking number is needed/],
    [{ returnCarrier: 'UPS' }, /--return-carrier "UPS": the service takes FedEx, DHL for West US/],
    [
      { returnAddress: { ...ALL_FLAGS.returnAddress, email: 'ops-at-example' } },
      /--return-email "ops-at-example": an email address/,
    ],
    [{ driveCount: 11 }, /--drive-count "11": a whole number from 1 to 10/],
  ] as const)('bad flag value %o: exit 2 naming the flag', async (over, message) => {
    const r = await run({ staging: await staging(), flags: { ...ALL_FLAGS, ...over, yes: true } });
    expect(r.error).toBeInstanceOf(UsageError);
    expect((r.error as Error).message).toMatch(message);
    expect(r.calls.some((c) => c.op === 'markShipped')).toBe(false);
  });

  it('warns about a placeholder tracking number, an unlisted carrier and a drive-count mismatch', async () => {
    const r = await run({
      staging: await staging(),
      flags: { ...ALL_FLAGS, carrier: 'UPS', trackingNumber: '000000', driveCount: 1, yes: true },
    });
    expect(r.error).toBeUndefined();
    const err = r.recorded.stderr.join('\n');
    expect(err).toMatch(
      /⚠ UPS is not among the carriers the service lists for West US \(FedEx, DHL\)/,
    );
    expect(err).toMatch(/⚠ tracking number "000000" looks like a placeholder/);
    expect(err).toMatch(/⚠ the package holds 1 drive but the job lists 2/);
  });

  it('warns when the job was created more than two weeks before the ship date', async () => {
    const r = await run({
      staging: await staging({ createdAt: '2026-11-01T09:00:00Z' }),
      flags: { ...ALL_FLAGS, yes: true },
    });
    expect(r.error).toBeUndefined();
    expect(r.recorded.stderr.join('\n')).toMatch(
      /created on 2026-11-01, more than two weeks before 2026-11-20/,
    );
  });

  it('placeholder detection', () => {
    for (const p of ['000000', '123456789', 'TBD', 'n/a', 'test', 'xxxxxx', '1111-1111'])
      expect(looksLikePlaceholder(p), p).toBe(true);
    for (const p of ['781234567890', '1Z999AA10123456784', 'JD014600006281234567'])
      expect(looksLikePlaceholder(p), p).toBe(false);
  });
});

describe("diskprep u: without s: (this computer's list)", () => {
  it('no job waiting: one line saying to pass s: (and p: for classic), exit 2', async () => {
    const r = await run({ answers: {} });
    expect(r.error).toBeInstanceOf(UsageError);
    const e = r.error as UsageError;
    expect(e.message).toBe('no job created on this computer is waiting for shipping details');
    expect(e.hint).toMatch(/pass s:<staging> \(and p:<file\.publishsettings> for a classic job\)/);
  });

  it('several jobs waiting: asks which (--job); classic without p: names p:', async () => {
    const home = tempDir('home');
    const deps = homeDeps(home);
    const a = await staging({ name: 'alpha', service: 'classic' });
    const b = await staging({
      name: 'beta',
      service: 'databox',
      subscription: '00000000-1111-2222-3333-444444444444',
      resourceGroup: 'rg',
    });
    await recordLocalJob(deps, {
      name: 'alpha',
      service: 'classic',
      staging: a,
      createdAt: '2026-11-18T09:00:00Z',
    });
    await recordLocalJob(deps, {
      name: 'beta',
      service: 'databox',
      staging: b,
      createdAt: '2026-11-19T09:00:00Z',
    });

    const asked = await run({ answers: { '--job': 'alpha' }, home });
    expect(asked.asked[0]).toBe('--job');
    expect(asked.error).toBeInstanceOf(UsageError);
    expect((asked.error as UsageError).message).toBe(
      'job alpha runs on the classic service, which needs the publish settings',
    );
    expect((asked.error as UsageError).hint).toMatch(/pass p:<file\.publishsettings>/);

    const scripted = await run({
      home,
      flags: { ...ALL_FLAGS, job: 'beta', yes: true },
      stub: { kind: 'databox', name: 'beta' },
    });
    expect(scripted.error).toBeUndefined();
    expect(scripted.result?.savedTo).toBe(
      path.join(b, '.diskprep', 'journal', 'beta', 'shipping.json'),
    );
    expect((await readLocalJobs(deps)).find((j) => j.name === 'beta')?.shippedAt).toBe(
      '2026-11-21T10:00:00.000Z',
    );
    expect((await readLocalJobs(deps)).find((j) => j.name === 'alpha')?.shippedAt).toBeUndefined();
  });

  it("a staging location that is gone: the details are kept under this computer's folder", async () => {
    const home = tempDir('home');
    const deps = homeDeps(home);
    await recordLocalJob(deps, {
      name: 'gamma',
      service: 'databox',
      staging: '/nonexistent/staging',
      subscription: '00000000-1111-2222-3333-444444444444',
      resourceGroup: 'rg',
      createdAt: '2026-11-19T09:00:00Z',
    });
    const r = await run({
      home,
      flags: { ...ALL_FLAGS, yes: true },
      stub: { kind: 'databox', name: 'gamma' },
    });
    expect(r.error).toBeUndefined();
    expect(r.result?.savedTo).toBe(path.join(home, 'shipping', 'gamma.json'));
    expect(
      JSON.parse(await readFile(path.join(home, 'shipping', 'gamma.json'), 'utf8')),
    ).toMatchObject({ job: 'gamma' });
  });
});

describe('next steps', () => {
  const how = { shipCommand: 'diskprep u:', verifyCommand: 'diskprep verify-import s:/s' };
  it.each([
    [
      { service: 'classic', serviceState: 'Creating', state: 'creating' },
      'waiting for shipping details: ship the drives, then run diskprep u:',
    ],
    [
      { service: 'databox', serviceState: 'DeviceOrdered', state: 'creating' },
      'the service is setting the job up: check again in a few minutes',
    ],
    [
      { service: 'databox', serviceState: 'ShippedToAzureDC', state: 'shipping' },
      'waiting for the drives to arrive at the datacenter: nothing to do until then',
    ],
    [
      { service: 'classic', serviceState: 'Completed', state: 'completed' },
      'done: check the imported data with diskprep verify-import s:/s, then clean up the staging location',
    ],
  ] as const)('%o → %s', (job, text) => {
    expect(nextStep(job, how)).toBe(text);
  });
});
