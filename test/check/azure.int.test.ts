/**
 * Connectivity, subscription state and Data Box checks against loopback fakes with real TLS,
 * directly and through a real CONNECT proxy.
 */
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointProbe } from '../../src/flows/check/endpointProbe.ts';
import { runChecks, type CheckRunOptions } from '../../src/flows/check/runChecks.ts';
import { runPreflight } from '../../src/flows/check/preflight.ts';
import { createHttp } from '../../src/deps/http.ts';
import { registerProxySecret } from '../../src/deps/proxy.ts';
import { DiskprepError } from '../../src/errors.ts';
import { Redactor } from '../../src/redact.ts';
import { decodeManagementCertificate } from '../../src/publishsettings/certificate.ts';
import { startFakeAzure, type FakeAzure } from '../fakes/checkAzureServer.ts';
import {
  makeManagementPfx,
  makePki,
  writePublishSettings,
  type TestPki,
} from '../fakes/checkCerts.ts';
import { startConnectProxy, type ConnectProxy } from '../fakes/connectProxy.ts';
import { makeStaging } from '../helpers/staging.ts';
import { CHECK_DATA, checkJob, databoxStaging, depsWithHttp } from './helpers.ts';

const SUB = '11111111-2222-3333-4444-555555555555';
const TOKEN = 'test-token-0123456789';
let pki: TestPki;
let azure: FakeAzure;
let validPfx: string;

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  pki = await makePki();
  azure = await startFakeAzure(
    { keyPem: pki.serverKeyPem, certPem: pki.serverCertPem },
    { subscriptionId: SUB, token: TOKEN },
  );
  validPfx = await makeManagementPfx(pki.dir, 'valid', { days: 365 });
});
afterAll(async () => {
  await azure?.close();
});

function armEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { DISKPREP_ACCESS_TOKEN: TOKEN, AZURE_AUTHORITY_HOST: azure.url, ...extra };
}

