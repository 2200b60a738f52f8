/**
 * The XML layer of a publish settings file: bytes → profiles and subscriptions, tolerant of a
 * BOM, UTF-16, CRLF, stray whitespace and any letter case in element and attribute names
 * (files were hand-edited and re-saved by many tools). Certificates are not decoded here.
 */
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { invalidFileError } from '../fsutil/inputText.ts';
import { parseXmlInput } from '../fsutil/xmlInput.ts';
import { CLOUDS } from './clouds.ts';

/** A `<Subscription>` as written. */
export interface RawSubscription {
  id: string;
  name: string;
  serviceManagementUrl?: string;
  managementCertificate?: string;
}

/** A `<PublishProfile>` as written. */
export interface RawProfile {
  schemaVersion?: string;
  url?: string;
  managementCertificate?: string;
  subscriptions: RawSubscription[];
}

const CODE = 'ERR_DISKPREP_PUBLISH_SETTINGS';

/** Where the right file comes from, per cloud. */
export const DOWNLOAD_HINT = `download the publish settings file of your subscription from ${CLOUDS.public.publishSettingsUrl} (US Gov: ${CLOUDS.usgov.publishSettingsUrl}, China: ${CLOUDS.china.publishSettingsUrl}, Germany: ${CLOUDS.germany.publishSettingsUrl})`;

const optionalText = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

const SubscriptionSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i, 'Id must be a subscription GUID'),
  name: optionalText,
  servicemanagementurl: optionalText,
  managementcertificate: optionalText,
});

const ProfileSchema = z.object({
  schemaversion: optionalText,
  publishmethod: optionalText,
  url: optionalText,
  managementcertificate: optionalText,
  subscription: z.array(SubscriptionSchema).default([]),
});

/** Decodes the bytes of the file: UTF-8 (with or without BOM) or UTF-16 with a BOM. */
export function decodeText(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.from(b.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return b.toString('utf8').replace(/^\uFEFF/, '');
}

/** Empty elements parse as '' and attributes-only elements as objects: make both objects. */
function objectify(v: unknown): unknown {
  return typeof v === 'string' ? {} : v;
}

/**
 * Parses the text of a publish settings file into its Service Management profiles.
 *
 * @param file - named in errors
 * @throws UsageError (exit 2) when the text is not XML, is a Web Deploy publish profile, or
 *   holds no Service Management profile
 */
export function parsePublishSettingsXml(text: string, file: string): RawProfile[] {
  const untrimmed = text.replace(/^\uFEFF/, '');
  const body = untrimmed.trim();
  // Line numbers in errors count the blank lines the trim removed.
  const firstLine = 1 + (/^\s*/.exec(untrimmed)![0].match(/\n/g)?.length ?? 0);
  const input = { file, what: 'publish settings file', hint: DOWNLOAD_HINT, code: CODE, firstLine };
  if (body === '') throw invalidFileError(file, input.what, 'it is empty', input);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    htmlEntities: true,
    transformTagName: (n) => n.toLowerCase(),
    transformAttributeName: (n) => n.toLowerCase(),
    isArray: (n) => n === 'publishprofile' || n === 'subscription',
  });
  const doc = parseXmlInput(parser, body, input) as Record<string, unknown>;
  const root = objectify(doc.publishdata) as { publishprofile?: unknown[] } | undefined;
  if (!root) {
    const found = Object.keys(doc).find((k) => !k.startsWith('?'));
    throw new UsageError(
      `${file} is not a publish settings file (its root element is <${found ?? '?'}>, not <PublishData>)`,
      { hint: DOWNLOAD_HINT, code: CODE },
    );
  }
  const rawProfiles = (root.publishprofile ?? []).map(objectify) as Record<string, unknown>[];
  if (rawProfiles.some(isWebDeployProfile)) {
    throw new UsageError(
      `${file} is a Web Deploy publish profile of an App Service web app, not an Azure subscription's publish settings file`,
      { hint: DOWNLOAD_HINT, code: CODE },
    );
  }
  const serviceProfiles = rawProfiles.filter((p) => {
    const method = typeof p.publishmethod === 'string' ? p.publishmethod.trim() : '';
    return method === '' || method.toLowerCase() === 'azureservicemanagementapi';
  });
  if (serviceProfiles.length === 0) {
    throw new UsageError(`${file} holds no Azure Service Management publish profile`, {
      hint: DOWNLOAD_HINT,
      code: CODE,
    });
  }
  return serviceProfiles.map((p) => {
    const withSubs = {
      ...p,
      subscription: Array.isArray(p.subscription) ? p.subscription.map(objectify) : [],
    };
    const parsed = ProfileSchema.safeParse(withSubs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at =
        issue.path[0] === 'subscription' && typeof issue.path[1] === 'number'
          ? `<Subscription> #${issue.path[1] + 1}`
          : '<PublishProfile>';
      throw new UsageError(
        `${file} is invalid: ${at} ${String(issue.path.at(-1) ?? '')}: ${issue.message}`,
        {
          hint: DOWNLOAD_HINT,
          code: CODE,
        },
      );
    }
    const d = parsed.data;
    return {
      schemaVersion: d.schemaversion,
      url: d.url,
      managementCertificate: d.managementcertificate,
      subscriptions: d.subscription.map((s) => ({
        id: s.id.toLowerCase(),
        name: s.name ?? s.id,
        serviceManagementUrl: s.servicemanagementurl,
        managementCertificate: s.managementcertificate,
      })),
    };
  });
}

/** Web Deploy / FTP profiles: `publishMethod="MSDeploy"`, a `userPWD`, a `msdeploySite`. */
function isWebDeployProfile(p: Record<string, unknown>): boolean {
  const method = typeof p.publishmethod === 'string' ? p.publishmethod.toLowerCase() : '';
  return (
    ['msdeploy', 'ftp', 'zipdeploy', 'webdeploy', 'readonly - ftp'].includes(method) ||
    'userpwd' in p ||
    'msdeploysite' in p
  );
}
