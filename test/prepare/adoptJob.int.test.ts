/**
 * A job already on the service under this job's name is taken over (an earlier run created it
 * and died before the journal recorded it) only when it has exactly this run's drives, each
 * with the manifest hash the journal holds, and is still before shipping. Against the three
 * loopback services: the classic fake (mutual TLS) and the spec-validating ARM fake (Data Box
 * 2025-07-01 importDiskDetailsCollection, ImportExport 2020-08-01 driveList).
 */
import * as fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedDrive } from '../../src/journal/copyState.ts';
import { DiskprepError } from '../../src/errors.ts';
import { createImportJobService } from '../../src/importjob/factory.ts';
import type { CreateJobRequest, ImportJobService } from '../../src/model/importJob.ts';
import { createJobOnce } from '../../src/flows/prepare/createJobStep.ts';
import { readJobRecord } from '../../src/journal/jobRecord.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';
import { RETURN_ADDRESS } from '../helpers/returnFlags.ts';
import { classicServiceInput } from '../ship/fixtures.ts';
import { ARM_SUB, type Fakes, startFakes, SUB, TOKEN } from './flowLab.ts';

const KEY = '259358-123456-654321-111111-222222-333333-444444-426844';
const HASH = 'B306C4B34DAA0E99957A4B9C779D2FA2';
const OTHER_HASH = '109B21108597EF36D5785F08303F3638';

let fakes: Fakes;
beforeAll(async () => {
  fakes = await startFakes();
});
afterAll(async () => {
  await fakes?.stop();
});

type Kind = 'classic' | 'databox' | 'importexport';

function connect(kind: Kind) {
  const { classic, arm, pki, cert } = fakes;
  const t = realHttpDeps(pki.caPem, { env: { DISKPREP_ACCESS_TOKEN: TOKEN } });
  const service: ImportJobService = createImportJobService(
    kind === 'classic'
      ? classicServiceInput(classic.url, SUB, cert, 'adoptacct')
      : {
          service: kind,
          azure: { armEndpoint: arm.url },
          job: { subscription: ARM_SUB, resourceGroup: 'rg-adopt', storageAccount: 'adoptacct' },
        },
    t.deps,
  );
  return { service, ...t };
}

const location = (kind: Kind) => (kind === 'classic' ? 'West US' : 'westus');

/** What an earlier run sent before it died: the job with one drive of manifest `hash`. */
function earlierRequest(kind: Kind, name: string, hash: string): CreateJobRequest {
  return {
    name,
    location: location(kind),
    storageAccount: 'adoptacct',
    container: 'backups',
    drives: [
      {
        driveId: 'WD-WMATV123456',
        bitLockerKey: KEY,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: hash,
      },
    ],
    returnAddress: RETURN_ADDRESS,
    returnShipping: { carrierName: 'FedEx', carrierAccountNumber: 'FEDEX-ACCT-99887766' },
    ...(kind === 'classic'
      ? { storageCredential: { storageAccountKey: 'U3RvcmFnZUtleUZvckFkb3B0VGVzdHM=' } }
      : {}),
  };
}

/** The journal's drive as this run prepared it. */
const drive = (hash: string): PreparedDrive => ({
  driveId: 'WD-WMATV123456',
  bitLockerKey: KEY,
  manifestFile: '\\DriveManifest.xml',
  manifestHash: hash,
  files: 3,
  bytes: 9 << 20,
  complete: true,
});

/** This run's create step, for a staging location whose journal has no job record. */
async function createStep(kind: Kind, name: string, hash: string) {
  const { service, deps, recorded } = connect(kind);
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'diskprep-adopt-'));
  const job: JobDescriptor = {
    version: 1,
    name,
    service: kind,
    storageAccount: 'adoptacct',
    container: 'backups',
    ...(kind === 'classic'
      ? { subscription: SUB }
      : { subscription: ARM_SUB, resourceGroup: 'rg-adopt' }),
    location: location(kind),
    blobType: 'block',
    createdAt: new Date().toISOString(),
  };
  const run = () =>
    createJobOnce(deps, {
      job,
      staging,
      service,
      location: location(kind),
      carriers: ['FedEx'],
      drives: [drive(hash)],
      secrets: { storageAccountKey: 'U3RvcmFnZUtleUZvckFkb3B0VGVzdHM=' },
      answers: {},
      yes: true,
    });
  return { run, staging, recorded };
}

