/**
 * `init` asks Azure instead of the operator's typing: subscriptions, storage accounts (kind,
 * region), resource groups and a classic job's manifest credential come from the loopback ARM,
 * whose every request and answer is validated against the official Microsoft.Resources and
 * Microsoft.Storage specs.
 */
import * as fs from 'node:fs/promises';
import { rm, stat } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { init, type InitOptions } from '../../src/commands/init/index.ts';
import { NeedsAnswerError, UsageError } from '../../src/errors.ts';
import { jobSecretsPath, readJobDescriptor, readJobSecrets } from '../../src/journal/jobs.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FAKE_DIRECTORY, FakeArm, type FakeDirectory } from '../fakes/fakeArm.ts';
import { realHttpDeps } from '../fakes/httpDeps.ts';
import type { Answers } from '../helpers/fakeDeps.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { makeTree } from '../staging/tree.ts';
import path from 'node:path';
import { copyJob } from '../../src/engine/copyJob.ts';
import { engineDeps, KEY1, parseManifest } from '../engine/stagingFixture.ts';

const TOKEN = 'discover-token-5f1c0e';
const SUB = FAKE_DIRECTORY.subscriptions[0]!.id;
/** fakeDeps' clock. */
const NOW = new Date('2026-11-21T10:00:00Z');
const DAY_MS = 86_400_000;

let pki: TestPki;
let arm: FakeArm | undefined;
let staging: string;

beforeAll(async () => {
  pki = await makeTestPki();
});
beforeEach(async () => {
  staging = tempDir('init-discover');
  await makeTree(staging, { 'photos/a.jpg': 'a' });
});
afterEach(async () => {
  if (arm) expect(arm.violations).toEqual([]);
  await arm?.stop();
  arm = undefined;
  await rm(staging, { recursive: true, force: true });
});
afterAll(() => undefined);

async function run(
  over: Partial<InitOptions>,
  setup: { answers?: Answers; directory?: FakeDirectory; verbose?: boolean } = {},
) {
  arm ??= await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
    ...(setup.directory ? { directory: setup.directory } : {}),
  }).start();
  const t = realHttpDeps(pki.caPem, {
    env: { DISKPREP_ACCESS_TOKEN: TOKEN },
    verbose: setup.verbose ?? true,
    ...(setup.answers ? { answers: setup.answers } : {}),
  });
  const options: InitOptions = {
    staging,
    job: 'photos',
    service: 'databox',
    container: 'photos',
    blobType: 'auto',
    force: false,
    azure: { armEndpoint: arm.url },
    ...over,
  };
  const error = await init(options, t.deps).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ...t, error, output: [...t.recorded.stdout, ...t.recorded.stderr].join('\n') };
}

describe('init discovers what the command line lacks', () => {
  it('asks subscription, storage account and resource group; the region is the account’s', async () => {
    const { error, asked, recorded } = await run(
      {},
      {
        answers: {
          '--subscription': SUB,
          '--storage-account': 'contosobackup',
          '--resource-group': 'rg-backup',
        },
      },
    );
    expect(error).toBeUndefined();
    expect(asked).toEqual(['--subscription', '--storage-account', '--resource-group']);
    const job = await readJobDescriptor(fs, staging, 'photos');
    expect(job).toMatchObject({
      service: 'databox',
      subscription: SUB,
      storageAccount: 'contosobackup',
      resourceGroup: 'rg-backup',
      location: 'westeurope',
    });
    expect(recorded.stderr.join('\n')).toContain(
      'location: westeurope (the region of contosobackup)',
    );
    expect(arm!.requests.map((r) => r.operationId)).toEqual([
      'Subscriptions_List',
      'StorageAccounts_List',
      'ResourceGroups_List',
    ]);
  });

  it('asks nothing when every value is given (no ARM call)', async () => {
    const { error } = await run({
      subscription: SUB,
      storageAccount: 'contosobackup',
      resourceGroup: 'rg-backup',
      location: 'westeurope',
    });
    expect(error).toBeUndefined();
    expect(arm!.requests).toEqual([]);
  });

  it('takes the only subscription and the given account’s region without asking', async () => {
    const directory = {
      ...FAKE_DIRECTORY,
      subscriptions: FAKE_DIRECTORY.subscriptions.slice(0, 1),
    };
    const { error, asked } = await run(
      { storageAccount: 'contosoarchive', resourceGroup: 'rg-archive' },
      { directory, answers: {} },
    );
    expect(error).toBeUndefined();
    expect(asked).toEqual([]);
    expect(await readJobDescriptor(fs, staging, 'photos')).toMatchObject({
      subscription: SUB,
      location: 'northeurope',
    });
  });

  it('non-interactively exits 3 naming --subscription with the candidates', async () => {
    const { error } = await run({});
    expect(error).toBeInstanceOf(NeedsAnswerError);
    const e = error as NeedsAnswerError;
    expect(e.exitCode).toBe(3);
    expect(e.flag).toBe('--subscription');
    expect(e.hint).toBe(
      `pass --subscription, one of: Contoso Backup (${SUB}), Contoso Dev (${FAKE_DIRECTORY.subscriptions[1]!.id})`,
    );
    expect(e.details).toMatchObject({ flag: '--subscription', total: 2 });
  });

  it('non-interactively exits 3 naming --storage-account with kind and region of each', async () => {
    const { error } = await run({ subscription: SUB });
    const e = error as NeedsAnswerError;
    expect(e.flag).toBe('--storage-account');
    expect(e.details?.candidates).toEqual([
      'contosoarchive (BlobStorage, northeurope, resource group rg-archive)',
      'contosobackup (StorageV2, westeurope, resource group rg-backup)',
    ]);
  });

  it('non-interactively exits 3 naming --resource-group, the account’s group first', async () => {
    const { error } = await run({ subscription: SUB, storageAccount: 'contosobackup' });
    const e = error as NeedsAnswerError;
    expect(e.flag).toBe('--resource-group');
    expect(e.details?.candidates).toEqual(['rg-backup', 'rg-archive', 'rg-network']);
  });

  it('names at most ten candidates and counts the rest', async () => {
    const storageAccounts = Array.from({ length: 13 }, (_, i) => ({
      subscription: SUB,
      name: `acct${String(i).padStart(2, '0')}`,
      resourceGroup: 'rg-backup',
      kind: 'StorageV2',
      location: 'westeurope',
    }));
    const { error } = await run(
      { subscription: SUB },
      { directory: { ...FAKE_DIRECTORY, storageAccounts } },
    );
    const e = error as NeedsAnswerError;
    expect((e.details?.candidates as string[]).length).toBe(10);
    expect(e.details?.total).toBe(13);
    expect(e.hint).toMatch(/acct09 \([^)]*\) and 3 more$/);
  });

  it('refuses a storage account the subscription does not hold, naming those it does', async () => {
    const { error } = await run({ subscription: SUB, storageAccount: 'nosuchacct' });
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(
      `storage account "nosuchacct" is not in subscription ${SUB}`,
    );
    expect((error as UsageError).hint).toContain('contosoarchive, contosobackup');
  });

  it('refuses --fetch-credential for a job whose manifest carries none', async () => {
    const { error } = await run({ fetchCredential: 'sas', storageAccount: 'contosobackup' });
    expect((error as UsageError).message).toMatch(/^--fetch-credential is for classic jobs/);
  });
});

