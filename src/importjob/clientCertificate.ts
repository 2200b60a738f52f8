/**
 * The client certificate of an Entra ID application (what Azure Backup's offline-seeding
 * application signs in with): `--client-certificate` (else `AZURE_CLIENT_CERTIFICATE_PATH`), a
 * PEM holding the certificate and its private key, or a PFX. The file is read once, as a bounded
 * regular file; a PFX is opened in memory (node-forge) and handed to @azure/identity as PEM, so
 * the private key is never written anywhere. The password and the key go to the redactor.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { readBoundedFile } from '../fsutil/readBoundedFile.ts';
import type { AzureOptions } from '../model/importJob.ts';
import { decodePfx, Pkcs12Failure } from '../publishsettings/certificate.ts';

/** A certificate sign-in, resolved from the flags (which win) and the environment. */
export interface CertificateSignIn {
  tenant: string;
  clientId: string;
  /** The file, as given. */
  file: string;
  password?: string | undefined;
}

/** What @azure/identity's ClientCertificateCredential takes: PEM text, never a path. */
export interface CertificateMaterial {
  /** Certificate and private key, PEM. A secret. */
  pem: string;
  /** For a PEM whose private key is encrypted. */
  password?: string | undefined;
}

const CERT_FILE = {
  what: 'client certificate',
  maxBytes: 1024 * 1024,
  hint: 'give a PEM (certificate and private key) or a PFX file',
} as const;

/**
 * The certificate sign-in the options and environment ask for, or undefined when none does.
 * `--tenant`, `--client-id`, `--client-certificate` and `--client-certificate-password` win
 * over `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_CERTIFICATE_PATH` and
 * `AZURE_CLIENT_CERTIFICATE_PASSWORD`.
 *
 * @throws UsageError when a certificate is named without its tenant or client id, or the
 *   password flag is given without a certificate
 */
export function certificateSignIn(
  azure: AzureOptions,
  env: Deps['env'],
): CertificateSignIn | undefined {
  const file = azure.clientCertificate ?? (env.AZURE_CLIENT_CERTIFICATE_PATH || undefined);
  if (!file) {
    // --client-id alone names the application of an interactive sign-in (--login).
    if (azure.clientCertificatePassword !== undefined)
      throw new UsageError('--client-certificate-password needs --client-certificate <file>', {
        hint: 'sign in with --tenant <id> --client-id <app id> --client-certificate <pem|pfx>',
      });
    return undefined;
  }
  const tenant = azure.tenant ?? (env.AZURE_TENANT_ID || undefined);
  const clientId = azure.clientId ?? (env.AZURE_CLIENT_ID || undefined);
  if (!tenant || !clientId)
    throw new UsageError(
      `the client certificate ${file} needs ${!tenant ? '--tenant <id> (or AZURE_TENANT_ID)' : '--client-id <app id> (or AZURE_CLIENT_ID)'}`,
      {
        hint: 'pass --tenant <directory id> --client-id <application id> with --client-certificate',
      },
    );
  const password =
    azure.clientCertificatePassword ?? (env.AZURE_CLIENT_CERTIFICATE_PASSWORD || undefined);
  return { tenant, clientId, file, password };
}

/**
 * Reads the certificate file: PEM as it is, a PFX opened with its password into PEM.
 *
 * @throws UsageError (exit 2) for a missing, oversized or irregular file, a PEM without its
 *   private key, or a PFX that does not open (wrong password, not a PFX, no key)
 */
export async function readCertificate(
  deps: Pick<Deps, 'fs' | 'cwd' | 'redactor'>,
  signIn: CertificateSignIn,
): Promise<CertificateMaterial> {
  const { file, password } = signIn;
  if (password) deps.redactor.add(password);
  const bytes = await readBoundedFile(deps.fs, path.resolve(deps.cwd, file), CERT_FILE);
  if (!bytes)
    throw new UsageError(`client certificate ${file} not found`, { hint: 'check the path' });
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) {
    if (!/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text))
      throw new UsageError(`client certificate ${file} holds no private key`, {
        hint: 'give the PEM with both the certificate and its private key, or the PFX',
      });
    const pem = bytes.toString('utf8');
    redactKeys(deps, pem);
    return { pem, password };
  }
  try {
    const pair = decodePfx(bytes, password);
    redactKeys(deps, pair.keyPem);
    return { pem: `${pair.certPem.trim()}\n${pair.keyPem.trim()}\n` };
  } catch (err) {
    if (!(err instanceof Pkcs12Failure)) throw err;
    throw new UsageError(
      err.reason === 'password'
        ? `client certificate ${file}: the PFX password is ${password ? 'wrong' : 'missing'}`
        : err.reason === 'format'
          ? `client certificate ${file} is neither PEM nor a PFX`
          : `client certificate ${file}: ${err.message}`,
      {
        hint:
          err.reason === 'password'
            ? 'pass --client-certificate-password (or AZURE_CLIENT_CERTIFICATE_PASSWORD)'
            : CERT_FILE.hint,
        ...(err.reason === 'password' ? {} : { cause: err }),
      },
    );
  }
}

/** Every base64 line of a private key block goes to the redactor, so no fragment can show. */
function redactKeys(deps: Pick<Deps, 'redactor'>, pem: string): void {
  for (const block of pem.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/g)) {
    for (const line of block[1]!.split(/\r?\n/))
      if (line.trim().length >= 16) deps.redactor.add(line.trim());
  }
}