async function databoxRun(
  options: { env?: Record<string, string>; proxy?: string; extra?: Partial<CheckRunOptions> } = {},
) {
  const staging = databoxStaging(SUB);
  const env = options.env ?? armEnv();
  const { deps, recorded } = depsWithHttp({ env, proxy: options.proxy, ca: pki.caPem });
  const report = await runChecks(deps, {
    staging,
    azure: { armEndpoint: azure.url },
    blobEndpoint: azure.url,
    country: 'US',
    caFile: pki.caFile,
    needsDisk: false,
    ...(options.proxy ? { proxy: options.proxy } : {}),
    ...options.extra,
  });
  return { report, recorded, deps, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

describe('ARM subscription state → operations possible now', () => {
  it.each([
    ['Enabled', 'ok', { createJob: true, updateShipping: true, readStatus: true }],
    ['Warned', 'warn', { createJob: true, updateShipping: true, readStatus: true }],
    ['PastDue', 'warn', { createJob: true, updateShipping: true, readStatus: true }],
    ['Disabled', 'fail', { createJob: false, updateShipping: false, readStatus: true }],
    ['Deleted', 'fail', { createJob: false, updateShipping: false, readStatus: false }],
  ] as const)('%s → %s', async (state, status, ops) => {
    azure.state.armState = state;
    try {
      const { report, byId } = await databoxRun();
      expect(byId.subscription!.status).toBe(status);
      expect(byId.subscription!.detail.startsWith(state)).toBe(true);
      expect(report.operations).toEqual(ops);
      expect(report.ok).toBe(status !== 'fail');
      if (status !== 'ok') expect(byId.subscription!.fix).toBeTruthy();
    } finally {
      azure.state.armState = 'Enabled';
    }
  });

  it('Enabled: every Azure check passes, requests match the spec and carry the token', async () => {
    const before = azure.requests.length;
    const { report, byId } = await databoxRun();
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(byId.provider!.status).toBe('ok');
    expect(byId.sku!.status).toBe('ok');
    expect(byId['endpoint:arm']!.detail).toContain('TLS ✓');
    const seen = azure.requests.slice(before);
    expect(seen.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      `GET /subscriptions/${SUB}`,
      `GET /subscriptions/${SUB}/providers/Microsoft.DataBox`,
      `POST /subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.DataBox/locations/westus/availableSkus`,
      'GET /',
    ]);
    expect(seen.slice(0, 3).every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(JSON.parse(seen[2]!.body)).toEqual({
      transferType: 'ImportToAzure',
      country: 'US',
      location: 'westus',
      skuNames: ['DataBoxCustomerDisk'],
    });
    expect(azure.specViolations).toEqual([]);
  });

  it('provider not registered and SKU disabled: both fail with their fixes', async () => {
    azure.state.registrationState = 'NotRegistered';
    azure.state.skuEnabled = false;
    try {
      const { byId } = await databoxRun();
      expect(byId.provider).toMatchObject({ status: 'fail', detail: 'NotRegistered' });
      expect(byId.provider!.fix).toContain('az provider register --namespace Microsoft.DataBox');
      expect(byId.sku!.status).toBe('fail');
      expect(byId.sku!.detail).toContain('Region');
    } finally {
      azure.state.registrationState = 'Registered';
      azure.state.skuEnabled = true;
    }
  });

  it('a wrong token: the ARM endpoint check fails at the authenticated call (401), the state is skipped', async () => {
    const { byId } = await databoxRun({
      env: armEnv({ DISKPREP_ACCESS_TOKEN: 'wrong-token-xyz' }),
    });
    const ep = byId['endpoint:arm']!;
    expect(ep.status).toBe('fail');
    expect(ep.detail).toContain('HTTP 401 InvalidAuthenticationToken');
    expect(byId.subscription!.status).toBe('skip');
  });
});

describe('classic subscription (mutual TLS with the publish-settings certificate)', () => {
  async function classicRun(status: string, pfx = validPfx) {
    azure.state.classicStatus = status;
    azure.state.thumbprint = decodeManagementCertificate(validPfx, 'the test PFX').thumbprint;
    const staging = makeStaging([checkJob({ service: 'classic', data: 'data' })], CHECK_DATA);
    const file = await writePublishSettings(path.join(staging, 'my.publishsettings'), {
      id: SUB,
      name: 'Pay-As-You-Go',
      url: azure.url,
      pfxBase64: pfx,
    });
    const { deps } = depsWithHttp({ env: {}, ca: pki.caPem });
    const report = await runChecks(deps, {
      staging,
      publishSettings: file,
      azure: {},
      blobEndpoint: azure.url,
      caFile: pki.caFile,
      needsDisk: false,
    });
    return { report, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
  }

  it('Active: all operations; the fake saw the management certificate', async () => {
    const before = azure.requests.length;
    const { report, byId } = await classicRun('Active');
    expect(byId.subscription).toMatchObject({ status: 'ok' });
    expect(report.operations).toEqual({ createJob: true, updateShipping: true, readStatus: true });
    const req = azure.requests.slice(before).find((r) => r.path === `/${SUB}`)!;
    expect(req.headers['x-ms-version']).toBe('2014-11-01');
    expect(req.clientThumbprint).toBe(azure.state.thumbprint);
  });

  it('Disabled: reading status stays possible, new work does not', async () => {
    const { report, byId } = await classicRun('Disabled');
    expect(byId.subscription!.status).toBe('fail');
    expect(byId.subscription!.detail).toContain(
      'possible now: read status; not possible: create a job, update shipping',
    );
    expect(report.operations).toEqual({
      createJob: false,
      updateShipping: false,
      readStatus: true,
    });
  });

  it('a certificate the subscription does not know: 403 at the authenticated call', async () => {
    const other = await makeManagementPfx(pki.dir, 'other', { days: 365 });
    const { byId } = await classicRun('Active', other);
    const ep = byId['endpoint:classic']!;
    expect(ep.status).toBe('fail');
    expect(ep.detail).toContain('HTTP 403 ForbiddenError');
    expect(ep.fix).toContain('management certificate');
  });
});

describe('publish settings through the real parser (check reports, never throws)', () => {
  async function run(xml: string, extra: Partial<CheckRunOptions> = {}) {
    const staging = makeStaging([checkJob({ service: 'classic', data: 'data' })], CHECK_DATA);
    const file = path.join(staging, 'x.publishsettings');
    await writeFile(file, xml);
    const { deps, recorded } = depsWithHttp({ env: {}, ca: pki.caPem });
    const report = await runChecks(deps, {
      staging,
      publishSettings: file,
      azure: {},
      needsDisk: false,
      needsAzure: false,
      ...extra,
    });
    return { byId: Object.fromEntries(report.checks.map((c) => [c.id, c])), recorded };
  }
  const sub = (id: string, name: string) =>
    `<Subscription ServiceManagementUrl="${azure.url}" Id="${id}" Name="${name}" ManagementCertificate="${validPfx}" />`;
  const two = () =>
    `<PublishData><PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">${sub(SUB, 'A')}${sub('22222222-2222-4333-8444-555555555555', 'B')}</PublishProfile></PublishData>`;

  it('a Web Deploy profile: ✗ naming the wrong kind of file, certificate skipped', async () => {
    const { byId } = await run(
      '<publishData><publishProfile publishMethod="MSDeploy" userPWD="x" /></publishData>',
    );
    expect(byId['publish-settings']).toMatchObject({ status: 'fail' });
    expect(byId['publish-settings']!.detail).toMatch(/Web Deploy publish profile/);
    expect(byId['publish-settings']!.fix).toMatch(/download the publish settings file/);
    expect(byId.certificate).toMatchObject({
      status: 'skip',
      detail: 'the publish settings cannot be read',
    });
  });

  it('two subscriptions and no --subscription: ✗ asking for --subscription (non-interactive)', async () => {
    const { byId } = await run(two());
    expect(byId['publish-settings']).toMatchObject({
      status: 'fail',
      fix: 'pass --subscription, one of: 11111111-2222-3333-4444-555555555555, 22222222-2222-4333-8444-555555555555',
    });
    expect(byId['publish-settings']!.detail).toMatch(/holds 2 subscriptions/);
    expect(byId.certificate).toMatchObject({ status: 'skip', detail: 'no subscription chosen' });
  });

  it('--subscription by name picks it: schema, id, endpoint and a valid certificate', async () => {
    const { byId, recorded } = await run(two(), { subscription: 'b' });
    expect(byId['publish-settings']).toMatchObject({ status: 'ok' });
    expect(byId['publish-settings']!.detail).toBe(
      `schema 2.0, subscription B (22222222-2222-4333-8444-555555555555) at ${azure.url}/`,
    );
    expect(byId.certificate!.status).toBe('ok');
    expect(byId.certificate!.detail).toMatch(/^valid until \d{4}-\d\d-\d\d \(36[45] days left\)/);
    expect(recorded.stderr.join('\n')).not.toContain(validPfx.slice(0, 40));
  });
});

describe('unreachable endpoints name the host and the stage', () => {
  it('a closed loopback port fails at TCP with ECONNREFUSED', async () => {
    const port = await closedPort();
    const probe = createEndpointProbe({ proxy: { env: {} } });
    const r = await probe.probe(`https://127.0.0.1:${port}`);
    expect(r).toMatchObject({
      ok: false,
      failedStage: 'tcp',
      failedAt: 'endpoint',
      passed: ['dns'],
    });
    expect(r.reason).toContain('ECONNREFUSED');
  });

  it('a .invalid name fails at DNS without a query leaving the machine', async () => {
    const asked: string[] = [];
    const probe = createEndpointProbe({
      proxy: { env: {} },
      // The injected resolver records what would be asked; systemLookup refuses .invalid itself.
      lookup: async (h) => {
        asked.push(h);
        return (await import('../../src/flows/check/endpointProbe.ts')).systemLookup(h);
      },
    });
    const r = await probe.probe('https://management.diskprep-test.invalid');
    expect(r).toMatchObject({ ok: false, failedStage: 'dns', failedAt: 'endpoint' });
    expect(r.reason).toContain('ENOTFOUND');
    expect(asked).toEqual(['management.diskprep-test.invalid']);
  });

  it('an untrusted certificate fails at TLS and points at --ca-file', async () => {
    const { deps } = depsWithHttp({ env: armEnv() });
    const staging = makeStaging(
      [checkJob({ service: 'databox', subscription: SUB, data: 'data' })],
      CHECK_DATA,
    );
    const report = await runChecks(deps, {
      staging,
      azure: { armEndpoint: azure.url },
      blobEndpoint: azure.url,
      needsDisk: false,
    });
    const ep = report.checks.find((c) => c.id === 'endpoint:arm')!;
    expect(ep.status).toBe('fail');
    expect(ep.data).toMatchObject({ stage: 'tls' });
    expect(ep.fix).toContain('--ca-file');
  });
});

describe('through a real CONNECT proxy', () => {
  let proxy: ConnectProxy;
  let authProxy: ConnectProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy();
    authProxy = await startConnectProxy({ auth: { user: 'alice', pass: 'pr0xy-s3cret' } });
  });
  afterAll(async () => {
    await proxy?.close();
    await authProxy?.close();
  });

  it('--proxy with credentials: every Azure call is tunnelled, the password never printed', async () => {
    const tunnels = authProxy.tunnels.length;
    const before = azure.requests.length;
    const url = `http://alice:pr0xy-s3cret@127.0.0.1:${authProxy.port}`;
    const { report, recorded, deps } = await databoxRun({ proxy: url });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    const newTunnels = authProxy.tunnels.slice(tunnels);
    // Probes: login, ARM, blob (3); calls: subscription, provider, SKU, blob (4; undici may reuse one tunnel).
    expect(newTunnels.length).toBeGreaterThanOrEqual(4);
    expect(new Set(newTunnels)).toEqual(new Set([`127.0.0.1:${azure.port}`]));
    expect(azure.requests.length - before).toBe(4);
    expect(report.proxy).toMatchObject({
      url: `http://alice:***@127.0.0.1:${authProxy.port}`,
      source: '--proxy',
    });
    expect(report.proxy.hosts.every((h) => h.via === 'proxy')).toBe(true);
    deps.output.json(report);
    expect(recorded.stdout.join('\n')).not.toContain('pr0xy-s3cret');
    expect(recorded.stdout.join('\n')).toContain('alice:***@');
  });

  it('HTTPS_PROXY without credentials on an authenticating proxy: reported as the proxy refusing (407), not as Azure unreachable', async () => {
    const refused = authProxy.refused407;
    const { report, deps, recorded } = await databoxRun({
      env: armEnv({ HTTPS_PROXY: `http://127.0.0.1:${authProxy.port}` }),
    });
    const ep = report.checks.find((c) => c.id === 'endpoint:arm')!;
    // Printed through the redactor, the placeholder word of the fix stays as written.
    deps.output.json(report);
    deps.terminal.info(`fix: ${ep.fix}`);
    for (const printed of [recorded.stdout.join('\n'), recorded.stderr.join('\n')])
      expect(printed).toContain('--proxy http://user:password@host:port');
    expect(ep.status).toBe('fail');
    expect(ep.detail).toContain(
      `proxy http://127.0.0.1:${authProxy.port} refused at proxy-connect`,
    );
    expect(ep.detail).toContain('407');
    expect(ep.data).toMatchObject({ failedAt: 'proxy', proxyStatus: 407 });
    expect(ep.fix).toContain('--proxy http://user:password@host:port');
    expect(authProxy.refused407).toBeGreaterThan(refused);
    expect(report.proxy.source).toBe('HTTPS_PROXY');
  });

  it('a proxy that is down: refused at proxy-tcp', async () => {
    const port = await closedPort();
    const { report } = await databoxRun({ proxy: `http://127.0.0.1:${port}` });
    const ep = report.checks.find((c) => c.id === 'endpoint:login')!;
    expect(ep.data).toMatchObject({ stage: 'proxy-tcp', failedAt: 'proxy' });
  });

  it('the proxy cannot reach the endpoint (502): reported as the endpoint unreachable via the proxy', async () => {
    const probe = createEndpointProbe({ proxy: { proxy: proxy.url, env: {} } });
    const r = await probe.probe('https://management.diskprep-test.invalid');
    expect(r).toMatchObject({
      ok: false,
      failedStage: 'proxy-connect',
      failedAt: 'endpoint',
      proxyStatus: 502,
    });
  });

  it('NO_PROXY bypass: hosts in NO_PROXY go direct, zero tunnels, the endpoint still answers', async () => {
    const tunnels = proxy.tunnels.length;
    const requested = proxy.requested.length;
    const before = azure.requests.length;
    const { report } = await databoxRun({
      env: armEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }),
    });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(proxy.tunnels.length).toBe(tunnels);
    expect(proxy.requested.length).toBe(requested);
    expect(azure.requests.length - before).toBe(4);
    expect(
      report.proxy.hosts.every((h) => h.via === 'direct' && h.bypassedBy === '127.0.0.1'),
    ).toBe(true);
  });

  it('http seam: a 407 from the proxy is an ERR_DISKPREP_PROXY error naming the proxy (redacted), not the host', async () => {
    const http = createHttp({
      proxy: `http://alice:wrong-password@127.0.0.1:${authProxy.port}`,
      ca: pki.caPem,
      env: {},
    });
    const err = await http
      .request({ method: 'GET', url: `${azure.url}/subscriptions/${SUB}` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskprepError);
    const e = err as DiskprepError;
    expect(e.code).toBe('ERR_DISKPREP_PROXY');
    expect(e.message).toContain(`the proxy http://alice:***@127.0.0.1:${authProxy.port} refused`);
    expect(e.message).toContain('407');
    expect(e.message).not.toContain('wrong-password');
    // The fix names the placeholder, which the redactor leaves as it is.
    const redactor = new Redactor();
    registerProxySecret(`http://alice:wrong-password@127.0.0.1:${authProxy.port}`, redactor);
    expect(redactor.redact(e.hint!)).toBe(
      'put the proxy credentials in the URL: --proxy http://user:password@host:port',
    );
  });
});

