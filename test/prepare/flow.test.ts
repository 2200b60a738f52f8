/**
 * The prepare flow (src/prepare/flow.ts) through its seams, the way test/ship/shipFlow.test.ts
 * drives `ship`: stub deps, a stub service, stub disks and a recording preflight; the engine runs
 * for real on a tiny staging tree onto temp folders. A fresh job is copied, reviewed, created
 * once and recorded in the journal before success is said; a resumed run finds the record and
 * creates nothing; offline leaves the drive-info XML and calls no service; a scripted run missing
 * an answer stops with exit 3 naming the flag and creates nothing; a dry run writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExec } from '../../src/deps/exec.ts';
import { driveInfoPath, readCopyState } from '../../src/journal/copyState.ts';
import { DiskprepError } from '../../src/errors.ts';
import type { ImportJobServiceInput } from '../../src/importjob/factory.ts';
import type { PreflightOptions } from '../../src/flows/check/preflight.ts';
import type { DiskSeams } from '../../src/flows/prepare/driveTargets.ts';
import { type FlowSeams, runPrepareFlow } from '../../src/flows/prepare/flow.ts';
import type { InlineInit } from '../../src/flows/prepare/newJob.ts';
import { jobRecordPath, readJobRecord } from '../../src/journal/jobRecord.ts';
import type { PrepareOptions } from '../../src/flows/prepare/options.ts';
import { readLocalJobs } from '../../src/registry/localJobs.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import {
  checkManifestAgainstSource,
  KEY1,
  md5,
  parseManifest,
  writeJob,
  writeTree,
} from '../engine/stagingFixture.ts';
import { type Answers, fakeDeps } from '../helpers/fakeDeps.ts';
import { RETURN_ADDRESS } from '../helpers/returnFlags.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { stubService, type StubOptions } from '../ship/stubService.ts';
import { stubDisk, stubDisks } from './stubDisks.ts';

const ACCOUNT = 'FDX-ACCT-7731-9904';
const SUB = '00000000-1111-2222-3333-444444444444';
const DATA: Record<string, string | Buffer> = {
  'seed/Backup/Disk0.AIBBlob': Buffer.alloc(96 * 1024, 7),
  'seed/notes/read me.txt': 'staging notes\n',
  'other/x.txt': 'not this job',
};

const JOB: Partial<JobDescriptor> = {
  name: 'seed01',
  service: 'importexport',
  subscription: SUB,
  resourceGroup: 'rg-backup',
  storageAccount: 'backupacct',
  container: 'backups',
  location: 'West US',
  data: 'seed',
};

const RETURN_ANSWERS = {
  returnAddress: {
    name: RETURN_ADDRESS.recipientName,
    phone: RETURN_ADDRESS.phone,
    email: RETURN_ADDRESS.email,
    street: RETURN_ADDRESS.streetAddress1,
    city: RETURN_ADDRESS.city,
    state: RETURN_ADDRESS.stateOrProvince,
    postalCode: RETURN_ADDRESS.postalCode,
    country: RETURN_ADDRESS.countryOrRegion,
  },
  returnCarrier: 'FedEx',
  returnCarrierAccount: ACCOUNT,
};

/** A staging location holding job seed01 (and another job's data), with its secrets. */
function staging(job: Partial<JobDescriptor> = {}): string {
  const dir = tempDir('flow-staging');
  writeTree(dir, DATA);
  writeJob(dir, { ...JOB, ...job });
  return dir;
}

/** Scripted options: one `--target` folder, its drive id and key, every answer as a flag. */
function options(stagingDir: string, over: Partial<PrepareOptions> = {}): PrepareOptions {
  return {
    azure: {},
    staging: stagingDir,
    targets: [tempDir('flow-target')],
    drives: [],
    driveIds: ['WD-FLOW0001'],
    bitlockerKeys: [KEY1],
    alreadyEncrypted: true,
    alreadyFormatted: true,
    offline: false,
    yes: true,
    shipNow: false,
    ship: RETURN_ANSWERS,
    ...over,
  };
}

