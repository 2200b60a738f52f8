import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import {
  makeCert,
  makeExpiredCert,
  makePfx,
  SUB_A,
  SUB_B,
  v1Xml,
  v2Xml,
  WEB_DEPLOY_XML,
} from '../publishsettings/fixtures.ts';

let dir: string;
let pfx: string;
let keyBody: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-settings-e2e-'));
  const cert = await makeCert(dir, 'a', 'Windows Azure Tools');
  const old = await makeExpiredCert(dir, 'old', 'Old Tools');
  pfx = await makePfx(dir, cert, 'legacy');
  const { readFile } = await import('node:fs/promises');
  keyBody = (await readFile(cert.keyFile, 'utf8')).split('\n')[5]!;
  const put = async (name: string, text: string) => {
    files[name] = path.join(dir, `${name}.publishsettings`);
    await writeFile(files[name], text);
  };
  await put(
    'v1',
    v1Xml(pfx, [
      { id: SUB_A, name: 'Pay-As-You-Go' },
      { id: SUB_B, name: 'MSDN' },
    ]),
  );
  await put(
    'gov',
    v2Xml([
      { id: SUB_A, name: 'Gov', url: 'https://management.core.usgovcloudapi.net/', cert: pfx },
    ]),
  );
  await put('expired', v1Xml(await makePfx(dir, old, 'legacy'), [{ id: SUB_A, name: 'Old' }]));
  await put('webdeploy', WEB_DEPLOY_XML);
  await put('notxml', 'hello');
  await put('badb64', v1Xml('%%%', [{ id: SUB_A, name: 'A' }]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function noSecrets(text: string): void {
  expect(text).not.toContain(pfx.slice(0, 64));
  expect(text).not.toContain(keyBody);
  expect(text).not.toMatch(/PRIVATE KEY/);
}

describe('diskprep settings (built binary)', () => {
  it('--json prints exactly the documented shape, no key, exit 0', async () => {
    const r = await runCli(['settings', `p:${files.v1}`, '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & {
      subscriptions: Record<string, unknown>[];
    };
    expect(doc.schemaVersion).toBe('1');
    expect(doc.subscriptions).toHaveLength(2);
    for (const s of doc.subscriptions) {
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['id', 'name', 'serviceManagementUrl', 'cloud', 'certificate']),
      );
      expect(Object.keys(s.certificate as object)).toEqual(
        expect.arrayContaining(['thumbprint', 'subject', 'notAfter']),
      );
      expect(JSON.stringify(s.certificate)).not.toMatch(/key|pem/i);
    }
    expect(doc.subscriptions[0]).toMatchObject({
      id: SUB_A,
      name: 'Pay-As-You-Go',
      cloud: 'public',
      serviceManagementUrl: 'https://management.core.windows.net/',
    });
    noSecrets(r.stdout + r.stderr);
  });

  it('human output names each subscription, its cloud and days until expiry', async () => {
    const r = await runCli(['settings', '--publish-settings', files.gov!, '--subscription', 'gov']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/schema 2\.0, 1 subscription/);
    expect(r.stdout).toMatch(/cloud +usgov +https:\/\/management\.core\.usgovcloudapi\.net\//);
    expect(r.stdout).toMatch(/expires +\d{4}-\d\d-\d\d \(in 36[45] days\)/);
    noSecrets(r.stdout + r.stderr);
  });

  it('an expired certificate: a warning on stderr, expired: true, still exit 0', async () => {
    const r = await runCli(['settings', `p:${files.expired}`, '--json']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/expired on 2021-01-01/);
    expect(
      (JSON.parse(r.stdout) as { subscriptions: { certificate: { expired: boolean } }[] })
        .subscriptions[0]!.certificate.expired,
    ).toBe(true);
  });

  it.each([
    ['webdeploy', /Web Deploy publish profile/],
    ['notxml', /is not a valid publish settings file \(line \d+\): /],
    ['badb64', /not valid base64/],
  ])('%s: exit 2, one line on stderr, no stack', async (name, re) => {
    const r = await runCli(['settings', `p:${files[name]}`]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(re);
  });

  it('missing file and unknown subscription: exit 2; --json carries the error on stdout', async () => {
    const missing = await runCli([
      'settings',
      `p:${path.join(dir, 'nope.publishsettings')}`,
      '--json',
    ]);
    expect(missing.exitCode).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      error: { code: 'ERR_DISKPREP_PUBLISH_SETTINGS', message: expect.stringMatching(/not found/) },
    });
    const unknown = await runCli(['settings', `p:${files.v1}`, '--subscription', 'Prod']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no subscription "Prod" .* it holds: Pay-As-You-Go/);
    noSecrets(unknown.stderr);
  });
});
