/**
 * The built binary discovers init's answers at the loopback ARM (spec-validated) and fetches a
 * classic job's container SAS: nothing secret in its stdout or stderr, even with --verbose; a
 * non-interactive run that lacks an answer exits 3 with the candidates in its --json error.
 */
import { rm, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobSecretsPath } from '../../src/journal/jobs.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FAKE_DIRECTORY, FakeArm } from '../fakes/fakeArm.ts';
import { readJobDescriptor } from '../../src/journal/jobs.ts';
import * as fs from 'node:fs/promises';
import { runCli } from '../helpers/cli.ts';
import { hasTmux, startInteractive } from '../helpers/tmux.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { makeTree } from '../staging/tree.ts';

const TOKEN = 'e2e-discover-token-91ab';
const SUB = FAKE_DIRECTORY.subscriptions[0]!.id;
let pki: TestPki;
let arm: FakeArm;
let staging: string;
const tmux = await hasTmux();

beforeAll(async () => {
  pki = await makeTestPki();
  arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
  }).start();
  staging = tempDir('init-discover-e2e');
  await makeTree(staging, { 'seed/a.bin': 'a' });
});
afterAll(async () => {
  expect(arm.violations).toEqual([]);
  await arm.stop();
  await rm(staging, { recursive: true, force: true });
});

function init(extra: string[]) {
  return runCli(
    ['init', `s:${staging}`, '--arm-endpoint', arm.url, '--ca-file', pki.caFile, ...extra],
    { env: { DISKPREP_ACCESS_TOKEN: TOKEN } },
  );
}

describe('diskprep init discovering through ARM (built binary)', () => {
  it('fetches a container SAS for a classic job and shows no secret, even with --verbose', async () => {
    const r = await init([
      '--job',
      'seed',
      '--service',
      'classic',
      '--container',
      'seed',
      '--subscription',
      SUB,
      '--storage-account',
      'contosobackup',
      '--fetch-credential',
      'sas',
      '--verbose',
    ]);
    expect(r.stderr).toContain('POST');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('recorded job "seed" (classic) → contosobackup/seed');
    expect((await stat(jobSecretsPath(staging, 'seed'))).mode & 0o777).toBe(0o600);
    const sas = arm.issuedSecrets;
    expect(sas.length).toBe(2); // the token and its signature
    for (const secret of [...sas, encodeURIComponent(sas[1]!), TOKEN]) {
      expect(r.stdout).not.toContain(secret);
      expect(r.stderr).not.toContain(secret);
    }
  });

  it('non-interactively exits 3 naming --storage-account, the candidates in --json', async () => {
    const r = await init([
      '--job',
      'photos',
      '--service',
      'databox',
      '--container',
      'photos',
      '--subscription',
      SUB,
      '--json',
    ]);
    expect(r.exitCode).toBe(3);
    const report = (
      JSON.parse(r.stdout) as {
        error: { code: string; hint: string; details: { flag: string; candidates: string[] } };
      }
    ).error;
    expect(report.code).toBe('ERR_DISKPREP_NEEDS_ANSWER');
    expect(report.details.flag).toBe('--storage-account');
    expect(report.details.candidates).toEqual([
      'contosoarchive (BlobStorage, northeurope, resource group rg-archive)',
      'contosobackup (StorageV2, westeurope, resource group rg-backup)',
    ]);
    expect(report.hint).toMatch(/^pass --storage-account, one of: contosoarchive/);
  });

  it.runIf(tmux)(
    'under a terminal asks subscription, account, group: arrows and Enter',
    async () => {
      // Its own staging location: the classic job above covers all of the shared one.
      const own = tempDir('init-discover-tmux');
      await makeTree(own, { 'archive/a.bin': 'a' });
      const s = await startInteractive(
        [
          'init',
          `s:${own}`,
          '--arm-endpoint',
          arm.url,
          '--ca-file',
          pki.caFile,
          '--job',
          'archive',
          '--service',
          'databox',
          '--container',
          'archive',
        ],
        { env: { DISKPREP_ACCESS_TOKEN: TOKEN } },
      );
      try {
        await s.waitFor('Subscription of the job');
        await s.waitFor('Contoso Dev');
        await s.keys('Enter'); // the first: Contoso Backup
        await s.waitFor('Storage account the data goes to');
        await s.waitFor('contosobackup');
        await s.keys('Enter'); // the first: contosoarchive
        await s.waitFor('Resource group of the job');
        await s.waitFor('rg-network');
        await s.keys('Enter'); // the default: the account's group
        expect(await s.exitCode()).toBe(0);
        const screen = await s.screen();
        expect(screen).toContain('location: northeurope (the region of contosoarchive)');
        expect(screen).not.toContain(TOKEN);
      } finally {
        await s.kill();
      }
      expect(await readJobDescriptor(fs, own, 'archive')).toMatchObject({
        subscription: SUB,
        storageAccount: 'contosoarchive',
        resourceGroup: 'rg-archive',
        location: 'northeurope',
      });
      await rm(own, { recursive: true, force: true });
    },
  );
});
