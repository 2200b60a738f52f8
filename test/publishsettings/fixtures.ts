/**
 * Publish settings fixtures made on the spot with the real openssl (3.0): certificates,
 * PKCS#12 files in every encryption Azure ever used, and v1 / v2.0 XML around them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';
import { exportPfx, openssl, selfSignedCert } from '../helpers/certs.ts';

/** A certificate and key made by openssl, plus what openssl says about it. */
export interface TestCert {
  keyFile: string;
  certFile: string;
  certPem: string;
  /** openssl's SHA-1 fingerprint, uppercase hex without colons. */
  fingerprint: string;
  /** openssl's notAfter. */
  notAfter: Date;
}

async function describeCert(keyFile: string, certFile: string): Promise<TestCert> {
  const fp = await openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha1']);
  const end = await openssl(['x509', '-in', certFile, '-noout', '-enddate']);
  return {
    keyFile,
    certFile,
    certPem: await readFile(certFile, 'utf8'),
    fingerprint: fp.split('=')[1]!.replace(/:/g, '').trim().toUpperCase(),
    notAfter: new Date(end.split('=')[1]!.trim()),
  };
}

/** `openssl req -x509 -newkey rsa:2048`: a self-signed certificate valid for `days`. */
export async function makeCert(
  dir: string,
  name: string,
  cn: string,
  days = 365,
): Promise<TestCert> {
  const f = await selfSignedCert(dir, name, { cn, validity: { days } });
  return describeCert(f.keyFile, f.certFile);
}

/**
 * An already-expired self-signed certificate (2020-01-01 to 2021-01-01): OpenSSL 3.0's `req`
 * cannot backdate, `openssl ca -selfsign` can.
 */
export async function makeExpiredCert(dir: string, name: string, cn: string): Promise<TestCert> {
  const f = await selfSignedCert(dir, name, {
    cn,
    validity: { start: '20200101000000Z', end: '20210101000000Z' },
  });
  return describeCert(f.keyFile, f.certFile);
}

/** How the PKCS#12 is protected. */
export type PfxKind =
  /** OpenSSL 3 default: AES-256-CBC + PBKDF2, HMAC-SHA256 MAC. */
  | 'modern'
  /** `-legacy`: RC2-40 certificate bag, 3DES key bag, SHA-1 MAC (what Azure handed out). */
  | 'legacy'
  /** `-legacy -certpbe PBE-SHA1-RC2-40 -keypbe PBE-SHA1-3DES`, spelled out. */
  | 'rc2-3des'
  /** 3DES for both bags (no legacy provider needed). */
  | '3des'
  /** A real password: publish settings never have one. */
  | 'password'
  /** Empty password as zero bytes (not the BMP "\0\0"), made with node-forge. */
  | 'null-password';

/** `openssl pkcs12 -export ... -passout pass:`: the base64 of the PFX. */
export async function makePfx(dir: string, cert: TestCert, kind: PfxKind): Promise<string> {
  if (kind === 'null-password') {
    const key = forge.pki.privateKeyFromPem(await readFile(cert.keyFile, 'utf8'));
    const c = forge.pki.certificateFromPem(cert.certPem);
    // password null: bags unencrypted, MAC keyed with a zero-length password.
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, c, null, { algorithm: '3des' });
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary').toString('base64');
  }
  const out = path.join(dir, `${path.basename(cert.certFile, '.cert.pem')}-${kind}.pfx`);
  const extra: Record<Exclude<PfxKind, 'null-password'>, string[]> = {
    modern: [],
    legacy: ['-legacy'],
    'rc2-3des': ['-legacy', '-certpbe', 'PBE-SHA1-RC2-40', '-keypbe', 'PBE-SHA1-3DES'],
    '3des': ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    password: [],
  };
  return exportPfx(cert, out, extra[kind], kind === 'password' ? 's3cret-pw' : '');
}

/** One `<Subscription>`. */
export interface SubSpec {
  id: string;
  name: string;
  url?: string;
  cert?: string;
}

function attrs(a: Record<string, string | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${v!.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    .join(' ');
}

/** Schema v1: Url and ManagementCertificate on the profile. */
export function v1Xml(
  cert: string,
  subs: SubSpec[],
  url = 'https://management.core.windows.net/',
): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile PublishMethod="AzureServiceManagementAPI" ${attrs({ Url: url, ManagementCertificate: cert })}>
${subs.map((s) => `    <Subscription ${attrs({ Id: s.id, Name: s.name })} />`).join('\n')}
  </PublishProfile>
</PublishData>
`;
}

/** Schema v2.0: endpoint and certificate per subscription (profile-level ones optional). */
export function v2Xml(subs: SubSpec[], profile: { url?: string; cert?: string } = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<PublishData>
  <PublishProfile SchemaVersion="2.0" PublishMethod="AzureServiceManagementAPI" ${attrs({ Url: profile.url, ManagementCertificate: profile.cert })}>
${subs.map((s) => `    <Subscription ${attrs({ ServiceManagementUrl: s.url, Id: s.id, Name: s.name, ManagementCertificate: s.cert })} />`).join('\n')}
  </PublishProfile>
</PublishData>
`;
}

/** A Web Deploy publish profile (what an App Service "Get publish profile" downloads). */
export const WEB_DEPLOY_XML = `<publishData><publishProfile profileName="mysite - Web Deploy" publishMethod="MSDeploy" publishUrl="mysite.scm.azurewebsites.net:443" msdeploySite="mysite" userName="$mysite" userPWD="p4ssw0rdp4ssw0rd" destinationAppUrl="http://mysite.azurewebsites.net" SQLServerDBConnectionString="" mySQLDBConnectionString="" hostingProviderForumLink="" controlPanelLink="http://windows.azure.com" webSystem="WebSites"><databases /></publishProfile><publishProfile profileName="mysite - FTP" publishMethod="FTP" publishUrl="ftp://waws-prod.ftp.azurewebsites.windows.net/site/wwwroot" ftpPassiveMode="True" userName="mysite\\$mysite" userPWD="p4ssw0rdp4ssw0rd" /></publishData>`;

/** Subscription ids used by the tests. */
export const SUB_A = '8a4a0a51-728e-482e-8daa-c477f03c541d';
export const SUB_B = '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';
export const SUB_C = '00000000-1111-4222-8333-444455556666';
export const SUB_D = 'abcdefab-cdef-4abc-8def-abcdefabcdef';
