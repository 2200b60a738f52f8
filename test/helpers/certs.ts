/**
 * Certificates for tests, made with the real openssl binary (3.0): self-signed certificates
 * valid for some days or between fixed dates, CAs, certificates a CA signs (server, client),
 * and password-less PKCS#12 files. The fakes' PKIs (test/fakes/certs.ts, checkCerts.ts) and the
 * publish settings fixtures build on these.
 */
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Key algorithm: RSA 2048 (what Azure's management certificates use) or EC P-256 (fast). */
export type KeyKind = 'rsa' | 'ec';

/** Validity: days from now, or fixed UTC dates (`YYYYMMDDHHMMSSZ`, may lie in the past). */
export type Validity = { days: number } | { start: string; end: string };

/** A key and certificate written by openssl. */
export interface CertFiles {
  keyFile: string;
  certFile: string;
}

/** Runs openssl; a failure throws with its stderr. Returns stdout. */
export async function openssl(args: readonly string[], cwd?: string): Promise<string> {
  const r = await execa('openssl', args, { ...(cwd ? { cwd } : {}), reject: false });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function newKeyArgs(key: KeyKind): string[] {
  return key === 'ec'
    ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    : ['-newkey', 'rsa:2048', '-nodes'];
}

const CA_EXTENSIONS = [
  '-addext',
  'basicConstraints=critical,CA:TRUE',
  '-addext',
  'keyUsage=critical,keyCertSign,cRLSign',
];

/**
 * A self-signed certificate `<dir>/<name>.cert.pem` with its key `<dir>/<name>.key.pem`.
 * Fixed dates go through `openssl ca -selfsign`, the one openssl 3.0 command that can back-date
 * a certificate (`req -x509` cannot).
 *
 * @param options.ca - mark it as a CA (basicConstraints CA:TRUE, keyCertSign)
 */
export async function selfSignedCert(
  dir: string,
  name: string,
  options: { cn: string; validity: Validity; key?: KeyKind; ca?: boolean },
): Promise<CertFiles> {
  const keyFile = path.resolve(dir, `${name}.key.pem`);
  const certFile = path.resolve(dir, `${name}.cert.pem`);
  const key = newKeyArgs(options.key ?? 'rsa');
  const subj = ['-subj', `/CN=${options.cn}`];
  if ('days' in options.validity) {
    await openssl([
      'req',
      '-x509',
      ...key,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(options.validity.days),
      ...subj,
      ...(options.ca ? CA_EXTENSIONS : []),
    ]);
    return { keyFile, certFile };
  }
  // A throw-away `openssl ca` set-up beside the files.
  const caDir = path.join(dir, `${name}-ca`);
  await mkdir(path.join(caDir, 'new'), { recursive: true });
  await writeFile(path.join(caDir, 'index.txt'), '');
  await writeFile(path.join(caDir, 'serial'), '1000\n');
  await writeFile(
    path.join(caDir, 'ca.cnf'),
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
  await openssl(['req', '-new', ...key, '-keyout', keyFile, '-out', 'req.csr', ...subj], caDir);
  await openssl(
    [
      'ca',
      '-config',
      'ca.cnf',
      '-batch',
      '-notext',
      '-selfsign',
      '-keyfile',
      keyFile,
      '-in',
      'req.csr',
      '-out',
      certFile,
      '-startdate',
      options.validity.start,
      '-enddate',
      options.validity.end,
    ],
    caDir,
  );
  return { keyFile, certFile };
}

/** Extensions of a server certificate for the loopback fakes. */
export const SERVER_EXTENSIONS =
  'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
/** Extensions of a client (mutual TLS) certificate. */
export const CLIENT_EXTENSIONS = 'extendedKeyUsage=clientAuth\n';

/** A certificate `<dir>/<name>.cert.pem` signed by `ca`, with `extensions` (openssl syntax). */
export async function caSignedCert(
  dir: string,
  name: string,
  options: { cn: string; ca: CertFiles; extensions: string; days: number; key?: KeyKind },
): Promise<CertFiles> {
  const keyFile = path.join(dir, `${name}.key.pem`);
  const certFile = path.join(dir, `${name}.cert.pem`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  await writeFile(ext, options.extensions);
  await openssl([
    'req',
    '-new',
    ...newKeyArgs(options.key ?? 'rsa'),
    '-keyout',
    keyFile,
    '-out',
    csr,
    '-subj',
    `/CN=${options.cn}`,
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    options.ca.certFile,
    '-CAkey',
    options.ca.keyFile,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    String(options.days),
    '-extfile',
    ext,
  ]);
  return { keyFile, certFile };
}

/**
 * `openssl pkcs12 -export` of a key and certificate into `out`: the base64 of the PFX, as a
 * publish settings file holds it.
 *
 * @param extra - encryption options (`-legacy`, `-certpbe ...`)
 * @param password - the export password (publish settings use none)
 */
export async function exportPfx(
  files: CertFiles,
  out: string,
  extra: readonly string[] = [],
  password = '',
): Promise<string> {
  await openssl([
    'pkcs12',
    '-export',
    ...extra,
    '-inkey',
    files.keyFile,
    '-in',
    files.certFile,
    '-out',
    out,
    '-passout',
    `pass:${password}`,
  ]);
  return (await readFile(out)).toString('base64');
}
