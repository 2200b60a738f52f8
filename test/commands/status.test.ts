import { mkdtemp, rm } from 'node:fs/promises';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { status } from '../../src/commands/status/index.ts';
import { UsageError } from '../../src/errors.ts';
import { type LocalJob, recordLocalJob } from '../../src/registry/localJobs.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { stubService, type StubOptions } from '../ship/stubService.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function withLocalJobs(jobs: LocalJob[]) {
  const home = await mkdtemp(path.join(tmpdir(), 'diskprep-status-home-'));
  dirs.push(home);
  for (const j of jobs)
    await recordLocalJob({ env: { DISKPREP_HOME: home }, platform: 'linux', fs }, j);
  return home;
}

const databoxJob: LocalJob = {
  name: 'photos01',
  service: 'databox',
  staging: '/gone/staging',
  subscription: 's',
  resourceGroup: 'rg',
  createdAt: '2026-11-20T10:00:00Z',
};

async function run(
  home: string,
  o: {
    json?: boolean;
    job?: string;
    answers?: Record<string, unknown>;
    stub?: StubOptions;
    after?: (s: ReturnType<typeof stubService>) => void;
  } = {},
) {
  const t = fakeDeps({
    env: { DISKPREP_HOME: home },
    json: o.json ?? false,
    ...(o.answers ? { answers: o.answers } : {}),
  });
  const stub = stubService({ kind: 'databox', name: 'photos01', ...o.stub });
  o.after?.(stub);
  let error: unknown;
  try {
    await status({ azure: {}, ...(o.job ? { job: o.job } : {}) }, t.deps, {
      createService: () => stub.service,
    });
  } catch (err) {
    error = err;
  }
  return { ...t, error, stub };
}

describe('diskprep status without s:', () => {
  it("finds the job in this computer's list and says to enter the shipping details next", async () => {
    const r = await run(await withLocalJobs([databoxJob]));
    expect(r.error).toBeUndefined();
    expect(r.recorded.stdout).toEqual([
      'job photos01 (databox): AwaitingShipmentDetails',
      '  drive WD-1: Specified',
      '  drive WD-2: Specified',
      'next: waiting for shipping details: ship the drives, then run diskprep u:',
    ]);
  });

  it('--json carries the next step', async () => {
    const r = await run(await withLocalJobs([databoxJob]), { json: true });
    expect(r.recorded.json).toEqual([
      expect.objectContaining({
        job: expect.objectContaining({ name: 'photos01', serviceState: 'AwaitingShipmentDetails' }),
        next: 'waiting for shipping details: ship the drives, then run diskprep u:',
      }),
    ]);
  });

  it('a completed job points at verify-import', async () => {
    const r = await run(await withLocalJobs([databoxJob]), {
      after: (s) => {
        s.job.serviceState = 'Completed';
        s.job.state = 'completed';
      },
    });
    // Wrapped at 80 columns: the "next:" line and its indented continuation.
    const out = r.recorded.stdout;
    for (const l of out) expect([...l].length, l).toBeLessThanOrEqual(80);
    const next = out.slice(out.findIndex((l) => l.startsWith('next: ')));
    expect(next.map((l) => l.trim()).join(' ')).toBe(
      'next: done: check the imported data with diskprep verify-import s:<staging>, then clean up the staging location',
    );
  });

  it('several jobs: asks which (--job), shipped ones included', async () => {
    const home = await withLocalJobs([
      databoxJob,
      { ...databoxJob, name: 'photos02', shippedAt: '2026-11-21T08:00:00Z' },
    ]);
    const r = await run(home, { answers: { '--job': 'photos02' }, stub: { name: 'photos02' } });
    expect(r.asked).toEqual(['--job']);
    expect(r.stub.calls).toEqual([{ op: 'getJob', name: 'photos02' }]);
  });

  it('no job here: one line naming s:', async () => {
    const r = await run(await withLocalJobs([]));
    expect(r.error).toBeInstanceOf(UsageError);
    expect((r.error as UsageError).message).toBe('no job was created on this computer');
    expect((r.error as UsageError).hint).toMatch(/^pass s:<staging>/);
  });

  it('a classic job needs p:', async () => {
    const r = await run(
      await withLocalJobs([{ ...databoxJob, service: 'classic', storageAccount: 'acct' }]),
      { stub: { kind: 'classic' } },
    );
    expect(r.error).toBeInstanceOf(UsageError);
    expect((r.error as UsageError).message).toBe(
      'job photos01 runs on the classic service, which needs the publish settings',
    );
  });

  it('an importexport job: one warning on stderr that the service is retired, stdout unchanged', async () => {
    const r = await run(await withLocalJobs([{ ...databoxJob, service: 'importexport' }]), {
      json: true,
      stub: { kind: 'importexport' },
    });
    expect(r.error).toBeUndefined();
    expect(r.recorded.stderr.filter((l) => l.includes('retired'))).toEqual([
      '⚠ the Microsoft.ImportExport REST API was retired on 2023-02-28: use --service databox (Microsoft.DataBox customer-disk jobs) for new jobs',
    ]);
    expect(r.recorded.json).toHaveLength(1);
    expect(r.recorded.stdout.join('\n')).not.toContain('retired');
  });

  it('a databox job: no retirement warning', async () => {
    const r = await run(await withLocalJobs([databoxJob]));
    expect(r.error).toBeUndefined();
    expect(r.recorded.stderr.join('\n')).not.toContain('retired');
  });
});
