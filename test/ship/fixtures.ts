/**
 * Fixtures of the shipping e2e tests: a publish-settings file whose management certificate is a
 * real openssl RSA certificate signed by the test CA (so the loopback classic service accepts
 * it over mutual TLS).
 */
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImportJobServiceInput } from '../../src/importjob/factory.ts';
import type { TestPki } from '../fakes/certs.ts';
import { v1Xml } from '../publishsettings/fixtures.ts';

/** A management certificate and the secrets of it. */
export interface ManagementCertFixture {
  dir: string;
  certPem: string;
  keyPem: string;
  /** The base64 PKCS#12 as it appears in the file. */
  pfxBase64: string;
}

/** An RSA management certificate signed by the test CA, and its password-less PKCS#12. */
export async function makeManagementCert(pki: TestPki): Promise<ManagementCertFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-ps-'));
  const o = (args: string[]) => execa('openssl', args, { cwd: dir });
  await o([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'mgmt.key',
    '-out',
    'mgmt.csr',
    '-subj',
    '/CN=Windows Azure Tools',
  ]);
  await writeFile(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  await o([
    'x509',
    '-req',
    '-in',
    'mgmt.csr',
    '-CA',
    pki.caFile,
    '-CAkey',
    pki.caKeyFile,
    '-CAcreateserial',
    '-out',
    'mgmt.pem',
    '-days',
    '2',
    '-extfile',
    'client.ext',
  ]);
  // 3DES bags and a SHA-1 MAC, as the portal's files have (no legacy provider needed).
  await o([
    'pkcs12',
    '-export',
    '-certpbe',
    'PBE-SHA1-3DES',
    '-keypbe',
    'PBE-SHA1-3DES',
    '-macalg',
    'sha1',
    '-in',
    'mgmt.pem',
    '-inkey',
    'mgmt.key',
    '-passout',
    'pass:',
    '-out',
    'mgmt.pfx',
  ]);
  const pfxBase64 = (await readFile(path.join(dir, 'mgmt.pfx'))).toString('base64');
  return {
    dir,
    certPem: await readFile(path.join(dir, 'mgmt.pem'), 'utf8'),
    keyPem: await readFile(path.join(dir, 'mgmt.key'), 'utf8'),
    pfxBase64,
  };
}

/** Writes `<dir>/test.publishsettings` (schema v1) for `subscription` at `url`. */
export async function writePublishSettings(
  cert: ManagementCertFixture,
  subscription: string,
  url: string,
): Promise<string> {
  const file = path.join(cert.dir, 'test.publishsettings');
  await writeFile(file, v1Xml(cert.pfxBase64, [{ id: subscription, name: 'Pay-As-You-Go' }], url));
  return file;
}

/** Today as the child process sees it (local calendar date). */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The factory input of a classic service on the loopback fake, signed in with `cert`. */
export function classicServiceInput(
  url: string,
  subscription: string,
  cert: Pick<ManagementCertFixture, 'keyPem' | 'certPem'>,
  storageAccount: string,
): ImportJobServiceInput {
  return {
    service: 'classic',
    azure: { endpoint: url },
    job: { storageAccount },
    publishSettings: {
      id: subscription,
      serviceManagementUrl: url,
      certificate: { keyPem: cert.keyPem, certPem: cert.certPem },
    },
  };
}
