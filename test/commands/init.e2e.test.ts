import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { makeTree } from '../staging/tree.ts';
import { tempDir } from '../helpers/tempDir.ts';

const KEY = Buffer.alloc(64, 9).toString('base64');
let staging: string;
beforeEach(async () => {
  staging = tempDir('init-e2e');
  await makeTree(staging, { 'data/a.txt': 'a' });
});
afterEach(async () => {
  await rm(staging, { recursive: true, force: true });
});

describe('diskprep init (built binary)', () => {
  it('--json prints the descriptor; the key from the environment lands only in a 0600 file', async () => {
    const r = await runCli(
      [
        'init',
        `s:${staging}`,
        '--job',
        'seed',
        '--service',
        'offline',
        '--storage-account',
        'mystore',
        '--container',
        'seed',
        '--data',
        'data',
        '--json',
      ],
      { env: { DISKPREP_STORAGE_ACCOUNT_KEY: KEY } },
    );
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      version: 1,
      name: 'seed',
      service: 'offline',
      storageAccount: 'mystore',
      container: 'seed',
      blobType: 'auto',
      data: 'data',
    });
    expect(Object.keys(doc)).not.toContain('storageAccountKey');
    expect(r.stdout + r.stderr).not.toContain(KEY);
    const secrets = path.join(staging, '.diskprep', 'journal', 'seed', 'secrets.json');
    expect((await stat(secrets)).mode & 0o777).toBe(0o600);
    expect(await readFile(secrets, 'utf8')).toContain(KEY);
    expect(
      await readFile(path.join(staging, '.diskprep', 'jobs', 'seed.json'), 'utf8'),
    ).not.toContain(KEY);
  });

  it('--amend changes the one field given: the service, blob type, disposition and key recorded stay (not the defaults)', async () => {
    const first = await runCli(
      [
        'init',
        `s:${staging}`,
        '--job',
        'seed',
        '--service',
        'offline',
        '--storage-account',
        'mystore',
        '--container',
        'seed',
        '--blob-type',
        'page',
        '--disposition',
        'rename',
      ],
      { env: { DISKPREP_STORAGE_ACCOUNT_KEY: KEY } },
    );
    expect(first.exitCode, first.stderr).toBe(0);
    const amend = await runCli([
      'init',
      `s:${staging}`,
      '--job',
      'seed',
      '--amend',
      '--location',
      'westeurope',
      '--json',
    ]);
    expect(amend.exitCode, amend.stderr).toBe(0);
    expect(JSON.parse(amend.stdout)).toMatchObject({
      service: 'offline',
      storageAccount: 'mystore',
      container: 'seed',
      blobType: 'page',
      disposition: 'rename',
      location: 'westeurope',
    });
    const secrets = path.join(staging, '.diskprep', 'journal', 'seed', 'secrets.json');
    expect(await readFile(secrets, 'utf8')).toContain(KEY);
    // Without --amend the job is not replaced, and a new job still needs its container.
    const again = await runCli(['init', `s:${staging}`, '--job', 'seed', '--location', 'westus']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('a new job needs --container');
  });

  it('a key given as a flag is never echoed, even in --verbose', async () => {
    const r = await runCli([
      'init',
      `s:${staging}`,
      '--job',
      'seed',
      '--service',
      'classic',
      '--storage-account',
      'mystore',
      '--container',
      'seed',
      '--storage-account-key',
      KEY,
      '--verbose',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/recorded job "seed" \(classic\)/);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('bad names (exit 2) and missing ARM values without a sign-in (exit 3): one line', async () => {
    const bad = await runCli([
      'init',
      `s:${staging}`,
      '--job',
      'Seed!',
      '--service',
      'classic',
      '--storage-account',
      'mystore',
      '--container',
      'seed',
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^diskprep: --job "Seed!" is not valid: a classic job name is/),
    ]);
    const arm = await runCli([
      'init',
      `s:${staging}`,
      '--job',
      'seed',
      '--service',
      'importexport',
      '--storage-account',
      'mystore',
      '--container',
      'seed',
    ]);
    expect(arm.exitCode).toBe(3);
    expect(arm.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^diskprep: Subscription of the job: no answer in a non-interactive run — pass --subscription \(the candidates could not be listed: /,
      ),
    ]);
    const twice = await runCli([
      'init',
      `s:${staging}`,
      '--job',
      'seed',
      '--service',
      'offline',
      '--storage-account',
      'mystore',
      '--container',
      'seed',
    ]);
    expect(twice.exitCode).toBe(0);
    const again = await runCli([
      'init',
      `s:${staging}`,
      '--job',
      'seed',
      '--service',
      'offline',
      '--storage-account',
      'mystore',
      '--container',
      'seed',
    ]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already recorded .* --force/);
  });

  it('without --service the job is databox, with no warning; importexport warns once that it is retired', async () => {
    const arm = [
      '--subscription',
      '00000000-1111-2222-3333-444444444444',
      '--resource-group',
      'rg1',
      '--location',
      'westus',
    ];
    const common = ['--storage-account', 'mystore', '--container', 'seed', ...arm, '--json'];
    const d = await runCli(['init', `s:${staging}`, '--job', 'db01', ...common, '--data', 'data']);
    expect(d.exitCode, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ name: 'db01', service: 'databox' });
    expect(d.stderr).toBe('');
    const ie = await runCli([
      'init',
      `s:${staging}`,
      '--force',
      '--job',
      'db01',
      '--service',
      'importexport',
      ...common,
      '--data',
      'data',
    ]);
    expect(ie.exitCode, ie.stderr).toBe(0);
    expect(JSON.parse(ie.stdout)).toMatchObject({ name: 'db01', service: 'importexport' });
    expect(ie.stderr.trim()).toBe(
      '⚠ the Microsoft.ImportExport REST API was retired on 2023-02-28: use --service databox (Microsoft.DataBox customer-disk jobs) for new jobs',
    );
  });
});
