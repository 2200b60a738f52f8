/**
 * Real certificates for loopback TLS, made with the openssl binary: a test CA, a server
 * certificate for 127.0.0.1 / localhost, and management certificates (valid, expiring soon,
 * expired) packed into publish-settings files the way the portal does (password-less PKCS#12).
 */
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The files and PEM texts a test needs. */
export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await execa('openssl', args, { cwd, reject: false });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** Creates a CA and a server certificate for 127.0.0.1 and localhost. */
export async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-check-pki-'));
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      '/CN=diskprep test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=localhost',
    ],
    dir,
  );
  await writeFile(
    path.join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '30',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    caPem: await readFile(path.join(dir, 'ca.pem'), 'utf8'),
    serverKeyPem: await readFile(path.join(dir, 'server.key'), 'utf8'),
    serverCertPem: await readFile(path.join(dir, 'server.pem'), 'utf8'),
  };
}

/** Validity of a management certificate: days from now, or fixed UTC dates (YYYYMMDDHHMMSSZ). */
export type Validity = { days: number } | { start: string; end: string };

/**
 * Makes a self-signed management certificate and returns the base64 PKCS#12 (empty password)
 * as a publish-settings file holds it. Fixed dates use `openssl ca`, the one openssl 3.0 command
 * that can back-date a certificate.
 */
export async function makeManagementPfx(
  dir: string,
  name: string,
  validity: Validity,
): Promise<string> {
  const d = path.join(dir, name);
  await mkdir(d, { recursive: true });
  if ('days' in validity) {
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        String(validity.days),
        '-subj',
        `/CN=${name}`,
      ],
      d,
    );
  } else {
    await openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'req.csr',
        '-subj',
        `/CN=${name}`,
      ],
      d,
    );
    await mkdir(path.join(d, 'new'), { recursive: true });
    await writeFile(path.join(d, 'index.txt'), '');
    await writeFile(path.join(d, 'serial'), '01\n');
    await writeFile(
      path.join(d, 'ca.cnf'),
      [
        '[ca]',
        'default_ca=ca1',
        '[ca1]',
        'dir=.',
        'database=index.txt',
        'serial=serial',
        'new_certs_dir=new',
        'default_md=sha256',
        'policy=pol',
        'unique_subject=no',
        '[pol]',
        'commonName=supplied',
        '',
      ].join('\n'),
    );
    await openssl(
      [
        'ca',
        '-config',
        'ca.cnf',
        '-batch',
        '-selfsign',
        '-keyfile',
        'key.pem',
        '-in',
        'req.csr',
        '-out',
        'cert.pem',
        '-notext',
        '-startdate',
        validity.start,
        '-enddate',
        validity.end,
      ],
      d,
    );
  }
  await openssl(
    [
      'pkcs12',
      '-export',
      '-inkey',
      'key.pem',
      '-in',
      'cert.pem',
      '-out',
      'cert.pfx',
      '-passout',
      'pass:',
    ],
    d,
  );
  return (await readFile(path.join(d, 'cert.pfx'))).toString('base64');
}

/** Writes a schema-2.0 publish-settings file for one subscription. */
export async function writePublishSettings(
  file: string,
  sub: { id: string; name: string; url: string; pfxBase64: string },
): Promise<string> {
  await writeFile(
    file,
    `<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI">
    <Subscription ServiceManagementUrl="${sub.url}" Id="${sub.id}" Name="${sub.name}" ManagementCertificate="${sub.pfxBase64}" />
  </PublishProfile>
</PublishData>
`,
    { mode: 0o600 },
  );
  return file;
}
