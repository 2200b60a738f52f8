import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, NeedsAnswerError, UsageError } from '../../src/errors.ts';
import { chooseSubscription, loadPublishSettings } from '../../src/publishsettings/load.ts';
import {
  CLOUDS,
  cloudByName,
  cloudForServiceManagementUrl,
} from '../../src/publishsettings/clouds.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import {
  makeCert,
  makeExpiredCert,
  makePfx,
  type PfxKind,
  SUB_A,
  SUB_B,
  SUB_C,
  SUB_D,
  type TestCert,
  v1Xml,
  v2Xml,
  WEB_DEPLOY_XML,
} from './fixtures.ts';

let dir: string;
let certA: TestCert;
let certB: TestCert;
let expired: TestCert;
// Certificates made in these tests start "now" (real time): the fake clock must be real time too,
// or a certificate made after the fixed default date reads as not yet valid.
const pfx: Partial<Record<PfxKind, string>> = {};
let pfxB: string;
let pfxExpired: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-ps-'));
  certA = await makeCert(dir, 'a', 'Windows Azure Tools');
  certB = await makeCert(dir, 'b', 'Second Tools Cert', 10);
  expired = await makeExpiredCert(dir, 'old', 'Expired Tools');
  for (const k of ['modern', 'legacy', 'rc2-3des', '3des', 'password', 'null-password'] as const) {
    pfx[k] = await makePfx(dir, certA, k);
  }
  pfxB = await makePfx(dir, certB, 'legacy');
  pfxExpired = await makePfx(dir, expired, 'legacy');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const f = path.join(dir, name);
  await writeFile(f, content);
  return f;
}

async function loadError(file: string): Promise<UsageError> {
  const { deps } = fakeDeps({ now: new Date() });
  const err = await loadPublishSettings(deps, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  const u = err as UsageError;
  expect(u.exitCode).toBe(ExitCode.usage);
  expect(u.message).not.toContain('\n');
  return u;
}

describe('management certificate encodings', () => {
  it.each(['modern', 'legacy', 'rc2-3des', '3des', 'null-password'] as const)(
    '%s PKCS#12 decodes to the certificate openssl made (thumbprint, subject, notAfter)',
    async (kind) => {
      const f = await write(
        `${kind}.publishsettings`,
        v1Xml(pfx[kind]!, [{ id: SUB_A, name: 'Pay-As-You-Go' }]),
      );
      const { deps } = fakeDeps({ now: new Date() });
      const s = await loadPublishSettings(deps, f);
      const c = s.subscriptions[0]!.certificate;
      expect(c.thumbprint).toBe(certA.fingerprint);
      expect(c.subject).toBe('CN=Windows Azure Tools');
      expect(c.notAfter.getTime()).toBe(certA.notAfter.getTime());
      expect(c.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(c.certPem.replace(/\s/g, '')).toBe(certA.certPem.replace(/\s/g, ''));
    },
  );

  it("Node's own OpenSSL refuses the legacy RC2-40 PFX that diskprep decodes", async () => {
    const der = Buffer.from(pfx.legacy!, 'base64');
    expect(() => tls.createSecureContext({ pfx: der, passphrase: '' })).toThrow(/unsupported/i);
  });

  it('a real mutual-TLS handshake with the decoded key and certificate', async () => {
    const f = await write('mtls.publishsettings', v1Xml(pfx.legacy!, [{ id: SUB_A, name: 'A' }]));
    const { deps } = fakeDeps({ now: new Date() });
    const c = (await loadPublishSettings(deps, f)).subscriptions[0]!.certificate;
    // The server's own certificate is the second test cert; the client cert must chain to `ca`.
    const { readFile } = await import('node:fs/promises');
    const server = https.createServer(
      {
        key: await readFile(certB.keyFile),
        cert: certB.certPem,
        requestCert: true,
        rejectUnauthorized: true,
        ca: certA.certPem,
      },
      (req, res) => {
        const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
        res.end(
          JSON.stringify({
            fingerprint: peer.fingerprint,
            authorized: (req.socket as tls.TLSSocket).authorized,
          }),
        );
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            key: c.keyPem,
            cert: c.certPem,
            ca: certB.certPem,
            servername: 'localhost',
            checkServerIdentity: () => undefined,
          },
          (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          },
        );
        req.on('error', reject);
        req.end();
      });
      const seen = JSON.parse(body) as { fingerprint: string; authorized: boolean };
      expect(seen.authorized).toBe(true);
      expect(seen.fingerprint.replace(/:/g, '')).toBe(c.thumbprint);
      // And without the client certificate the server refuses the handshake.
      const refused = await new Promise<boolean>((resolve) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            ca: certB.certPem,
            checkServerIdentity: () => undefined,
          },
          (res) => {
            res.resume();
            resolve(false);
          },
        );
        req.on('error', () => resolve(true));
        req.end();
      });
      expect(refused).toBe(true);
    } finally {
      server.close();
    }
  });

  it('registers the base64 PFX and the private key with the redactor', async () => {
    const f = await write('redact.publishsettings', v1Xml(pfx.modern!, [{ id: SUB_A, name: 'A' }]));
    const { deps } = fakeDeps({ now: new Date() });
    const c = (await loadPublishSettings(deps, f)).subscriptions[0]!.certificate;
    expect(deps.redactor.redact(`x ${pfx.modern!} y`)).toBe('x *** y');
    expect(deps.redactor.redact(c.keyPem)).toBe('***');
  });
});