const creates = () => fakes.classic.created + fakes.arm.created;

describe.each<Kind>(['classic', 'databox', 'importexport'])(
  '%s: adopting a job found on the service',
  (kind) => {
    it('getJob reports each drive with its manifest file and hash', async () => {
      const name = `${kind}-hashes`;
      const { service } = connect(kind);
      await service.createJob(earlierRequest(kind, name, HASH.toLowerCase()));
      expect((await service.getJob(name)).drives).toMatchObject([
        { driveId: 'WD-WMATV123456', manifestFile: '\\DriveManifest.xml', manifestHash: HASH },
      ]);
    });

    it('same drive ids and manifest hashes, still before shipping: taken over, not created again', async () => {
      const name = `${kind}-adopt`;
      await connect(kind).service.createJob(earlierRequest(kind, name, HASH));
      const before = creates();
      const { run, staging, recorded } = await createStep(kind, name, HASH);
      const r = await run();
      expect(r.createdNow).toBe(false);
      expect(creates()).toBe(before);
      expect(
        await readJobRecord({ fs: (await import('node:fs/promises')).default }, staging, name),
      ).toMatchObject({
        job: name,
        service: kind,
        drives: [{ driveId: 'WD-WMATV123456', manifestHash: HASH }],
      });
      expect(recorded.stderr.join('\n')).toMatch(
        /already exists .* with these drives and manifests .*not created again/,
      );
    });

    it('a manifest hash that differs: refused, naming the drive and both hashes; nothing written', async () => {
      const name = `${kind}-rehashed`;
      await connect(kind).service.createJob(earlierRequest(kind, name, OTHER_HASH));
      const { run, staging } = await createStep(kind, name, HASH);
      const err = (await run().catch((e: unknown) => e)) as DiskprepError;
      expect(err).toBeInstanceOf(DiskprepError);
      expect(err.exitCode).toBe(2);
      expect(err.code).toBe('ERR_DISKPREP_JOB_EXISTS');
      expect(err.message).toBe(
        `an import job named ${name} already exists on the ${kind} service, but drive WD-WMATV123456's manifest hash differs: the service has ${OTHER_HASH}, the drive's manifest is ${HASH}`,
      );
      expect(err.hint).toMatch(/another job name/);
      expect(
        await readJobRecord({ fs: (await import('node:fs/promises')).default }, staging, name),
      ).toBeUndefined();
    });

    it('a job already shipped: refused, naming its state', async () => {
      const name = `${kind}-shipped`;
      const { service } = connect(kind);
      await service.createJob(earlierRequest(kind, name, HASH));
      await service.markShipped(name, {
        carrierName: 'FedEx',
        trackingNumber: '781234567890',
        driveCount: 1,
      });
      const shippedState = (await service.getJob(name)).serviceState;
      const { run } = await createStep(kind, name, HASH);
      const err = (await run().catch((e: unknown) => e)) as DiskprepError;
      expect(err).toBeInstanceOf(DiskprepError);
      expect(err.exitCode).toBe(2);
      expect(err.message).toBe(
        `an import job named ${name} already exists on the ${kind} service in state ${shippedState}: only a job still waiting for its drives is taken over`,
      );
    });

    it('other drives: refused, naming both lists', async () => {
      const name = `${kind}-otherdrive`;
      const req = earlierRequest(kind, name, HASH);
      req.drives[0]!.driveId = 'ZA4X7K9Q';
      await connect(kind).service.createJob(req);
      const { run } = await createStep(kind, name, HASH);
      await expect(run()).rejects.toThrow(
        `an import job named ${name} already exists on the ${kind} service with other drives (ZA4X7K9Q; this job has WD-WMATV123456)`,
      );
    });
  },
);

it('the fakes saw only requests their specs allow', () => {
  expect(fakes.arm.violations).toEqual([]);
  expect(fakes.classic.violations).toEqual([]);
});
