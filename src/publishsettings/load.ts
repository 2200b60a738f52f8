/**
 * Loading a `.publishsettings` file (schema v1 and v2.0) and choosing one of its
 * subscriptions. Secrets (the base64 PFX and the decoded key) are registered with the
 * redactor the moment they are read.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { readBoundedFile } from '../fsutil/readBoundedFile.ts';
import { decodeManagementCertificate, type ManagementCertificate } from './certificate.ts';
import { CLOUDS, cloudForServiceManagementUrl } from './clouds.ts';
import { decodeText, DOWNLOAD_HINT, parsePublishSettingsXml } from './parseXml.ts';
import type { LoadedCertificate, PublishSettings, PublishSubscription } from './types.ts';

const CODE = 'ERR_DISKPREP_PUBLISH_SETTINGS';
/** Real files are a few KB per subscription; anything this big is the wrong file. */
const MAX_BYTES = 16 * 1024 * 1024;
const DAY_MS = 86_400_000;

/** Options of {@link loadPublishSettings}. */
export interface LoadOptions {
  /**
   * Warn on stderr about an expired or not yet valid management certificate (default true).
   * `diskprep check` reports the certificate as a line of its own instead.
   */
  warnCertificates?: boolean;
}

/**
 * Reads, checks and decodes a publish settings file. Per-subscription `ServiceManagementUrl`
 * and `ManagementCertificate` win over the profile's `Url` and `ManagementCertificate`.
 * An expired certificate is a warning (and `expired: true`), not an error: the operator may
 * still want to see what the file holds.
 *
 * @throws UsageError (exit 2) with one line naming the problem for a missing, unreadable,
 *   non-XML, wrong-kind or broken file
 */
export async function loadPublishSettings(
  deps: Deps,
  file: string,
  options: LoadOptions = {},
): Promise<PublishSettings> {
  const abs = path.resolve(deps.cwd, file);
  const bytes = await readSettingsFile(deps, abs, file);
  const profiles = parsePublishSettingsXml(decodeText(bytes), file);
  const now = deps.clock.now();
  const decoded = new Map<string, LoadedCertificate>();
  const subscriptions: PublishSubscription[] = [];
  // A set, not a search of the list: files with tens of thousands of subscriptions exist.
  const seenIds = new Set<string>();
  let schemaVersion: '1' | '2.0' = '1';

  for (const profile of profiles) {
    const v = profile.schemaVersion;
    if (v !== undefined && v !== '1' && v !== '1.0' && v !== '2' && v !== '2.0') {
      throw new UsageError(`${file} has schema version "${v}"; diskprep reads 1 and 2.0`, {
        hint: DOWNLOAD_HINT,
        code: CODE,
      });
    }
    if (v === '2' || v === '2.0') schemaVersion = '2.0';
    deps.redactor.add(profile.managementCertificate);
    for (const sub of profile.subscriptions) {
      deps.redactor.add(sub.managementCertificate);
      if (seenIds.has(sub.id)) continue;
      seenIds.add(sub.id);
      const base64 = sub.managementCertificate ?? profile.managementCertificate;
      if (!base64) {
        throw new UsageError(
          `subscription "${sub.name}" (${sub.id}) in ${file} has no management certificate`,
          { hint: DOWNLOAD_HINT, code: CODE },
        );
      }
      const key = base64.replace(/\s+/g, '');
      deps.redactor.add(key);
      let cert = decoded.get(key);
      if (!cert) {
        const c = decodeManagementCertificate(base64, `subscription "${sub.name}" in ${file}`);
        deps.redactor.add(c.keyPem);
        cert = withValidity(c, now);
        decoded.set(key, cert);
      }
      const rawUrl = sub.serviceManagementUrl ?? profile.url ?? CLOUDS.public.serviceManagementUrl;
      const serviceManagementUrl = normaliseUrl(rawUrl, file, sub.name);
      subscriptions.push({
        id: sub.id,
        name: sub.name,
        serviceManagementUrl,
        cloud: cloudForServiceManagementUrl(serviceManagementUrl)?.name ?? 'custom',
        certificate: cert,
      });
    }
  }
  if (subscriptions.length === 0) {
    throw new UsageError(`${file} holds no subscription`, { hint: DOWNLOAD_HINT, code: CODE });
  }
  if (options.warnCertificates !== false) warnAboutCertificates(deps, subscriptions, file);
  return { file: abs, schemaVersion, subscriptions };
}