/** Runs the flow with stub seams; returns everything they saw. */
async function run(
  o: PrepareOptions,
  t: {
    stub?: StubOptions;
    json?: boolean;
    dryRun?: boolean;
    answers?: Answers;
    home?: string;
    disks?: DiskSeams;
    initJob?: FlowSeams['initJob'];
  } = {},
) {
  const home = t.home ?? tempDir('flow-home');
  const f = fakeDeps({
    json: t.json ?? false,
    env: { DISKPREP_HOME: home },
    ...(t.answers ? { answers: t.answers } : {}),
  });
  // The engine's barrier (sync -f) runs for real on the target folder.
  f.deps.exec = createExec({ dryRun: t.dryRun ?? false, terminal: f.deps.terminal });
  const stub = stubService({ absent: true, ...t.stub });
  const services: ImportJobServiceInput[] = [];
  const preflights: PreflightOptions[] = [];
  // Each success line, with whether the journal held the job record when it was said.
  const successes: { message: string; recorded: boolean }[] = [];
  const success = f.deps.terminal.success.bind(f.deps.terminal);
  f.deps.terminal.success = (message) => {
    const recorded = fs.existsSync(jobRecordPath(path.resolve(o.staging), 'seed01'));
    successes.push({ message, recorded });
    success(message);
  };
  let error: unknown;
  try {
    await runPrepareFlow(o, f.deps, {
      createService: (input) => {
        services.push(input);
        return stub.service;
      },
      preflight: async (_deps, p) => {
        preflights.push(p);
      },
      ...(t.disks ? { disks: t.disks } : {}),
      ...(t.initJob ? { initJob: t.initJob } : {}),
    });
  } catch (err) {
    error = err;
  }
  const everything = [...f.recorded.stdout, ...f.recorded.stderr].join('\n');
  return { ...f, ...stub, services, preflights, successes, error, home, everything };
}

/** The manifest of a drive folder, its files checked against the staging data. */
function manifestOf(target: string, stagingDir: string) {
  const file = path.join(target, 'DriveManifest.xml');
  const m = parseManifest(file);
  const problems = checkManifestAgainstSource(
    m.blobs,
    (p) => path.join(stagingDir, 'seed', ...p.split('\\').slice(2)),
    target,
  );
  return { ...m, hash: md5(fs.readFileSync(file)), problems };
}