describe('schemas, subscriptions and clouds', () => {
  it('v1: profile-level Url and certificate apply to every subscription', async () => {
    const f = await write(
      'v1.publishsettings',
      v1Xml(pfx.legacy!, [
        { id: SUB_A, name: 'Pay-As-You-Go' },
        { id: SUB_B.toUpperCase(), name: 'MSDN' },
      ]),
    );
    const { deps, recorded } = fakeDeps({ now: new Date() });
    const s = await loadPublishSettings(deps, f);
    expect(s.schemaVersion).toBe('1');
    expect(s.file).toBe(f);
    expect(s.subscriptions.map((x) => [x.id, x.name, x.cloud, x.serviceManagementUrl])).toEqual([
      [SUB_A, 'Pay-As-You-Go', 'public', 'https://management.core.windows.net/'],
      [SUB_B, 'MSDN', 'public', 'https://management.core.windows.net/'],
    ]);
    expect(s.subscriptions[1]!.certificate.thumbprint).toBe(certA.fingerprint);
    expect(recorded.stderr).toEqual([]);
  });

  it('v2.0: per-subscription endpoint and certificate win, profile values are the fallback; sovereign clouds', async () => {
    const f = await write(
      'v2.publishsettings',
      v2Xml(
        [
          { id: SUB_A, name: 'Gov', url: 'https://management.core.usgovcloudapi.net', cert: pfxB },
          { id: SUB_B, name: 'China', url: 'https://management.core.chinacloudapi.cn/' },
          {
            id: SUB_C,
            name: 'Germany',
            url: 'https://MANAGEMENT.core.cloudapi.de/',
            cert: pfx['3des'],
          },
          { id: SUB_D, name: 'Fallback' },
        ],
        { url: 'https://management.core.windows.net/', cert: pfx.legacy },
      ),
    );
    const { deps } = fakeDeps({ now: new Date() });
    const s = await loadPublishSettings(deps, f);
    expect(s.schemaVersion).toBe('2.0');
    expect(
      s.subscriptions.map((x) => [
        x.name,
        x.cloud,
        x.serviceManagementUrl,
        x.certificate.thumbprint,
      ]),
    ).toEqual([
      ['Gov', 'usgov', 'https://management.core.usgovcloudapi.net/', certB.fingerprint],
      ['China', 'china', 'https://management.core.chinacloudapi.cn/', certA.fingerprint],
      ['Germany', 'germany', 'https://management.core.cloudapi.de/', certA.fingerprint],
      ['Fallback', 'public', 'https://management.core.windows.net/', certA.fingerprint],
    ]);
  });

  it('an endpoint of no known cloud is kept as "custom"', async () => {
    const f = await write(
      'custom.publishsettings',
      v2Xml([{ id: SUB_A, name: 'Lab', url: 'https://127.0.0.1:8443/', cert: pfx.modern }]),
    );
    const { deps } = fakeDeps({ now: new Date() });
    const s = await loadPublishSettings(deps, f);
    expect(s.subscriptions[0]!.cloud).toBe('custom');
    expect(s.subscriptions[0]!.serviceManagementUrl).toBe('https://127.0.0.1:8443/');
  });

  it('tolerates a BOM, CRLF, odd letter case and whitespace inside the base64', async () => {
    const wrapped = pfx.legacy!.replace(/.{64}/g, '$&\r\n   ');
    const xml = v1Xml(wrapped, [{ id: SUB_A, name: 'A' }])
      .replace('<PublishData>', '<publishdata>')
      .replace('</PublishData>', '</publishdata>')
      .replace('ManagementCertificate=', 'managementcertificate=')
      .replace('Url=', 'URL=')
      .replace(/\n/g, '\r\n');
    const f = await write(
      'messy.publishsettings',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]),
    );
    const { deps } = fakeDeps({ now: new Date() });
    const s = await loadPublishSettings(deps, f);
    expect(s.subscriptions[0]!.certificate.thumbprint).toBe(certA.fingerprint);
  });

  it('reads a UTF-16 file with a BOM (as some Windows editors save it)', async () => {
    const xml = v1Xml(pfx.modern!, [{ id: SUB_A, name: 'Zürich' }]);
    const f = await write(
      'utf16.publishsettings',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]),
    );
    const { deps } = fakeDeps({ now: new Date() });
    const s = await loadPublishSettings(deps, f);
    expect(s.subscriptions[0]!.name).toBe('Zürich');
  });

  it('an expired certificate is a warning and expired: true', async () => {
    const f = await write('expired.publishsettings', v1Xml(pfxExpired, [{ id: SUB_A, name: 'A' }]));
    const { deps, recorded } = fakeDeps({ now: new Date('2026-11-21T10:00:00Z') });
    const c = (await loadPublishSettings(deps, f)).subscriptions[0]!.certificate;
    expect(c.expired).toBe(true);
    expect(c.notAfter.toISOString()).toBe('2021-01-01T00:00:00.000Z');
    expect(c.daysLeft).toBeLessThan(-2000);
    expect(recorded.stderr).toHaveLength(1);
    expect(recorded.stderr[0]).toMatch(
      /expired on 2021-01-01.*download a new publish settings file/,
    );
  });
});

