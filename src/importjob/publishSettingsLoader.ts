/**
 * A small publish-settings reader for `status` until the full parser lands (the lead swaps it in
 * through {@link PublishSettingsLoader}). Reads schema 1.0 and 2.0 files, picks the subscription
 * by id or name (default: the only one), and turns the password-less PKCS#12 management
 * certificate into PEM with node-forge (pure JS: OpenSSL 3 refuses the legacy RC2-40 PFX).
 */
import forge from 'node-forge';
import { XMLParser } from 'fast-xml-parser';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import type { PublishSettingsSubscription } from './factory.ts';

/** Loads the subscription a command needs from a publish-settings file. */
export type PublishSettingsLoader = (
  deps: Pick<Deps, 'fs' | 'redactor'>,
  file: string,
  subscription: string | undefined,
) => Promise<PublishSettingsSubscription>;

const asArray = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** PEM key + certificate out of a base64 PKCS#12 without password. */
export function pfxToPem(base64: string): { keyPem: string; certPem: string; thumbprint: string } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(base64)), '');
  const oids = forge.pki.oids as Record<string, string>;
  const bag = (type: string) => p12.getBags({ bagType: type })[type]?.[0];
  const keyBag = bag(oids.pkcs8ShroudedKeyBag!) ?? bag(oids.keyBag!);
  const certBag = bag(oids.certBag!);
  if (!keyBag?.key || !certBag?.cert) throw new Error('no key or certificate in the PKCS#12');
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(certBag.cert)).getBytes();
  const thumbprint = forge.md.sha1.create().update(der).digest().toHex().toUpperCase();
  return {
    keyPem: forge.pki.privateKeyToPem(keyBag.key),
    certPem: forge.pki.certificateToPem(certBag.cert),
    thumbprint,
  };
}

/** The built-in loader. */
export const loadPublishSettings: PublishSettingsLoader = async (deps, file, wanted) => {
  let text: string;
  try {
    text = await deps.fs.readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read publish settings ${file}`, {
      hint: 'give the path of the .publishsettings file (p:<file>)',
    });
  }
  const bad = () =>
    new UsageError(`${file} is not an Azure publish-settings file`, {
      hint: 'download it from the portal (PublishingProfileBlade); a Web App publish profile is a different file',
    });
  let doc: {
    PublishData?: { PublishProfile?: Record<string, unknown> | Record<string, unknown>[] };
  };
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      text,
    ) as typeof doc;
  } catch {
    throw bad();
  }
  const profile = asArray(doc.PublishData?.PublishProfile)[0];
  if (!profile) throw bad();
  const subs = asArray(
    profile.Subscription as Record<string, string> | Record<string, string>[] | undefined,
  );
  if (subs.length === 0) throw bad();
  const sub = wanted
    ? subs.find((s) => s.Id?.toLowerCase() === wanted.toLowerCase() || s.Name === wanted)
    : subs.length === 1
      ? subs[0]
      : undefined;
  if (!sub)
    throw new UsageError(
      wanted
        ? `subscription ${wanted} is not in ${file}`
        : `${file} holds ${subs.length} subscriptions`,
      {
        hint: `pass --subscription with one of: ${subs.map((s) => `${s.Id} (${s.Name})`).join(', ')}`,
      },
    );
  const certB64 =
    sub.ManagementCertificate ?? (profile.ManagementCertificate as string | undefined);
  const url =
    sub.ServiceManagementUrl ??
    (profile.Url as string | undefined) ??
    'https://management.core.windows.net/';
  if (!certB64 || !sub.Id) throw bad();
  deps.redactor.add(certB64);
  let pem;
  try {
    pem = pfxToPem(certB64);
  } catch {
    throw new UsageError(`the management certificate in ${file} cannot be read`, {
      hint: 'download a new publish-settings file',
    });
  }
  deps.redactor.add(pem.keyPem);
  return { id: sub.Id, name: sub.Name, serviceManagementUrl: url, certificate: pem };
};
