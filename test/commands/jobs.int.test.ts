/**
 * The Data Box job's whole life against the spec-validating loopback ARM: listed (several pages,
 * a subscription and a resource group), watched through a state change, cancelled (the name typed
 * back, or scripted with --job --yes), refused when the service says it is not cancellable, and a
 * job created elsewhere adopted then shipped with `u:` (markDevicesShipped). No token or carrier
 * account reaches stdout or stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { status } from '../../src/commands/status/index.ts';
import { cancel } from '../../src/commands/cancel/index.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FakeArm } from '../fakes/fakeArm.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';
import { runMain } from '../helpers/runMain.ts';
import { returnFlags } from '../helpers/returnFlags.ts';
import { tempDir } from '../helpers/tempDir.ts';

const TOKEN = 'jobs-token-7f3a9c1e5b2d4a6f8e0c';
const SUB = '00000000-1111-2222-3333-444444444444';
const ACCOUNT = '998877665544';

let pki: TestPki;
let arm: FakeArm;
let caFile: string;
let home: string;

beforeAll(async () => {
  pki = await makeTestPki();
  arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
    listPageSize: 2,
  }).start();
  caFile = path.join(tempDir('jobs-ca'), 'ca.pem');
  writeFileSync(caFile, pki.caPem);
});
afterAll(async () => arm.stop());
beforeEach(() => {
  arm.databoxJobs.clear();
  arm.requests.length = 0;
  home = tempDir('jobs-home');
});

/** `diskprep args…` in-process against the fake ARM, with a fresh job list. */
function diskprep(args: string[]) {
  return runMain([...args, '--arm-endpoint', arm.url, '--ca-file', caFile], {
    env: { DISKPREP_ACCESS_TOKEN: TOKEN, DISKPREP_HOME: home },
  });
}

function seed(): void {
  arm.addExternalDataBoxJob(SUB, 'rg-backup', 'seed-a', { drives: ['WD-A1', 'WD-A2'] });
  arm.addExternalDataBoxJob(SUB, 'rg-backup', 'seed-b', { startTime: '2026-11-19T07:00:00Z' });
  arm.addExternalDataBoxJob(SUB, 'rg-backup', 'seed-c', { location: 'eastus' });
  arm.addExternalDataBoxJob(SUB, 'rg-other', 'other-1', { drives: ['X1', 'X2', 'X3'] });
  arm.addExternalDataBoxJob(SUB, 'rg-other', 'other-2');
}

/** Deps for the command functions: the real http seam, a clock that only counts. */
function depsFor(extra: Parameters<typeof realHttpDeps>[1] = {}) {
  return realHttpDeps(pki.caPem, {
    env: { DISKPREP_ACCESS_TOKEN: TOKEN, DISKPREP_HOME: home },
    ...extra,
  });
}

function expectNoSecrets(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(TOKEN);
    expect(t).not.toContain(ACCOUNT);
    expect(t).not.toMatch(/Bearer/i);
  }
}

afterAll(() => expect(arm.violations).toEqual([]));