describe('bad files: one line, exit 2', () => {
  it('missing file', async () => {
    const e = await loadError(path.join(dir, 'nope.publishsettings'));
    expect(e.message).toMatch(/not found/);
  });
  it('a folder', async () => {
    expect((await loadError(dir)).message).toMatch(/is a folder/);
  });
  it('not XML', async () => {
    const e = await loadError(await write('json.publishsettings', '{"subscriptions": []}'));
    expect(e.message).toMatch(
      /json\.publishsettings is not a valid publish settings file \(line 1\): /,
    );
    expect(e.hint).toMatch(/manage\.windowsazure\.com\/publishsettings/);
  });
  it('empty file', async () => {
    expect((await loadError(await write('empty.publishsettings', ''))).message).toMatch(
      /is not a valid publish settings file: it is empty/,
    );
  });
  it('XML of another kind', async () => {
    expect((await loadError(await write('other.xml', '<Project><x/></Project>'))).message).toMatch(
      /root element is <project>/,
    );
  });
  it('a Web Deploy publish profile says what it is and where the right file comes from', async () => {
    const e = await loadError(await write('site.PublishSettings', WEB_DEPLOY_XML));
    expect(e.message).toMatch(/Web Deploy publish profile of an App Service web app/);
    expect(e.hint).toContain('https://manage.windowsazure.com/publishsettings');
    expect(e.hint).toContain('portal.azure.us');
  });
  it('no subscription', async () => {
    const e = await loadError(await write('nosub.publishsettings', v1Xml(pfx.modern!, [])));
    expect(e.message).toMatch(/holds no subscription/);
  });
  it('bad base64', async () => {
    const e = await loadError(
      await write('b64.publishsettings', v1Xml('MIIK%%%not-base64', [{ id: SUB_A, name: 'A' }])),
    );
    expect(e.message).toMatch(/not valid base64/);
  });
  it('base64 that is not a PKCS#12', async () => {
    const notPfx = Buffer.from('this is certainly not a certificate at all').toString('base64');
    const e = await loadError(
      await write('notpfx.publishsettings', v1Xml(notPfx, [{ id: SUB_A, name: 'A' }])),
    );
    expect(e.message).toMatch(/is not a PKCS#12/);
  });
  it('a PEM certificate (DER inside) is not a PKCS#12 either', async () => {
    const der = certA.certPem.replace(/-----[^-]+-----|\s/g, '');
    const e = await loadError(
      await write('pem.publishsettings', v1Xml(der, [{ id: SUB_A, name: 'A' }])),
    );
    expect(e.message).toMatch(/is not a PKCS#12|holds no private key/);
  });
  it('a password-protected PFX', async () => {
    const e = await loadError(
      await write('pw.publishsettings', v1Xml(pfx.password!, [{ id: SUB_A, name: 'A' }])),
    );
    expect(e.message).toMatch(/protected by a password/);
  });
  it('a subscription without any certificate', async () => {
    const e = await loadError(
      await write('nocert.publishsettings', v2Xml([{ id: SUB_A, name: 'Lonely' }])),
    );
    expect(e.message).toMatch(/subscription "Lonely" .* has no management certificate/);
  });
  it('a subscription id that is not a GUID', async () => {
    const e = await loadError(
      await write('guid.publishsettings', v1Xml(pfx.modern!, [{ id: 'abc', name: 'A' }])),
    );
    expect(e.message).toMatch(/<Subscription> #1 id: Id must be a subscription GUID/);
  });
  it('an unknown schema version', async () => {
    const xml = v2Xml([{ id: SUB_A, name: 'A', cert: pfx.modern }]).replace(
      'SchemaVersion="2.0"',
      'SchemaVersion="3.1"',
    );
    expect((await loadError(await write('v3.publishsettings', xml))).message).toMatch(
      /schema version "3.1"/,
    );
  });
});

describe('chooseSubscription', () => {
  async function twoSubs(answers?: Record<string, unknown>) {
    const f = await write(
      'two.publishsettings',
      v1Xml(pfx.modern!, [
        { id: SUB_A, name: 'Pay-As-You-Go' },
        { id: SUB_B, name: 'MSDN' },
        { id: SUB_C, name: 'dup' },
        { id: SUB_D, name: 'dup' },
      ]),
    );
    const ctx = fakeDeps({ now: new Date(), ...(answers ? { answers } : {}) });
    return { ...ctx, settings: await loadPublishSettings(ctx.deps, f) };
  }

  it('by id (any case), by name, by name ignoring case', async () => {
    const { deps, settings } = await twoSubs();
    expect((await chooseSubscription(deps, settings, SUB_B.toUpperCase())).name).toBe('MSDN');
    expect((await chooseSubscription(deps, settings, 'Pay-As-You-Go')).id).toBe(SUB_A);
    expect((await chooseSubscription(deps, settings, 'msdn')).id).toBe(SUB_B);
  });

  it('an unknown one lists what the file holds; an ambiguous name asks for the id', async () => {
    const { deps, settings } = await twoSubs();
    await expect(chooseSubscription(deps, settings, 'Prod')).rejects.toMatchObject({
      message: expect.stringMatching(/no subscription "Prod"/),
      hint: expect.stringContaining(`MSDN (${SUB_B})`),
    });
    await expect(chooseSubscription(deps, settings, 'dup')).rejects.toMatchObject({
      message: expect.stringMatching(/2 subscriptions .* are named "dup"/),
    });
  });

  it('asks when there are several (flag --subscription), fails with exit 3 when it cannot ask', async () => {
    const asked = await twoSubs({ '--subscription': SUB_B });
    expect((await chooseSubscription(asked.deps, asked.settings, undefined)).name).toBe('MSDN');
    expect(asked.asked).toEqual(['--subscription']);
    const silent = await twoSubs();
    const err = await chooseSubscription(silent.deps, silent.settings, undefined).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NeedsAnswerError);
    expect((err as NeedsAnswerError).flag).toBe('--subscription');
  });
});

describe('cloud table', () => {
  it('maps endpoints and --cloud names', () => {
    expect(cloudForServiceManagementUrl('https://management.core.windows.net')?.name).toBe(
      'public',
    );
    expect(cloudForServiceManagementUrl('https://manage.core.cloudapi.de/')?.name).toBe('germany');
    expect(cloudForServiceManagementUrl('not a url')).toBeUndefined();
    expect(cloudByName('AzureUSGovernment')).toBe(CLOUDS.usgov);
    expect(cloudByName('china')?.armEndpoint).toBe('https://management.chinacloudapi.cn/');
    expect(CLOUDS.usgov.entraEndpoint).toBe('https://login.microsoftonline.us/');
  });
});
