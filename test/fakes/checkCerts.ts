/**
 * Real certificates for loopback TLS, made with the openssl binary: a test CA, a server
 * certificate for 127.0.0.1 / localhost, and management certificates (valid, expiring soon,
 * expired) packed into publish-settings files the way the portal does (password-less PKCS#12).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  caSignedCert,
  exportPfx,
  selfSignedCert,
  SERVER_EXTENSIONS,
  type Validity,
} from '../helpers/certs.ts';

export type { Validity } from '../helpers/certs.ts';

/** The files and PEM texts a test needs. */
export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
}

/** Creates a CA and a server certificate for 127.0.0.1 and localhost (RSA, 30 days). */
export async function makePki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-check-pki-'));
  const ca = await selfSignedCert(dir, 'ca', {
    cn: 'diskprep test CA',
    validity: { days: 30 },
    ca: true,
  });
  const server = await caSignedCert(dir, 'server', {
    cn: 'localhost',
    ca,
    extensions: SERVER_EXTENSIONS,
    days: 30,
  });
  return {
    dir,
    caFile: ca.certFile,
    caPem: await readFile(ca.certFile, 'utf8'),
    serverKeyPem: await readFile(server.keyFile, 'utf8'),
    serverCertPem: await readFile(server.certFile, 'utf8'),
  };
}

/**
 * Makes a self-signed management certificate (CN = `name`) and returns the base64 PKCS#12
 * (empty password) as a publish-settings file holds it.
 */
export async function makeManagementPfx(
  dir: string,
  name: string,
  validity: Validity,
): Promise<string> {
  const files = await selfSignedCert(dir, name, { cn: name, validity });
  return exportPfx(files, path.join(dir, `${name}.pfx`));
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