describe('diskprep jobs', () => {
  it('lists every page of a subscription, and one resource group, in a table and as JSON', async () => {
    seed();
    const all = await diskprep(['jobs', '--subscription', SUB, '--json']);
    expect(all.exitCode).toBe(0);
    const listed = (JSON.parse(all.stdout) as { jobs: { name: string }[] }).jobs;
    expect(listed.map((j) => j.name).sort()).toEqual([
      'other-1',
      'other-2',
      'seed-a',
      'seed-b',
      'seed-c',
    ]);
    // 5 jobs at 2 per page: 3 pages, the later ones by nextLink's $skipToken.
    const lists = arm.requests.filter((r) => r.operationId === 'Jobs_List');
    expect(lists.map((r) => new URLSearchParams(r.query).get('$skipToken'))).toEqual([
      null,
      '2',
      '4',
    ]);
    expect(JSON.parse(all.stdout).jobs).toContainEqual({
      name: 'other-1',
      state: 'AwaitingShipmentDetails',
      location: 'westus',
      resourceGroup: 'rg-other',
      drives: 3,
      createdAt: '2026-11-20T08:30:00Z',
      cancellable: true,
    });

    const group = await diskprep(['jobs', '--subscription', SUB, '--resource-group', 'rg-backup']);
    expect(group.exitCode).toBe(0);
    const lines = group.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('3 Data Box customer-disk jobs in resource group rg-backup:');
    // Piped: 80 columns, too narrow for one row a job; created and group go under each row.
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^NAME +STATE +LOCATION +DRIVES$/);
    const a = lines.findIndex((l) => l.startsWith('seed-a'));
    expect(lines[a]).toMatch(/^seed-a +AwaitingShipmentDetails +westus +2$/);
    expect(lines[a + 1]).toBe('  created 2026-11-20 08:30 UTC, resource group rg-backup');
    expect(lines[lines.findIndex((l) => l.startsWith('seed-b')) + 1]).toContain('2026-11-19 07:00');
    expect(lines.some((l) => l.startsWith('other-'))).toBe(false);
    expectNoSecrets(all.stdout, all.stderr, group.stdout, group.stderr);
  });

  it('without --subscription says which flag is missing (exit 2)', async () => {
    const r = await diskprep(['jobs']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--subscription');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});

describe('an external job adopted, then shipped with u:', () => {
  it('jobs --adopt records it; u: --job finds it and marks the devices shipped', async () => {
    seed();
    const staging = tempDir('jobs-staging');
    const missing = await diskprep([
      'jobs',
      '--adopt',
      'nosuch',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
    ]);
    expect(missing.exitCode).toBe(4);
    expect(existsList()).toBe(false);

    const adopt = await diskprep([
      'jobs',
      '--adopt',
      'seed-a',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
      '--staging',
      staging,
    ]);
    expect(adopt.exitCode).toBe(0);
    expect(adopt.stdout).toContain(
      'adopted Data Box job seed-a (AwaitingShipmentDetails, 2 drives)',
    );
    const list = JSON.parse(readFileSync(path.join(home, 'jobs.json'), 'utf8')) as {
      jobs: unknown[];
    };
    expect(list.jobs).toEqual([
      expect.objectContaining({
        name: 'seed-a',
        service: 'databox',
        staging,
        subscription: SUB,
        resourceGroup: 'rg-backup',
      }),
    ]);

    const shipped = await diskprep([
      'u:',
      '--job',
      'seed-a',
      '--carrier',
      'FedEx',
      '--tracking-number',
      '781234567890',
      ...returnFlags('FedEx', ACCOUNT),
      '--yes',
      '--json',
    ]);
    expect(shipped.exitCode, shipped.stderr).toBe(0);
    const mark = arm.requests.find((r) => r.operationId === 'Jobs_MarkDevicesShipped');
    expect(mark?.path).toContain(
      '/resourceGroups/rg-backup/providers/Microsoft.DataBox/jobs/seed-a/markDevicesShipped',
    );
    expect(mark?.body).toEqual({
      deliverToDcPackageDetails: { carrierName: 'FedEx', trackingId: '781234567890' },
    });
    expect(arm.databoxJobs.get('seed-a')!.properties.status).toBe('ShippedToAzureDC');
    // The datacenter address and carriers came from the service (the job's details / regionConfiguration).
    expect(shipped.stderr).toContain('1 Datacenter Way');
    expectNoSecrets(adopt.stdout, adopt.stderr, shipped.stdout, shipped.stderr);
  });

  it('status --job --subscription --resource-group shows the job and adopts it for u:', async () => {
    seed();
    const r = await diskprep([
      'status',
      '--job',
      'seed-c',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('job seed-c (databox): AwaitingShipmentDetails');
    expect(r.stderr).toContain("job seed-c is now in this computer's job list");
    const list = JSON.parse(readFileSync(path.join(home, 'jobs.json'), 'utf8')) as {
      jobs: { name: string; staging?: string }[];
    };
    expect(list.jobs).toEqual([
      expect.objectContaining({ name: 'seed-c', resourceGroup: 'rg-backup' }),
    ]);
    expect(list.jobs[0]!.staging).toBeUndefined();
    // Now u: and status find it by name alone.
    const again = await diskprep(['status', '--job', 'seed-c']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('job seed-c (databox): AwaitingShipmentDetails');
  });
});

function existsList(): boolean {
  try {
    readFileSync(path.join(home, 'jobs.json'));
    return true;
  } catch {
    return false;
  }
}

describe('status --watch', () => {
  it('refreshes through the clock seam until the state changes, then prints the new state', async () => {
    seed();
    const { deps, recorded } = depsFor();
    let sleeps = 0;
    const slept: number[] = [];
    deps.clock.sleep = async (ms) => {
      slept.push(ms);
      // The datacenter receives the drives during the third wait.
      if (++sleeps === 3)
        arm.updateDataBoxJob('seed-b', (j) => (j.properties.status = 'AtAzureDC'));
    };
    await status(
      {
        azure: { armEndpoint: arm.url },
        job: 'seed-b',
        subscription: SUB,
        resourceGroup: 'rg-backup',
        watch: true,
        intervalSeconds: 300,
      },
      deps,
    );
    expect(slept).toEqual([300_000, 300_000, 300_000]);
    expect(recorded.stdout).toEqual(['job seed-b (databox): AwaitingShipmentDetails → AtAzureDC']);
    expect(
      arm.requests.filter((r) => r.operationId === 'Jobs_Get' && r.path.endsWith('/seed-b')),
    ).toHaveLength(5);
  });

  it('an interrupted wait ends the watch (the abort reaches the command, main maps it to 130)', async () => {
    seed();
    const ctl = new AbortController();
    const { deps } = depsFor({ signal: ctl.signal });
    deps.clock.sleep = async (_ms, signal) => {
      ctl.abort();
      signal?.throwIfAborted();
    };
    await expect(
      status(
        {
          azure: { armEndpoint: arm.url },
          job: 'seed-b',
          subscription: SUB,
          resourceGroup: 'rg-backup',
          watch: true,
        },
        deps,
      ),
    ).rejects.toThrow();
    expect(ctl.signal.aborted).toBe(true);
  });
});

describe('diskprep cancel', () => {
  it('scripted: --job --yes --reason cancels with POST …/cancel and records it locally', async () => {
    seed();
    await diskprep([
      'jobs',
      '--adopt',
      'seed-b',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
    ]);
    const r = await diskprep([
      'cancel',
      '--job',
      'seed-b',
      '--reason',
      'drive failed before shipping',
      '--yes',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const call = arm.requests.find((q) => q.operationId === 'Jobs_Cancel');
    expect(call?.path).toMatch(
      /\/resourceGroups\/rg-backup\/providers\/Microsoft\.DataBox\/jobs\/seed-b\/cancel$/,
    );
    expect(call?.body).toEqual({ reason: 'drive failed before shipping' });
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      job: 'seed-b',
      cancelled: true,
      state: 'Cancelled',
      reason: 'drive failed before shipping',
    });
    const list = JSON.parse(readFileSync(path.join(home, 'jobs.json'), 'utf8')) as {
      jobs: { name: string; cancelledAt?: string }[];
    };
    expect(list.jobs.find((j) => j.name === 'seed-b')?.cancelledAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // A cancelled job no longer takes shipping details: u: says so (exit 1) and sends nothing.
    const ship = await diskprep([
      'u:',
      '--carrier',
      'FedEx',
      '--tracking-number',
      '781234567890',
      '--yes',
    ]);
    expect(ship.exitCode).toBe(1);
    expect(ship.stderr).toMatch(
      /job seed-b is Cancel\w*, so it takes no shipping details: the job was cancelled/,
    );
    expectNoSecrets(r.stdout, r.stderr);
  });

  it('--yes without --job exits 3 naming --job; without --yes in a script exits 3 naming --yes', async () => {
    seed();
    const noJob = await diskprep([
      'cancel',
      '--yes',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
    ]);
    expect(noJob.exitCode).toBe(3);
    expect(noJob.stderr).toContain('--job');
    const noYes = await diskprep([
      'cancel',
      '--job',
      'seed-a',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
    ]);
    expect(noYes.exitCode).toBe(3);
    expect(noYes.stderr).toContain('--yes');
    expect(arm.requests.some((q) => q.operationId === 'Jobs_Cancel')).toBe(false);
  });

  it('refuses in one line naming the state when the service says it is not cancellable', async () => {
    seed();
    arm.updateDataBoxJob('seed-a', (j) => {
      j.properties.status = 'ShippedToAzureDC';
      j.properties.isCancellable = false;
    });
    const r = await diskprep([
      'cancel',
      '--job',
      'seed-a',
      '--subscription',
      SUB,
      '--resource-group',
      'rg-backup',
      '--yes',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'diskprep: job seed-a cannot be cancelled in state ShippedToAzureDC: the databox service no longer allows it — once the drives are on their way, ask Azure support\n',
    );
    expect(arm.requests.some((q) => q.operationId === 'Jobs_Cancel')).toBe(false);
  });

  it('interactively: the job name typed back cancels; anything else cancels nothing', async () => {
    seed();
    const wrong = depsFor({ answers: { '--yes': 'seed' } });
    const where = {
      azure: { armEndpoint: arm.url },
      job: 'seed-c',
      subscription: SUB,
      resourceGroup: 'rg-backup',
      yes: false,
    };
    await expect(cancel(where, wrong.deps)).rejects.toThrow(
      '"seed" is not seed-c: nothing was cancelled',
    );
    expect(arm.requests.some((q) => q.operationId === 'Jobs_Cancel')).toBe(false);

    const right = depsFor({ answers: { '--yes': 'seed-c' } });
    await cancel(where, right.deps);
    expect(right.asked).toEqual(['--yes']);
    expect(arm.databoxJobs.get('seed-c')!.properties.status).toBe('Cancelled');
    expect(arm.databoxJobs.get('seed-c')!.properties.cancellationReason).toBe(
      'Cancelled by the operator with diskprep',
    );
    expect(right.recorded.stdout[0]).toBe('job seed-c (databox) cancelled: Cancelled');
  });
});