describe('a classic job’s manifest credential comes through ARM', () => {
  it('--fetch-credential sas: a container SAS (rwdl, 90 days) stored 0600, shown nowhere', async () => {
    const { error, output, recorded, deps } = await run({
      service: 'classic',
      job: 'seed',
      container: 'seed',
      subscription: SUB,
      storageAccount: 'contosobackup',
      fetchCredential: 'sas',
    });
    expect(error).toBeUndefined();
    const listSas = arm!.requests.find((r) => r.operationId === 'StorageAccounts_ListServiceSAS');
    expect(listSas?.path).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-backup/providers/Microsoft.Storage/storageAccounts/contosobackup/ListServiceSas`,
    );
    expect(listSas?.body).toMatchObject({
      canonicalizedResource: '/blob/contosobackup/seed',
      signedResource: 'c',
      signedPermission: 'rwdl',
    });
    const secrets = await readJobSecrets(deps, staging, 'seed');
    const sas = new URLSearchParams(secrets.containerSas);
    expect(secrets.containerSas).toBe(arm!.issuedSecrets[0]);
    expect(sas.get('sp')).toBe('rwdl');
    expect(Date.parse(sas.get('se')!) - NOW.getTime()).toBeGreaterThanOrEqual(90 * DAY_MS - 1000);
    expect((await stat(jobSecretsPath(staging, 'seed'))).mode & 0o777).toBe(0o600);
    // The summary wraps at 80 columns: the words, not the line breaks, are what is said.
    expect(recorded.stdout.join(' ').replace(/\s+/g, ' ')).toContain('(mode 0600)');
    for (const secret of [...arm!.issuedSecrets, TOKEN]) expect(output).not.toContain(secret);
    const job = await readJobDescriptor(fs, staging, 'seed');
    expect(job.storageAccount).toBe('contosobackup');

    // The copy engine writes the fetched SAS into the drive manifest as <container>?<token>.
    const target = tempDir('init-discover-drive');
    let given = false;
    await copyJob(engineDeps().deps, {
      staging,
      job,
      secrets: await readJobSecrets(deps, staging, 'seed'),
      nextTarget: async () => {
        if (given) return undefined;
        given = true;
        return { path: target, driveId: 'S-DISCOVER', bitLockerKey: KEY1 };
      },
    });
    const manifest = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(manifest.ContainerSas).toBe(`seed?${arm!.issuedSecrets[0]}`);
    expect(manifest.StorageAccountKey).toBeUndefined();
    await rm(target, { recursive: true, force: true });
  });

  it('asked interactively: the key (listKeys) is stored, never shown', async () => {
    const { error, output, asked, deps } = await run(
      { service: 'classic', job: 'seed', container: 'seed' },
      {
        answers: {
          '--subscription': SUB,
          '--storage-account': 'contosoarchive',
          '--fetch-credential': 'key',
        },
      },
    );
    expect(error).toBeUndefined();
    expect(asked).toEqual(['--subscription', '--storage-account', '--fetch-credential']);
    const secrets = await readJobSecrets(deps, staging, 'seed');
    expect(secrets.storageAccountKey).toBe(arm!.issuedSecrets[0]);
    const listKeys = arm!.requests.find((r) => r.operationId === 'StorageAccounts_ListKeys');
    expect(listKeys?.path).toContain('/resourceGroups/rg-archive/');
    for (const secret of [...arm!.issuedSecrets, TOKEN]) expect(output).not.toContain(secret);
  });
});
