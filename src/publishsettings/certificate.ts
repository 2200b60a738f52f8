/**
 * The management certificate of a publish settings file: base64 of a PKCS#12 (PFX) holding
 * the certificate and its RSA private key, "without a password".
 *
 * Decoded with node-forge (pure JS) rather than OpenSSL, because the files Azure handed out
 * for years protect the bags with pbeWithSHAAnd40BitRC2-CBC / 3DES, which OpenSSL 3 (and so
 * Node >= 17) refuses unless its legacy provider is loaded (nodejs/node#40672). The result is
 * PEM, handed to Node's TLS as `{key, cert}`; Node's own X509Certificate reads the facts.
 */
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { UsageError } from '../errors.ts';

/** A decoded management certificate. `keyPem` is a secret. */
export interface ManagementCertificate {
  /** Private key, PKCS#8 PEM. Never print it. */
  keyPem: string;
  /** Certificate, PEM. */
  certPem: string;
  /** SHA-1 of the certificate's DER, uppercase hex: what the portal lists. */
  thumbprint: string;
  /** Subject, e.g. `CN=Windows Azure Tools`. */
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

/** Why a PKCS#12 did not open: the reason decides the message. */
export class Pkcs12Failure extends Error {
  readonly reason: 'password' | 'format' | 'no-certificate' | 'no-key' | 'mismatch';
  constructor(reason: Pkcs12Failure['reason'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Decodes a base64 PKCS#12 into PEM key + certificate.
 *
 * @param base64 - the `ManagementCertificate` attribute (whitespace is ignored)
 * @param where - what to name in errors, e.g. `subscription "Pay-As-You-Go" in my.publishsettings`
 * @throws UsageError when the text is not base64, not a PKCS#12, password-protected, or holds
 *   no matching certificate and private key
 */
export function decodeManagementCertificate(base64: string, where: string): ManagementCertificate {
  const b64 = base64.replace(/\s+/g, '');
  const fix = 'download a fresh publish settings file (see diskprep settings --help)';
  if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new UsageError(`the management certificate of ${where} is not valid base64`, {
      hint: fix,
      code: 'ERR_DISKPREP_PUBLISH_SETTINGS',
    });
  }
  const der = Buffer.from(b64, 'base64');
  let pair: PfxPair;
  try {
    pair = decodePfx(der);
  } catch (err) {
    if (!(err instanceof Pkcs12Failure)) throw err;
    throw new UsageError(
      {
        password: `the management certificate of ${where} is protected by a password (publish settings certificates never are)`,
        format: `the management certificate of ${where} is not a PKCS#12 (PFX) certificate`,
        'no-certificate': `the management certificate of ${where} holds no certificate`,
        'no-key': `the management certificate of ${where} holds no private key`,
        mismatch: `the management certificate of ${where} holds a private key that matches none of its certificates`,
      }[err.reason],
      { hint: fix, code: 'ERR_DISKPREP_PUBLISH_SETTINGS', cause: err },
    );
  }
  const { cert } = pair;
  return {
    keyPem: pair.keyPem,
    certPem: pair.certPem,
    thumbprint: createHash('sha1').update(cert.raw).digest('hex').toUpperCase(),
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** A certificate and its private key out of a PFX. `keyPem` is a secret. */
export interface PfxPair {
  /** Private key, PKCS#8 PEM, unencrypted: keep it in memory, never write or print it. */
  keyPem: string;
  certPem: string;
  cert: X509Certificate;
}

/**
 * Opens a PKCS#12 (PFX) in memory: the certificate whose private key it holds, both as PEM.
 *
 * @param password - the PFX's password; undefined tries both encodings of "no password"
 * @throws Pkcs12Failure naming why (wrong password, not a PFX, no certificate, no key, no match)
 */
export function decodePfx(der: Buffer, password?: string): PfxPair {
  const p12 = openPkcs12(der, password === undefined ? ['', null] : [password]);
  const keys = keysOf(p12);
  const certs = certsOf(p12);
  if (certs.length === 0) throw new Pkcs12Failure('no-certificate', 'no certificate');
  if (keys.length === 0) throw new Pkcs12Failure('no-key', 'no private key');
  // A PFX may carry a chain: the certificate is the one whose key is present.
  for (const cert of certs) {
    const key = keys.find((k) => cert.checkPrivateKey(k));
    if (key)
      return {
        keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
        certPem: cert.toString(),
        cert,
      };
  }
  throw new Pkcs12Failure('mismatch', 'the private key matches no certificate');
}

/**
 * Opens a PKCS#12 with the first of `passwords` that works. "No password" has two encodings:
 * the BMP string "\0\0" (what Windows writes; forge's `''`) and zero bytes (forge's `null`);
 * OpenSSL's PKCS12_parse tries both, so do we.
 */
function openPkcs12(der: Buffer, passwords: readonly (string | null)[]): forge.pkcs12.Pkcs12Pfx {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
  } catch (err) {
    throw new Pkcs12Failure('format', 'not DER', { cause: err });
  }
  const failures: string[] = [];
  for (const password of passwords) {
    try {
      // forge's typings omit null, which its key derivation reads as "zero-length password".
      const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password as string);
      if (keysOf(p12).length > 0 || certsOf(p12).length > 0) return p12;
      failures.push('empty');
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  const wrongPassword = failures.some((f) => /password|MAC could not be verified/i.test(f));
  throw new Pkcs12Failure(
    wrongPassword ? 'password' : 'format',
    wrongPassword ? 'password required' : failures.join('; '),
  );
}

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, type: string): forge.pkcs12.Bag[] {
  return p12.getBags({ bagType: type })[type] ?? [];
}

/** Every private key of the PFX as a Node KeyObject (RSA via forge, others from their ASN.1). */
function keysOf(p12: forge.pkcs12.Pkcs12Pfx): KeyObject[] {
  const bags = [
    ...bagsOf(p12, forge.pki.oids.pkcs8ShroudedKeyBag!),
    ...bagsOf(p12, forge.pki.oids.keyBag!),
  ];
  const keys: KeyObject[] = [];
  for (const bag of bags) {
    let info: forge.asn1.Asn1 | undefined;
    if (bag.key) {
      info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key));
    } else if (bag.asn1) {
      info = bag.asn1;
    }
    if (!info) continue;
    const der = Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
    try {
      keys.push(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    } catch {
      // A key Node cannot read cannot authenticate either; the caller reports "no key".
    }
  }
  return keys;
}

/** Every X.509 certificate of the PFX, byte-exact (the thumbprint hashes these bytes). */
function certsOf(p12: forge.pkcs12.Pkcs12Pfx): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const bag of bagsOf(p12, forge.pki.oids.certBag!)) {
    // forge keeps the parsed TBSCertificate, so re-encoding reproduces the original DER.
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    if (!asn1) continue;
    try {
      certs.push(new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')));
    } catch {
      // Not X.509: skipped, like any other bag that is not the management certificate.
    }
  }
  return certs;
}
