/**
 * The built binary: `diskprep check ... --json` against loopback fakes with real TLS
 * (`--ca-file`), through a real CONNECT proxy with credentials, as root and as a real non-root
 * user.
 */
import { execa } from 'execa';
import { chmod, mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeManagementCertificate } from '../../src/publishsettings/certificate.ts';
import { startFakeAzure, type FakeAzure } from '../fakes/checkAzureServer.ts';
import {
  makeManagementPfx,
  makePki,
  writePublishSettings,
  type TestPki,
} from '../fakes/checkCerts.ts';
import { startConnectProxy, type ConnectProxy } from '../fakes/connectProxy.ts';
import { CHECK_DATA, checkJob, databoxStaging } from '../check/helpers.ts';
import { makeStaging } from '../helpers/staging.ts';
import { BIN, runCli } from '../helpers/cli.ts';

const SUB = '11111111-2222-3333-4444-555555555555';
const TOKEN = 'e2e-token-abcdef012345';
let pki: TestPki;
let azure: FakeAzure;
let proxy: ConnectProxy;

interface JsonReport {
  ok: boolean;
  checks: {
    id: string;
    title: string;
    status: string;
    detail: string;
    fix: string | null;
    data?: Record<string, unknown>;
  }[];
  proxy: { url: string | null; source: string; hosts: { host: string; via: string }[] };
  operations?: Record<string, boolean>;
}

beforeAll(async () => {
  pki = await makePki();
  azure = await startFakeAzure(
    { keyPem: pki.serverKeyPem, certPem: pki.serverCertPem },
    { subscriptionId: SUB, token: TOKEN },
  );
  proxy = await startConnectProxy({ auth: { user: 'alice', pass: 'pr0xy-s3cret' } });
});
afterAll(async () => {
  await proxy?.close();
  await azure?.close();
});

