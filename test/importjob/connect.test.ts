/**
 * The one way prepare, ship and status reach a job's service (src/importjob/connect.ts), and the
 * endpoints every Azure call and `diskprep check` read (src/importjob/endpoints.ts): what the
 * service factory is handed for each kind of job, and the one-line errors when `p:` is missing.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import {
  connectJobService,
  type ConnectOptions,
  type ServiceJob,
} from '../../src/importjob/connect.ts';
import { serviceEndpoints } from '../../src/importjob/endpoints.ts';
import type { ImportJobServiceInput } from '../../src/importjob/factory.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeCert, makePfx, SUB_A, SUB_B, v2Xml } from '../publishsettings/fixtures.ts';
import { stubService } from '../ship/stubService.ts';

const DATABOX_JOB: ServiceJob = {
  name: 'photos01',
  service: 'databox',
  subscription: '00000000-1111-2222-3333-444444444444',
  resourceGroup: 'rg-import',
  storageAccount: 'photosacct',
};

/** Connects with a factory that records what it was handed and answers with the stub. */
async function connect(job: ServiceJob, options: Partial<ConnectOptions> = {}) {
  const { deps } = fakeDeps({ now: new Date() });
  const inputs: ImportJobServiceInput[] = [];
  const stub = stubService({ kind: job.service === 'classic' ? 'classic' : 'databox' });
  const connected = await connectJobService(deps, job, {
    azure: {},
    command: 'diskprep u: s:/srv/staging',
    ...options,
    createService: (input) => {
      inputs.push(input);
      return stub.service;
    },
  });
  return { connected, inputs, stub, deps };
}