async function readSettingsFile(deps: Deps, abs: string, shown: string): Promise<Buffer> {
  const bytes = await readBoundedFile(deps.fs, abs, {
    what: 'publish settings file',
    maxBytes: MAX_BYTES,
    hint: DOWNLOAD_HINT,
    signal: deps.signal,
  });
  if (bytes === undefined) {
    throw new UsageError(`publish settings file ${shown} not found`, {
      hint: 'check the path given with p: / --publish-settings',
      code: CODE,
    });
  }
  return bytes;
}

function normaliseUrl(raw: string, file: string, subName: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(
      `subscription "${subName}" in ${file} has a ServiceManagementUrl that is not a URL: ${raw}`,
      { hint: DOWNLOAD_HINT, code: CODE },
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(
      `subscription "${subName}" in ${file} has a ServiceManagementUrl that is not https: ${raw}`,
      { hint: DOWNLOAD_HINT, code: CODE },
    );
  }
  const s = url.toString();
  return s.endsWith('/') ? s : `${s}/`;
}

function withValidity(c: ManagementCertificate, now: Date): LoadedCertificate {
  return {
    ...c,
    expired: c.notAfter.getTime() < now.getTime(),
    notYetValid: c.notBefore.getTime() > now.getTime(),
    daysLeft: Math.floor((c.notAfter.getTime() - now.getTime()) / DAY_MS),
  };
}

function warnAboutCertificates(deps: Deps, subs: PublishSubscription[], file: string): void {
  const seen = new Set<string>();
  for (const s of subs) {
    const c = s.certificate;
    if (seen.has(c.thumbprint)) continue;
    seen.add(c.thumbprint);
    const url =
      s.cloud === 'custom' ? CLOUDS.public.publishSettingsUrl : CLOUDS[s.cloud].publishSettingsUrl;
    if (c.expired) {
      deps.terminal.warn(
        `the management certificate ${c.thumbprint} in ${file} expired on ${c.notAfter.toISOString().slice(0, 10)}: Azure will refuse it — download a new publish settings file from ${url}`,
      );
    } else if (c.notYetValid) {
      deps.terminal.warn(
        `the management certificate ${c.thumbprint} in ${file} is valid only from ${c.notBefore.toISOString()}: check this computer's clock`,
      );
    }
  }
}

/**
 * Picks a subscription: the one named by id (case-insensitive) or name, else the only one,
 * else asks (flag `--subscription`).
 *
 * @throws UsageError when `wanted` matches none (the message lists the choices) or a name
 *   matches several
 */
export async function chooseSubscription(
  deps: Deps,
  settings: PublishSettings,
  wanted: string | undefined,
): Promise<PublishSubscription> {
  const subs = settings.subscriptions;
  const list = subs.map((s) => `${s.name} (${s.id})`).join(', ');
  if (wanted !== undefined && wanted.trim() !== '') {
    const w = wanted.trim();
    const byId = subs.find((s) => s.id === w.toLowerCase());
    if (byId) return byId;
    let byName = subs.filter((s) => s.name === w);
    if (byName.length === 0) byName = subs.filter((s) => s.name.toLowerCase() === w.toLowerCase());
    if (byName.length === 1) return byName[0]!;
    if (byName.length > 1) {
      throw new UsageError(`${byName.length} subscriptions in ${settings.file} are named "${w}"`, {
        hint: `give its id with --subscription: ${byName.map((s) => s.id).join(', ')}`,
      });
    }
    throw new UsageError(`no subscription "${w}" in ${settings.file}`, {
      hint: `it holds: ${list}`,
    });
  }
  if (subs.length === 1) return subs[0]!;
  const id = await deps.prompt.select({
    message: `${settings.file} holds ${subs.length} subscriptions. Which one?`,
    flag: '--subscription',
    choices: subs.map((s) => ({
      name: `${s.name} (${s.id})`,
      value: s.id,
      description: `${s.cloud}, certificate ${s.certificate.thumbprint}${s.certificate.expired ? ' (expired)' : ''}`,
    })),
  });
  return subs.find((s) => s.id === id)!;
}
