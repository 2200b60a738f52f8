/**
 * The built binary signs in as an Entra ID application with its certificate, against a loopback
 * Entra authority (TLS, test CA, instance discovery off) that checks the signed client
 * assertion, then lists the fake ARM's subscriptions: PEM and password-protected PFX sign in, a
 * certificate the application does not know exits 4 in one line, and neither the token, the
 * private key nor the password ever reaches stdout or stderr.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { FAKE_DIRECTORY, FakeArm } from '../fakes/fakeArm.ts';
import { fakeAccessToken, FakeEntra } from '../fakes/fakeEntra.ts';
import { type CertFiles, exportPfx, selfSignedCert } from '../helpers/certs.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '3c1f7a52-6e0b-4f7d-9d2a-8b5e4c6a1f09';
const OBJECT_ID = 'a4b1c2d3-0000-4e5f-8a9b-112233445566';
const PFX_PASSWORD = 'pfx-Secret-7Qm2vX9';
const EXPIRES = Math.floor(Date.now() / 1000) + 3600;
const TOKEN = fakeAccessToken({
  aud: 'https://management.azure.com/',
  tid: TENANT,
  appid: CLIENT_ID,
  oid: OBJECT_ID,
  exp: EXPIRES,
});

let pki: TestPki;
let entra: FakeEntra;
let arm: FakeArm;
let dir: string;
let app: CertFiles;
let stranger: CertFiles;
let appPem: string;
let strangerPem: string;
let pfx: string;
let secrets: string[];

beforeAll(async () => {
  pki = await makeTestPki();
  dir = tempDir('whoami-e2e');
  app = await selfSignedCert(dir, 'app', {
    cn: 'diskprep offline seeding',
    validity: { days: 2 },
    key: 'rsa',
  });
  stranger = await selfSignedCert(dir, 'stranger', {
    cn: 'not registered',
    validity: { days: 2 },
    key: 'rsa',
  });
  const cat = async (c: CertFiles) =>
    `${await readFile(c.certFile, 'utf8')}${await readFile(c.keyFile, 'utf8')}`;
  appPem = path.join(dir, 'app.pem');
  strangerPem = path.join(dir, 'stranger.pem');
  await writeFile(appPem, await cat(app), { mode: 0o600 });
  await writeFile(strangerPem, await cat(stranger), { mode: 0o600 });
  pfx = path.join(dir, 'app.pfx');
  await exportPfx(app, pfx, [], PFX_PASSWORD);
  const keyBody = (await readFile(app.keyFile, 'utf8'))
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'));
  secrets = [TOKEN, PFX_PASSWORD, ...keyBody];
  entra = await new FakeEntra({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    apps: [{ tenant: TENANT, clientId: CLIENT_ID, certPem: await readFile(app.certFile, 'utf8') }],
    accessToken: TOKEN,
  }).start();
  arm = await new FakeArm({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    token: TOKEN,
  }).start();
});
afterAll(async () => {
  expect(entra.violations).toEqual([]);
  expect(arm.violations).toEqual([]);
  await entra.stop();
  await arm.stop();
});

/** `diskprep whoami ...args` signing in at the fake authority, nothing from the runner's environment. */
function whoami(args: string[], env: Record<string, string> = {}) {
  return runCli(['whoami', '--arm-endpoint', arm.url, '--ca-file', pki.caFile, ...args], {
    env: {
      AZURE_AUTHORITY_HOST: entra.url,
      NODE_EXTRA_CA_CERTS: pki.caFile,
      DISKPREP_HOME: tempDir('whoami-home'),
      DISKPREP_ACCESS_TOKEN: undefined,
      AZURE_TENANT_ID: undefined,
      AZURE_CLIENT_ID: undefined,
      AZURE_CLIENT_SECRET: undefined,
      AZURE_CLIENT_CERTIFICATE_PATH: undefined,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: undefined,
      HTTPS_PROXY: undefined,
      https_proxy: undefined,
      ...env,
    },
  });
}

/** The three sign-in flags for the registered application and `file`. */
function signIn(file: string): string[] {
  return ['--tenant', TENANT, '--client-id', CLIENT_ID, '--client-certificate', file];
}

function expectNoSecrets(out: string) {
  for (const s of secrets) expect(out).not.toContain(s);
}

describe('whoami with a client certificate', () => {
  it('a PEM certificate signs in (assertion checked by the authority) and --json lists the subscriptions', async () => {
    const before = entra.tokenRequests.length;
    const r = await whoami([...signIn(appPem), '--json', '--verbose']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { subscriptions: { id: string }[] };
    expect(doc).toMatchObject({
      credential: 'ClientCertificateCredential',
      tenant: TENANT,
      account: { appId: CLIENT_ID, objectId: OBJECT_ID, upn: null },
      expiresOn: new Date(EXPIRES * 1000).toISOString(),
    });
    expect(doc.subscriptions.map((s) => s.id).sort()).toEqual(
      FAKE_DIRECTORY.subscriptions.map((s) => s.id).sort(),
    );
    const issued = entra.tokenRequests.slice(before);
    expect(issued.map((t) => t.refused)).toEqual([undefined]);
    expect(issued[0]!.form.client_id).toBe(CLIENT_ID);
    const header = JSON.parse(
      Buffer.from(issued[0]!.form.client_assertion!.split('.')[0]!, 'base64url').toString(),
    ) as Record<string, string>;
    expect(header.alg).toMatch(/^(RS|PS)256$/);
    expect(arm.requests.at(-1)!.authorization).toBe(`Bearer ${TOKEN}`);
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('a PFX opens with its password (from the environment) and signs in', async () => {
    const r = await whoami([], {
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_CERTIFICATE_PATH: pfx,
      AZURE_CLIENT_CERTIFICATE_PASSWORD: PFX_PASSWORD,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `signed in as application ${CLIENT_ID} (object id ${OBJECT_ID}) with ClientCertificateCredential`,
    );
    expect(r.stdout).toContain(`tenant: ${TENANT}`);
    expect(r.stdout).toContain('2 subscriptions reachable:');
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('the flags win over the environment, and the PFX password flag is never echoed', async () => {
    const r = await whoami(
      [...signIn(pfx), '--client-certificate-password', PFX_PASSWORD, '--verbose'],
      { AZURE_CLIENT_CERTIFICATE_PATH: strangerPem, AZURE_TENANT_ID: 'other-tenant' },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(entra.tokenRequests.at(-1)).toMatchObject({
      tenant: TENANT,
      form: { client_id: CLIENT_ID },
    });
    expect(entra.tokenRequests.at(-1)!.refused).toBeUndefined();
    expectNoSecrets(r.stdout + r.stderr);
  });

  it('a PFX with a wrong password: exit 2, one line naming the password', async () => {
    const r = await whoami([...signIn(pfx), '--client-certificate-password', 'wrong-password-123']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the PFX password is wrong');
    expect(r.stderr).not.toContain('wrong-password-123');
  });

  it('a certificate the application does not know: exit 4, one line naming the sign-in failure', async () => {
    const before = entra.tokenRequests.length;
    const r = await whoami([...signIn(strangerPem)]);
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /the sign-in with the client certificate failed: invalid_client AADSTS700027/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const refused = entra.tokenRequests.slice(before).map((t) => t.refused);
    expect(refused.length).toBeGreaterThan(0);
    for (const why of refused) expect(why).toContain('not registered');
    const strangerKey = (await readFile(stranger.keyFile, 'utf8'))
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'));
    for (const s of strangerKey) expect(r.stderr).not.toContain(s);
  });
});
