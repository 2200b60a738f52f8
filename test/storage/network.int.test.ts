/**
 * @azure/storage-blob does not use the http seam: these tests prove that the seam's network
 * settings still reach it. Azurite serves HTTPS with a certificate of the test CA, and the
 * storage calls go through the loopback CONNECT proxy (with credentials) or directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { containerClient, type StorageNetwork } from '../../src/storage/client.ts';
import { fetchLogBlob } from '../../src/storage/errorLogs.ts';
import { storagePreflight } from '../../src/storage/preflight.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../fakes/azurite.ts';
import { makeTestPki, type TestPki } from '../fakes/certs.ts';
import { type ConnectProxy, startConnectProxy } from '../fakes/connectProxy.ts';

const PROXY_PASS = 'st0rage-pr0xy-pw';
let pki: TestPki;
let azurite: Azurite;
let proxy: ConnectProxy;

beforeAll(async () => {
  pki = await makeTestPki();
  [azurite, proxy] = await Promise.all([
    startAzurite({ tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile } }),
    startConnectProxy({ auth: { user: 'bob', pass: PROXY_PASS } }),
  ]);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), proxy?.close()]);
});

function client(container: string, network: StorageNetwork | undefined) {
  return containerClient(
    {
      account: AZURITE_ACCOUNT,
      container,
      credential: { accountKey: AZURITE_KEY },
      blobEndpoint: azurite.endpoint,
    },
    new Redactor(),
    network,
  );
}

const proxyUrl = (pass = PROXY_PASS) => `http://bob:${pass}@127.0.0.1:${proxy.port}`;
const target = () => `127.0.0.1:${azurite.port}`;

describe('storage calls honour --proxy and --ca-file', () => {
  it('--proxy: every call is tunnelled through the CONNECT proxy, TLS trusted via --ca-file', async () => {
    const before = proxy.tunnels.length;
    const c = client('viaproxy', { proxy: proxyUrl(), env: {}, ca: pki.caPem });
    expect((await storagePreflight(c, { account: AZURITE_ACCOUNT, create: true })).created).toBe(
      true,
    );
    await c.getBlockBlobClient('logs/drive1.xml').upload('<DriveLog/>', 11);
    const names: string[] = [];
    for await (const b of c.listBlobsFlat()) names.push(b.name);
    expect(names).toEqual(['logs/drive1.xml']);
    // The log reader (status) goes the same way.
    const text = await fetchLogBlob(
      `${azurite.endpoint}/viaproxy/logs/drive1.xml`,
      AZURITE_ACCOUNT,
      { accountKey: AZURITE_KEY },
      new Redactor(),
      { proxy: proxyUrl(), env: {}, ca: pki.caPem },
    );
    expect(text).toBe('<DriveLog/>');
    const opened = proxy.tunnels.slice(before);
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(new Set(opened)).toEqual(new Set([target()]));
  });

  it('HTTPS_PROXY from the environment is used the same way; NO_PROXY sends it direct', async () => {
    let before = proxy.tunnels.length;
    const viaEnv = client('viaenv', { env: { HTTPS_PROXY: proxyUrl() }, ca: pki.caPem });
    await storagePreflight(viaEnv, { account: AZURITE_ACCOUNT, create: true });
    expect(proxy.tunnels.slice(before)).toContain(target());

    before = proxy.tunnels.length;
    const requested = proxy.requested.length;
    const direct = client('viaenv', {
      env: { HTTPS_PROXY: proxyUrl(), NO_PROXY: '127.0.0.1' },
      ca: pki.caPem,
    });
    await storagePreflight(direct, { account: AZURITE_ACCOUNT, create: false });
    expect(proxy.tunnels.length).toBe(before);
    expect(proxy.requested.length).toBe(requested);
  });

  it('without --ca-file the server certificate is not trusted, even through the proxy', async () => {
    const before = proxy.tunnels.length;
    const c = client('untrusted', { proxy: proxyUrl(), env: {} });
    const err = (await storagePreflight(c, { account: AZURITE_ACCOUNT, create: true }).catch(
      (e: unknown) => e,
    )) as Error & { hint?: string };
    expect(err).toBeInstanceOf(Error);
    expect(proxy.tunnels.length).toBeGreaterThan(before);
    expect(String(err.message)).toMatch(/TLS handshake failed: .*certificate/);
    expect(err.hint).toContain('--ca-file');
  });

  it('wrong proxy credentials: the proxy refuses (407) and the password never shows', async () => {
    const refused = proxy.refused407;
    const c = client('badproxy', { proxy: proxyUrl('wrong-pw-123'), env: {}, ca: pki.caPem });
    const err = (await storagePreflight(c, { account: AZURITE_ACCOUNT, create: true }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(proxy.refused407).toBeGreaterThan(refused);
    expect(String(err.message)).not.toContain('wrong-pw-123');
  });
});