describe('diskprep check (built binary)', () => {
  it('databox job through an authenticating proxy: exit 0, every Azure call tunnelled, password redacted', async () => {
    const staging = databoxStaging(SUB);
    const tunnels = proxy.tunnels.length;
    const seen = azure.requests.length;
    const r = await runCli(
      [
        'check',
        `s:${staging}`,
        '--json',
        '--arm-endpoint',
        azure.url,
        '--blob-endpoint',
        azure.url,
        '--ca-file',
        pki.caFile,
        '--country',
        'US',
        '--proxy',
        `http://alice:pr0xy-s3cret@127.0.0.1:${proxy.port}`,
      ],
      {
        env: {
          DISKPREP_ACCESS_TOKEN: TOKEN,
          AZURE_AUTHORITY_HOST: azure.url,
          PATH: process.env.PATH,
        },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.ok).toBe(true);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId.elevation!.status).toBe('ok');
    expect(byId['tool:dislocker']!.status).toBe('ok');
    expect(byId['data-size']!.data).toEqual({ files: 2, bytes: 4101 });
    expect(byId.subscription!.status).toBe('ok');
    expect(byId.provider!.status).toBe('ok');
    expect(byId.sku!.status).toBe('ok');
    expect(report.operations).toEqual({ createJob: true, updateShipping: true, readStatus: true });
    expect(report.proxy.url).toBe(`http://alice:***@127.0.0.1:${proxy.port}`);
    // 3 probes (login, ARM, blob) + ARM calls and the blob call over undici's tunnels.
    expect(proxy.tunnels.length - tunnels).toBeGreaterThanOrEqual(4);
    expect(new Set(proxy.tunnels.slice(tunnels))).toEqual(new Set([`127.0.0.1:${azure.port}`]));
    expect(azure.requests.length - seen).toBe(4);
    expect(r.stdout + r.stderr).not.toContain('pr0xy-s3cret');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('classic with an expired certificate (openssl, back-dated): ✗ with the fix, exit 1', async () => {
    const staging = makeStaging([checkJob({ service: 'classic', data: 'data' })], CHECK_DATA);
    const pfx = await makeManagementPfx(pki.dir, 'expired', {
      start: '20240101000000Z',
      end: '20250101000000Z',
    });
    const file = await writePublishSettings(path.join(staging, 'old.publishsettings'), {
      id: SUB,
      name: 'Old',
      url: 'https://management.core.windows.net',
      pfxBase64: pfx,
    });
    const r = await runCli(
      [
        'check',
        `s:${staging}`,
        `p:${file}`,
        '--endpoint',
        azure.url,
        '--blob-endpoint',
        azure.url,
        '--ca-file',
        pki.caFile,
      ],
      { env: { PATH: process.env.PATH } },
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^✗ management certificate: expired on 2025-01-01 \(CN=expired/m);
    expect(r.stdout).toMatch(/^ {4}fix: download a new publish-settings file/m);
    // The PKCS#12 never reaches the output.
    expect(r.stdout + r.stderr).not.toContain(pfx.slice(0, 40));
  });

  it('a certificate expiring in 10 days: ⚠ with the days left, exit 0', async () => {
    const staging = makeStaging([checkJob({ service: 'classic', data: 'data' })], CHECK_DATA);
    const pfx = await makeManagementPfx(pki.dir, 'soon', { days: 10 });
    azure.state.thumbprint = decodeManagementCertificate(pfx, 'the test PFX').thumbprint;
    const file = await writePublishSettings(path.join(staging, 'soon.publishsettings'), {
      id: SUB,
      name: 'Soon',
      url: azure.url,
      pfxBase64: pfx,
    });
    const r = await runCli(
      [
        'check',
        `s:${staging}`,
        `p:${file}`,
        '--blob-endpoint',
        azure.url,
        '--ca-file',
        pki.caFile,
        '--json',
      ],
      { env: { PATH: process.env.PATH } },
    );
    const report = JSON.parse(r.stdout) as JsonReport;
    const cert = report.checks.find((c) => c.id === 'certificate')!;
    expect(cert.status).toBe('warn');
    expect(cert.detail).toMatch(/^expires in (9|10) days/);
    expect(report.checks.find((c) => c.id === 'subscription')!.status).toBe('ok');
    expect(r.exitCode).toBe(0);
    // The retired service: a ⚠ line in the report, one warning on stderr, stdout one document.
    expect(report.checks.find((c) => c.id === 'service-retired')).toMatchObject({
      status: 'warn',
      detail:
        'classic: the classic Azure Import/Export service (publish settings) was retired on 2024-08-31',
      fix: 'use --service databox (Microsoft.DataBox customer-disk jobs) for new jobs',
      data: { service: 'classic', retiredOn: '2024-08-31' },
    });
    expect(r.stderr.match(/retired on 2024-08-31/g)).toHaveLength(1);
  });

  it('a PATH without dislocker: ✗ naming the Debian package, exit 1', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-e2e-path-'));
    for (const t of ['lsblk', 'ntfs-3g', 'cryptsetup', 'mkntfs', 'blkid']) {
      const real = (await execa('sh', ['-c', `command -v ${t}`])).stdout.trim();
      await symlink(real, path.join(dir, t));
    }
    const r = await runCli(['check', '--service', 'offline'], { env: { PATH: dir } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /^✗ dislocker \(unlocks BitLocker drives\): dislocker is not on PATH\n {4}fix: install it: sudo apt-get install dislocker$/m,
    );
    expect(r.stdout).toMatch(/^– connectivity: offline job: diskprep makes no Azure call$/m);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'as a real non-root user (setpriv --reuid=nobody): not elevated, staging chmod 000 unreadable, exit 1',
    async () => {
      const staging = makeStaging([checkJob({ service: 'offline', data: 'data' })], CHECK_DATA);
      await chmod(path.dirname(staging), 0o1777);
      await chmod(staging, 0o000);
      try {
        const r = await execa(
          'setpriv',
          [
            '--reuid=nobody',
            '--regid=nogroup',
            '--clear-groups',
            process.execPath,
            BIN,
            'check',
            `s:${staging}`,
            '--json',
          ],
          {
            reject: false,
            env: { NO_COLOR: '1', PATH: process.env.PATH, HOME: '/tmp' },
            extendEnv: false,
          },
        );
        expect(r.exitCode).toBe(1);
        const report = JSON.parse(r.stdout) as JsonReport;
        const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
        expect(byId.elevation!.status).toBe('fail');
        expect(byId.elevation!.detail).toContain('uid 65534');
        expect(byId.staging!.status).toBe('fail');
        expect(byId.staging!.detail).toContain('EACCES');
        expect(byId['data-size']!.status).toBe('skip');
      } finally {
        await chmod(staging, 0o755);
      }
    },
  );
});
