/**
 * The valid files the fuzzers mutate, each made by the real code that makes it in use: a job
 * descriptor and secrets by `init`, a manifest and copy state by an offline `prepare` onto a
 * folder target, publish settings around a PFX made by openssl, and the job record, shipping
 * record, return address and this computer's job list by their writers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { RETURN_ADDRESS } from '../helpers/returnFlags.ts';
import { runMain } from '../helpers/runMain.ts';
import {
  offlineInitArgs,
  offlinePrepareArgs,
  pseudoRandom,
  STORAGE_KEY,
  writeTree,
} from '../engine/stagingFixture.ts';
import { makeCert, makePfx, SUB_A, SUB_B, v1Xml } from '../publishsettings/fixtures.ts';
import { writeJobRecord } from '../../src/journal/jobRecord.ts';
import { recordLocalJob } from '../../src/registry/localJobs.ts';
import { rememberReturn } from '../../src/registry/returnAddress.ts';
import { saveShippingRecord, shippingRecordPath } from '../../src/journal/shippingRecord.ts';
import { report } from './harness.ts';
import { tempDir } from '../helpers/tempDir.ts';

/** Text planted outside the data and in the journal: it must never reach a drive. */
export const CANARY = 'CANARY-must-never-be-copied';

/** Where everything is. */
export interface RealFiles {
  root: string;
  /** A staging location with job `job1` (data in `data/`), prepared onto `target`. */
  staging: string;
  target: string;
  /** A copy of `staging` and `target` as they were before `prepare` (for fresh runs). */
  freshStaging: string;
  /** `$DISKPREP_HOME` holding return-address.json and jobs.json. */
  home: string;
  /** A FIFO nobody writes to (an open that blocks for a writer would hang forever). */
  fifo: string;
  files: {
    descriptor: string;
    secrets: string;
    copyState: string;
    jobRecord: string;
    shipping: string;
    returnAddress: string;
    localJobs: string;
    manifest: string;
    publishSettings: string;
  };
}

async function mustRun(args: string[], env: Record<string, string>): Promise<void> {
  const r = await runMain(args, { env });
  if (r.exitCode !== 0)
    throw new Error(`diskprep ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
}

/** Builds every file (about a second: openssl and one small prepare). */
export async function makeRealFiles(): Promise<RealFiles> {
  const root = tempDir('fuzz');
  const staging = path.join(root, 'staging');
  const target = path.join(root, 'target');
  const home = path.join(root, 'home');
  fs.mkdirSync(target, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  writeTree(staging, {
    'data/a.txt': 'hello\n',
    'data/dir/b.bin': pseudoRandom(70_000, 1),
    // A page blob: a zero page (left out of the manifest) between two that are not.
    'data/disk.vhd': Buffer.concat([Buffer.alloc(512, 1), Buffer.alloc(512), Buffer.alloc(512, 2)]),
  });
  writeTree(root, { 'outside/secret.txt': CANARY });
  const env = { DISKPREP_HOME: home, HOME: home };
  await mustRun(
    offlineInitArgs(staging, 'job1', ['--data', 'data', '--storage-account-key', STORAGE_KEY]),
    env,
  );
  const journal = path.join(staging, '.diskprep', 'journal', 'job1');
  fs.writeFileSync(path.join(journal, 'canary.txt'), CANARY);
  const freshStaging = path.join(root, 'fresh-staging');
  fs.cpSync(staging, freshStaging, { recursive: true });
  await mustRun(offlinePrepareArgs(staging, target, 'DRIVE1'), env);

  const { deps } = fakeDeps({ env });
  const jobRecord = await writeJobRecord(deps, staging, {
    version: 1,
    job: 'job1',
    service: 'offline',
    location: 'westus',
    createdAt: '2026-11-21T10:00:00.000Z',
    serviceState: 'Creating',
    drives: [{ driveId: 'DRIVE1', manifestHash: '4492E3B626299FA16AD7409632025187' }],
  });
  const shipping = shippingRecordPath(deps, 'job1', staging);
  await saveShippingRecord(deps, shipping, {
    job: 'job1',
    service: 'offline',
    state: 'Shipping',
    shipment: {
      carrierName: 'FedEx',
      trackingNumber: '781234567890',
      driveCount: 1,
      shipDate: '2026-11-21',
    },
    returnAddress: RETURN_ADDRESS,
    returnShipping: { carrierName: 'FedEx' },
  });
  const returnAddress = await rememberReturn(deps, RETURN_ADDRESS, 'FedEx');
  const localJobs = await recordLocalJob(deps, {
    name: 'job1',
    service: 'classic',
    staging,
    createdAt: '2026-11-21T10:00:00.000Z',
  });

  const cert = await makeCert(root, 'mgmt', 'fuzz');
  const pfx = await makePfx(root, cert, 'modern');
  const publishSettings = path.join(root, 'my.publishsettings');
  fs.writeFileSync(
    publishSettings,
    v1Xml(pfx, [
      { id: SUB_A, name: 'Pay-As-You-Go' },
      { id: SUB_B, name: 'Backup & Archive' },
    ]),
  );
  const fifo = path.join(root, 'fifo');
  execFileSync('mkfifo', [fifo]);
  return {
    root,
    staging,
    target,
    freshStaging,
    home,
    fifo,
    files: {
      descriptor: path.join(staging, '.diskprep', 'jobs', 'job1.json'),
      secrets: path.join(journal, 'secrets.json'),
      copyState: path.join(journal, 'copy-state.json'),
      jobRecord,
      shipping,
      returnAddress,
      localJobs,
      manifest: path.join(target, 'DriveManifest.xml'),
      publishSettings,
    },
  };
}

/** Every file under `dir` whose content holds {@link CANARY} (none may on a drive). */
export function filesWithCanary(dir: string): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const f = path.join(e.parentPath, e.name);
    if (fs.readFileSync(f).includes(CANARY)) found.push(f);
  }
  return found;
}

/**
 * Makes the real files before the file's tests and removes them after, printing the tally of
 * the fuzz `layer`. Returns a getter (the files exist once the tests run).
 */
export function useRealFiles(layer: string): () => RealFiles {
  let real: RealFiles | undefined;
  beforeAll(async () => {
    real = await makeRealFiles();
  }, 60_000);
  afterAll(() => {
    console.log(`fuzz (${layer}): ${report(layer)}`);
    if (real) fs.rmSync(real.root, { recursive: true, force: true });
  });
  return () => real!;
}
