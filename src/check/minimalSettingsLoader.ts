/**
 * A minimal publish-settings reader for `diskprep check` (schema 1.0 and 2.0), kept behind
 * {@link SettingsLoader} in this one file: src/publishsettings is the full parser and replaces
 * this at merge. The management certificate is a password-less PKCS#12; node-forge reads it in
 * pure JS because OpenSSL 3 refuses the RC2-40 encryption old portals used.
 */
import { XMLParser } from 'fast-xml-parser';
import forge from 'node-forge';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import type { ManagementCertificate, PublishSettings, SettingsLoader } from './types.ts';

type Attrs = Record<string, string | undefined>;

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Reads the certificate and key out of a base64 PKCS#12 with an empty password. */
export function readManagementCertificate(base64: string): ManagementCertificate {
  const der = forge.util.decode64(base64.replace(/\s+/g, ''));
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), '');
  const certBag = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]?.[0];
  const keyBag =
    p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[
      forge.pki.oids.pkcs8ShroudedKeyBag!
    ]?.[0] ?? p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!]?.[0];
  if (!certBag?.cert || !keyBag?.key) throw new Error('no certificate and key in the PKCS#12');
  const cert = certBag.cert;
  const certDer = forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes();
  const thumbprint = forge.md.sha1.create().update(certDer).digest().toHex().toUpperCase();
  return {
    keyPem: forge.pki.privateKeyToPem(keyBag.key),
    certPem: forge.pki.certificateToPem(cert),
    thumbprint,
    subject: cert.subject.attributes
      .map((a) => `${a.shortName ?? a.name}=${String(a.value)}`)
      .join(', '),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

/** Creates the minimal loader; registers certificate material with the redactor. */
export function createMinimalSettingsLoader(deps: Pick<Deps, 'fs' | 'redactor'>): SettingsLoader {
  return {
    async load(file: string): Promise<PublishSettings> {
      let text: string;
      try {
        text = await deps.fs.readFile(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new UsageError(`cannot read publish settings ${file} (${code ?? 'error'})`, {
          hint: 'give the path of the .publishsettings file downloaded from the portal',
        });
      }
      const invalid = (why: string): UsageError =>
        new UsageError(`${file} is not a valid publish-settings file: ${why}`, {
          hint: 'download a new one from https://manage.windowsazure.com/publishsettings (or the portal blade) and pass it with p:<file>',
        });
      let doc: { PublishData?: { PublishProfile?: unknown } };
      try {
        doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
          text,
          true,
        ) as typeof doc;
      } catch {
        throw invalid('not well-formed XML');
      }
      const profiles = asArray(doc.PublishData?.PublishProfile as Attrs | Attrs[] | undefined);
      if (profiles.length !== 1)
        throw invalid(profiles.length === 0 ? 'no PublishProfile' : 'more than one PublishProfile');
      const profile = profiles[0]! as Attrs & { Subscription?: Attrs | Attrs[] };
      const schemaVersion = profile.SchemaVersion ?? '1.0';
      const subs = asArray(profile.Subscription);
      if (subs.length === 0) throw invalid('no Subscription');
      const settings: PublishSettings = { schemaVersion, subscriptions: [] };
      for (const s of subs) {
        const certText = s.ManagementCertificate ?? profile.ManagementCertificate;
        const url = s.ServiceManagementUrl ?? profile.Url;
        if (!s.Id) throw invalid('a Subscription has no Id');
        if (!certText) throw invalid(`subscription ${s.Id} has no ManagementCertificate`);
        if (!url) throw invalid(`subscription ${s.Id} has no ServiceManagementUrl`);
        deps.redactor.add(certText);
        let certificate: ManagementCertificate;
        try {
          certificate = readManagementCertificate(certText);
        } catch (err) {
          throw invalid(
            `the management certificate of ${s.Id} cannot be read (${(err as Error).message})`,
          );
        }
        deps.redactor.add(certificate.keyPem);
        settings.subscriptions.push({
          id: s.Id,
          name: s.Name ?? s.Id,
          serviceManagementUrl: url.replace(/\/+$/, ''),
          certificate,
        });
      }
      return settings;
    },
  };
}