describe('runPrepareFlow through its seams', () => {
  it('a fresh job: copies onto the --target, reviews, creates the job once with the manifest hash, records it before success', async () => {
    const dir = staging();
    const o = options(dir);
    const r = await run(o);
    expect(r.error).toBeUndefined();

    // The service of the job's descriptor, under its subscription and resource group.
    expect(r.services).toEqual([
      {
        service: 'importexport',
        azure: {},
        job: { subscription: SUB, resourceGroup: 'rg-backup', storageAccount: 'backupacct' },
      },
    ]);
    // Preflight before any copy: a mounted target needs no disk, and the job is to be created.
    expect(r.preflights).toEqual([
      expect.objectContaining({
        staging: dir,
        job: 'seed01',
        needsDisk: false,
        service: 'importexport',
        createsJob: true,
      }),
    ]);

    // The drive holds the job's files, every hash right, nothing of the other job.
    const target = o.targets[0]!;
    const m = manifestOf(target, dir);
    expect(m.DriveId).toBe('WD-FLOW0001');
    expect(m.blobs.map((b) => b.BlobPath).sort()).toEqual([
      'backups/Backup/Disk0.AIBBlob',
      'backups/notes/read me.txt',
    ]);
    expect(m.problems).toEqual([]);

    // Asked where to ship, looked for an earlier job, created it once with the drive as copied.
    expect(r.calls.map((c) => c.op)).toEqual(['getShippingInfo', 'getJob', 'createJob']);
    const create = r.calls.find((c) => c.op === 'createJob')!;
    expect(create.request).toMatchObject({
      name: 'seed01',
      location: 'West US',
      storageAccount: 'backupacct',
      storageResourceGroup: 'rg-backup',
      container: 'backups',
      drives: [
        {
          driveId: 'WD-FLOW0001',
          bitLockerKey: KEY1,
          manifestFile: '\\DriveManifest.xml',
          manifestHash: m.hash,
        },
      ],
      returnAddress: RETURN_ADDRESS,
      returnShipping: { carrierName: 'FedEx', carrierAccountNumber: ACCOUNT },
    });

    // The journal's record existed when "created" was said, and holds the drive and its hash.
    expect(r.successes.filter((x) => x.message.startsWith('import job'))).toEqual([
      { message: 'import job seed01 created', recorded: true },
    ]);
    expect(await readJobRecord(r.deps, dir, 'seed01')).toEqual({
      version: 1,
      job: 'seed01',
      service: 'importexport',
      location: 'West US',
      createdAt: '2026-11-21T10:00:00.000Z',
      serviceState: 'Creating',
      drives: [{ driveId: 'WD-FLOW0001', manifestHash: m.hash }],
    });
    // This computer's list knows the job; the next step is named; no secret was printed.
    expect(await readLocalJobs(r.deps)).toMatchObject([
      { name: 'seed01', service: 'importexport', staging: dir, subscription: SUB },
    ]);
    expect(r.recorded.stdout.at(-1)).toBe(`When the package is on its way: diskprep u: s:${dir}`);
    expect(r.everything).not.toContain(KEY1);
    expect(r.everything).not.toContain(ACCOUNT);
  });

  it('a resumed job: the journal records it, so the same command creates nothing and copies nothing again', async () => {
    const dir = staging();
    const o = options(dir);
    const first = await run(o);
    expect(first.error).toBeUndefined();
    const manifest = fs.readFileSync(path.join(o.targets[0]!, 'DriveManifest.xml'));

    const again = await run(o, { stub: { absent: false }, json: true, home: first.home });
    expect(again.error).toBeUndefined();
    // The job's state is asked (reads: before the copy, whether it still waits for drives; after), never created again.
    expect(again.calls.map((c) => c.op)).toEqual(['getJob', 'getShippingInfo', 'getJob']);
    expect(again.preflights).toEqual([expect.objectContaining({ createsJob: false })]);
    expect(again.recorded.stderr).toContain(
      'import job seed01 was created on 2026-11-21 (journal): not created again',
    );
    expect(again.recorded.json).toEqual([
      expect.objectContaining({
        job: 'seed01',
        created: true,
        createdNow: false,
        files: 2,
        resumedFiles: 2,
        drives: [expect.objectContaining({ driveId: 'WD-FLOW0001' })],
      }),
    ]);
    // The drive's manifest is the one the job was created with.
    expect(fs.readFileSync(path.join(o.targets[0]!, 'DriveManifest.xml'))).toEqual(manifest);
  });

  it('s: again on a job already shipping: says where it is and what next, never "ship the drives", offers no shipping', async () => {
    const dir = staging();
    const o = options(dir);
    const first = await run(o);
    expect(first.error).toBeUndefined();
    expect(first.recorded.stdout.map((l) => l.trim()).join(' ')).toContain(
      'ship the drives, then enter the tracking number',
    );

    const again = await run(
      { ...o, yes: false, shipNow: undefined },
      {
        stub: {
          absent: false,
          serviceState: 'Shipping',
          deliveryPackage: { carrierName: 'FedEx', trackingNumber: '781234567890' },
        },
        answers: {},
        home: first.home,
      },
    );
    expect(again.error).toBeUndefined();
    expect(again.asked).toEqual([]);
    expect(again.calls.map((c) => c.op)).not.toContain('markShipped');
    const out = again.recorded.stdout.map((l) => l.trim()).join(' ');
    expect(out).toContain(
      'import job seed01 exists on the importexport service and is Shipping: its shipping details were already entered (FedEx 781234567890); the service waits for the drives to arrive at the datacenter; next: waiting for the drives to arrive at the datacenter: nothing to do until then',
    );
    expect(again.everything).not.toMatch(
      /ship the drives|Ship the drives to|When the package is on its way|Write on each drive|Rules:/,
    );
  });

  it('s: again on a job waiting for its drives still says to ship them, with the u: command', async () => {
    const dir = staging();
    const o = options(dir);
    const first = await run(o);
    const again = await run(o, { stub: { absent: false }, home: first.home });
    expect(again.error).toBeUndefined();
    const out = again.recorded.stdout.map((l) => l.trim()).join(' ');
    expect(out).toContain(
      'import job seed01 exists on the importexport service; ship the drives, then enter the tracking number with diskprep u:',
    );
    expect(out).toContain(`When the package is on its way: diskprep u: s:${dir}`);
  });

  it('offline: leaves the drive-info XML for the portal and makes no service call', async () => {
    const dir = staging();
    const o = options(dir, { offline: true, ship: {} });
    const r = await run(o, { json: true });
    expect(r.error).toBeUndefined();
    expect(r.services).toEqual([]);
    expect(r.calls).toEqual([]);
    expect(r.preflights).toEqual([
      expect.objectContaining({ service: 'offline', createsJob: false }),
    ]);
    const xml = fs.readFileSync(driveInfoPath(dir, 'seed01', 'WD-FLOW0001'), 'utf8');
    expect(xml).toContain('<DriveId>WD-FLOW0001</DriveId>');
    expect(xml).toContain(`<ManifestHash>${manifestOf(o.targets[0]!, dir).hash}</ManifestHash>`);
    expect(r.recorded.json).toEqual([
      expect.objectContaining({
        service: 'offline',
        offline: true,
        created: false,
        jobCreated: false,
        files: 2,
        note: 'offline: no Azure call made; create the import job in the Azure portal and upload each drive-info XML',
      }),
    ]);
    expect(fs.existsSync(jobRecordPath(dir, 'seed01'))).toBe(false);
  });

  it('a scripted run missing return answers stops once, before the copy, naming every flag, and creates nothing', async () => {
    const dir = staging();
    const o = options(dir, { ship: { returnCarrier: 'FedEx', returnCarrierAccount: ACCOUNT } });
    const r = await run(o);
    expect(r.error).toBeInstanceOf(DiskprepError);
    const flags = ['name', 'phone', 'email', 'street', 'city', 'postal-code', 'country'];
    expect(r.error).toMatchObject({
      exitCode: 3,
      flag: '--return-name',
      message: `missing ${flags.map((f) => `--return-${f}`).join(', ')}: no answer in a non-interactive run`,
    });
    expect(r.calls.map((c) => c.op)).toEqual(['getShippingInfo']);
    // Nothing copied: the same command with the answers starts the copy.
    expect(await readCopyState(r.deps, dir, 'seed01')).toBeUndefined();
    expect(fs.readdirSync(o.targets[0]!)).toEqual([]);
  });

  it('no job recorded: a script exits 3 naming --job and --container; interactively the job is recorded through init, then prepared', async () => {
    const dir = tempDir('flow-staging');
    writeTree(dir, DATA);
    const script = await run(options(dir));
    expect(script.error).toMatchObject({
      exitCode: 3,
      message: `no import job is recorded in ${dir}; missing --job, --container: no answer in a non-interactive run`,
    });
    const inits: InlineInit[] = [];
    const asked = await run(options(dir), {
      answers: { '--job': ['Bad Name', 'seed01'], '--container': 'backups' },
      initJob: async (o) => {
        inits.push(o);
        writeJob(dir, { ...JOB, name: o.job, container: o.container });
      },
    });
    expect(asked.error).toBeUndefined();
    expect(inits).toEqual([
      expect.objectContaining({
        staging: dir,
        job: 'seed01',
        container: 'backups',
        service: 'databox',
      }),
    ]);
    expect(asked.asked).toEqual(['--job', '--job', '--container']);
    expect(await readJobRecord(asked.deps, dir, 'seed01')).toMatchObject({ job: 'seed01' });
  });

  it('a job recorded without a location: a location the service does not know is asked again; the answer is remembered for the next run', async () => {
    const dir = staging({ location: undefined });
    const r = await run(options(dir), {
      answers: { '--location': ['Wset US', 'West US'] },
      stub: { locations: ['West US', 'East US'] },
    });
    expect(r.error).toBeUndefined();
    expect(r.asked).toEqual(['--location', '--location']);
    expect(r.recorded.stderr).toContain(
      '⚠ "Wset US": not an Import/Export location; use one of: West US, East US; try again (2 tries left)',
    );
    expect(r.calls.find((c) => c.op === 'createJob')).toMatchObject({
      request: { location: 'West US' },
    });
    const answers = JSON.parse(
      fs.readFileSync(path.join(dir, '.diskprep', 'journal', 'seed01', 'answers.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(answers).toMatchObject({ location: 'West US', returnCarrier: 'FedEx' });
    expect(JSON.stringify(answers)).not.toContain(ACCOUNT);
  });

  it('a dry run: says what it would copy and create, writes nothing, makes no write call', async () => {
    const dir = staging();
    const o = options(dir);
    const r = await run(o, { dryRun: true, json: true });
    expect(r.error).toBeUndefined();
    expect(fs.readdirSync(o.targets[0]!)).toEqual([]);
    expect(await readCopyState(r.deps, dir, 'seed01')).toBeUndefined();
    expect(r.calls.map((c) => c.op)).toEqual(['getShippingInfo']);
    expect(r.recorded.stderr).toContain(
      'dry run: would create import job seed01 on the importexport service in West US; no Azure write call was made',
    );
    expect(r.recorded.json).toEqual([
      expect.objectContaining({
        dryRun: true,
        created: false,
        files: 2,
        bytes: 96 * 1024 + 14,
        sessionId: null,
        drives: [],
      }),
    ]);
  });

  it('a named disk: claimed, opened with its key and drive id, copied onto, released at the end', async () => {
    const dir = staging();
    const volume = tempDir('flow-volume');
    const log: string[] = [];
    const o = options(dir, { targets: [], drives: ['/dev/sdq'], driveIds: [] });
    const r = await run(o, {
      disks: stubDisks([stubDisk('/dev/sdq', 'WD-SDQ0001')], log, {
        keyNames: { [KEY1]: 'KEY1' },
        mountPathOf: () => volume,
      }),
    });
    expect(r.error).toBeUndefined();
    expect(r.preflights).toEqual([expect.objectContaining({ needsDisk: true })]);
    expect(log).toEqual([
      'claim /dev/sdq',
      'open /dev/sdq WD-SDQ0001 KEY1',
      'release /dev/sdq',
      'unclaim /dev/sdq',
    ]);
    expect(manifestOf(volume, dir)).toMatchObject({ DriveId: 'WD-SDQ0001', problems: [] });
    const create = r.calls.find((c) => c.op === 'createJob')!;
    expect(create.request.drives.map((d) => d.driveId)).toEqual(['WD-SDQ0001']);
  });

  it('a failing preflight stops the flow before any disk is touched or any byte copied', async () => {
    const dir = staging();
    const log: string[] = [];
    const o = options(dir, { targets: [], drives: ['/dev/sdq'], driveIds: [] });
    const f = fakeDeps({ env: { DISKPREP_HOME: tempDir('flow-home') } });
    const err = await runPrepareFlow(o, f.deps, {
      createService: () => stubService({ absent: true }).service,
      preflight: async () => {
        throw new DiskprepError('the storage account cannot be reached', 4);
      },
      disks: stubDisks([stubDisk('/dev/sdq', 'WD-SDQ0001')], log),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 4, message: 'the storage account cannot be reached' });
    expect(log).toEqual([]);
    expect(await readCopyState(f.deps, dir, 'seed01')).toBeUndefined();
  });
});