describe('runPreflight', () => {
  it('stops with the first failure as a one-line error (exit 4 for Azure) and prints the lines on stderr', async () => {
    azure.state.armState = 'Disabled';
    try {
      const staging = databoxStaging(SUB);
      const { deps, recorded } = depsWithHttp({ env: armEnv(), ca: pki.caPem });
      const err = await runPreflight(deps, {
        staging,
        needsDisk: false,
        createsJob: true,
        azure: { armEndpoint: azure.url },
        caFile: pki.caFile,
        country: 'US',
        blobEndpoint: azure.url,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiskprepError);
      expect((err as DiskprepError).exitCode).toBe(4);
      expect((err as DiskprepError).message).toMatch(
        /^cannot prepare: subscription state: Disabled/,
      );
      expect(recorded.stderr.some((l) => l.startsWith('✗ subscription state: Disabled'))).toBe(
        true,
      );
      // A run that does not create the job may go on.
      const ok = await runPreflight(deps, {
        staging,
        needsDisk: false,
        createsJob: false,
        azure: { armEndpoint: azure.url },
        caFile: pki.caFile,
        country: 'US',
        blobEndpoint: azure.url,
      });
      expect(ok.operations?.readStatus).toBe(true);
    } finally {
      azure.state.armState = 'Enabled';
    }
  });

  it('non-root with needsDisk: exit 5 before anything else is touched', async () => {
    const staging = makeStaging([checkJob({ service: 'offline', data: 'data' })], CHECK_DATA);
    const { deps } = depsWithHttp({ env: { PATH: process.env.PATH ?? '' }, uid: 1000 });
    deps.exec = (await import('../../src/deps/exec.ts')).createExec({
      dryRun: false,
      terminal: deps.terminal,
    });
    const err = (await runPreflight(deps, { staging, needsDisk: true, service: 'offline' }).catch(
      (e: unknown) => e,
    )) as DiskprepError;
    expect(err.exitCode).toBe(5);
    expect(err.hint).toContain('sudo');
  });
});

describe('the fake validates availableSkus against the official spec', () => {
  it('refuses a body the spec forbids (400 InvalidRequestContent) and records the violation', async () => {
    const { deps } = depsWithHttp({ env: {}, ca: pki.caPem });
    const before = azure.specViolations.length;
    const res = await deps.http.request({
      method: 'POST',
      url: `${azure.url}/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.DataBox/locations/westus/availableSkus?api-version=2025-07-01`,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      // transferType must be ImportToAzure or ExportFromAzure; country is required.
      body: JSON.stringify({ transferType: 'Sideways', location: 'westus' }),
    });
    const seen = azure.specViolations.splice(before);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'InvalidRequestContent' } });
    expect(seen.join('\n')).toMatch(/transferType/);
    expect(seen.join('\n')).toMatch(/country/);
  });
});
