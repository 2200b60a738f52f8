/**
 * Test PKI made with the real openssl: a CA, a server certificate for 127.0.0.1/localhost and a
 * client certificate (the "management certificate"), all signed by the CA.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** PEM material and the file paths it was written to. */
export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** A second client certificate from an unrelated CA (must be refused). */
  strangerKey: string;
  strangerCert: string;
}

async function ossl(dir: string, args: string[]): Promise<void> {
  await execa('openssl', args, { cwd: dir });
}

/** Generates the PKI in a temp dir (about 0.3 s with EC keys). */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await ossl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=diskprep test CA',
  ]);
  await writeFile(
    path.join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await writeFile(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, ext] of [
    ['server', 'server.ext'],
    ['client', 'client.ext'],
  ] as const) {
    await ossl(dir, [
      'req',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=diskprep test ${name}`,
    ]);
    await ossl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      ext,
    ]);
  }
  await ossl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'stranger.key',
    '-out',
    'stranger.pem',
    '-days',
    '2',
    '-subj',
    '/CN=stranger',
  ]);
  const r = (f: string) => readFile(path.join(dir, f), 'utf8');
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    caPem: await r('ca.pem'),
    serverKey: await r('server.key'),
    serverCert: await r('server.pem'),
    clientKey: await r('client.key'),
    clientCert: await r('client.pem'),
    strangerKey: await r('stranger.key'),
    strangerCert: await r('stranger.pem'),
  };
}