async function failure(
  job: ServiceJob,
  options: Partial<ConnectOptions> = {},
): Promise<UsageError> {
  const err = await connect(job, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

/** A publish-settings file with two subscriptions (SUB_A "Prod" on the US Gov cloud, SUB_B "MSDN"). */
async function publishSettingsFile(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-connect-'));
  const pfx = await makePfx(dir, await makeCert(dir, 'mgmt', 'mgmt'), '3des');
  const file = path.join(dir, 'two.publishsettings');
  await writeFile(
    file,
    v2Xml([
      { id: SUB_A, name: 'Prod', url: 'https://management.core.usgovcloudapi.net/', cert: pfx },
      { id: SUB_B, name: 'MSDN', url: 'https://management.core.windows.net/', cert: pfx },
    ]),
  );
  return file;
}

describe('connectJobService', () => {
  it("an ARM job runs under --subscription, else the job's; --proxy reaches the factory", async () => {
    const own = await connect(DATABOX_JOB, { azure: { armEndpoint: 'https://arm.test/' } });
    expect(own.connected.subscription).toBe(DATABOX_JOB.subscription);
    // The factory's service, behind the wait indicators: its calls reach the stub.
    expect(own.connected.service.kind).toBe('databox');
    await own.connected.service.getJob('photos01');
    expect(own.stub.calls).toEqual([{ op: 'getJob', name: 'photos01' }]);
    expect(own.inputs).toEqual([
      {
        service: 'databox',
        azure: { armEndpoint: 'https://arm.test/' },
        job: {
          subscription: DATABOX_JOB.subscription,
          resourceGroup: 'rg-import',
          storageAccount: 'photosacct',
        },
      },
    ]);

    const other = '99999999-8888-7777-6666-555555555555';
    const given = await connect(DATABOX_JOB, {
      subscription: other,
      proxy: 'http://proxy.test:3128',
    });
    expect(given.connected.subscription).toBe(other);
    expect(given.inputs[0]!.job.subscription).toBe(other);
    expect(given.inputs[0]!.proxy).toBe('http://proxy.test:3128');
    expect(given.inputs[0]!.publishSettings).toBeUndefined();
  });

  it("a job from this computer's record without a storage account: the factory gets an empty name", async () => {
    const { inputs } = await connect({ ...DATABOX_JOB, storageAccount: undefined });
    expect(inputs[0]!.job.storageAccount).toBe('');
  });

  it('a classic job without p: fails with one line naming p:, the command and the way out', async () => {
    const err = await failure(
      { name: 'seed05', service: 'classic', storageAccount: 'acct' },
      {
        command: 'diskprep s:/srv/staging',
        alternative: 'or --offline to prepare the drives without Azure',
      },
    );
    expect(err.message).toBe(
      'job seed05 runs on the classic service, which needs the publish settings',
    );
    expect(err.code).toBe('ERR_DISKPREP_NEEDS_PUBLISH_SETTINGS');
    expect(err.hint).toBe(
      'pass p:<file.publishsettings>, e.g. diskprep s:/srv/staging p:C:\\keys\\my.publishsettings (or --offline to prepare the drives without Azure)',
    );
    const plain = await failure({ name: 'seed05', service: 'classic', storageAccount: 'acct' });
    expect(plain.hint).toBe(
      'pass p:<file.publishsettings>, e.g. diskprep u: s:/srv/staging p:C:\\keys\\my.publishsettings',
    );
  });

  it('a classic job whose storage account is not known here asks for s:', async () => {
    const err = await failure(
      { name: 'old01', service: 'classic' },
      { publishSettings: '/nowhere.publishsettings', command: 'diskprep u:' },
    );
    expect(err.message).toBe('the storage account of job old01 is not known on this computer');
    expect(err.hint).toMatch(
      /^pass s:<staging> so diskprep reads the job descriptor, e\.g\. diskprep u: s:/,
    );
  });

  it("classic: the subscription is chosen in p: (--subscription, else the job's) and handed to the factory", async () => {
    const file = await publishSettingsFile();
    const job: ServiceJob = {
      name: 'seed01',
      service: 'classic',
      subscription: SUB_B,
      storageAccount: 'acct',
    };
    const byJob = await connect(job, { publishSettings: file });
    expect(byJob.connected.subscription).toBe(SUB_B);
    expect(byJob.inputs[0]!.publishSettings).toMatchObject({
      id: SUB_B,
      serviceManagementUrl: 'https://management.core.windows.net/',
    });
    expect(byJob.inputs[0]!.job).toEqual({
      subscription: SUB_B,
      resourceGroup: undefined,
      storageAccount: 'acct',
    });
    // The management key is a secret from the moment it is loaded.
    const keyPem = byJob.inputs[0]!.publishSettings!.certificate.keyPem;
    expect(keyPem).toMatch(/PRIVATE KEY/);
    expect(byJob.deps.redactor.redact(keyPem)).toBe('***');

    const byName = await connect(job, { publishSettings: file, subscription: 'Prod' });
    expect(byName.connected.subscription).toBe(SUB_A);
    expect(byName.inputs[0]!.publishSettings?.serviceManagementUrl).toBe(
      'https://management.core.usgovcloudapi.net/',
    );
  });
});

describe('serviceEndpoints', () => {
  it("public by default; the publish settings' host picks the cloud; overrides trimmed", () => {
    const pub = serviceEndpoints({}, {});
    expect([pub.cloud.name, pub.arm, pub.login, pub.classic, pub.blob('acct')]).toEqual([
      'public',
      'https://management.azure.com',
      'https://login.microsoftonline.com',
      'https://management.core.windows.net/',
      'https://acct.blob.core.windows.net',
    ]);
    const gov = serviceEndpoints({}, {}, 'https://management.core.usgovcloudapi.net/');
    expect([gov.cloud.name, gov.arm, gov.login, gov.classic, gov.blob('acct')]).toEqual([
      'usgov',
      'https://management.usgovcloudapi.net',
      'https://login.microsoftonline.us',
      'https://management.core.usgovcloudapi.net/',
      'https://acct.blob.core.usgovcloudapi.net',
    ]);
    const given = serviceEndpoints(
      { endpoint: 'https://127.0.0.1:8443/', armEndpoint: 'https://127.0.0.1:9443//' },
      {
        AZURE_AUTHORITY_HOST: 'https://login.test/',
        DISKPREP_BLOB_ENDPOINT: 'http://127.0.0.1:10000/devstoreaccount1/',
      },
      'https://management.core.usgovcloudapi.net/',
    );
    expect([given.cloud.name, given.arm, given.login, given.classic, given.blob('acct')]).toEqual([
      'usgov',
      'https://127.0.0.1:9443',
      'https://login.test',
      'https://127.0.0.1:8443/',
      'http://127.0.0.1:10000/devstoreaccount1',
    ]);
  });

  it('an unknown --cloud is a usage error naming the clouds', () => {
    expect(() => serviceEndpoints({ cloud: 'mars' }, {})).toThrow(/unknown cloud "mars"/);
  });
});
