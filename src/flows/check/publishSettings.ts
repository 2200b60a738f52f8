/**
 * The publish-settings and management-certificate lines of `diskprep check`: the file read with
 * the parser of src/publishsettings, the subscription picked (`--subscription`, else the job's,
 * else the only one, else asked) and its certificate judged: expired or not yet valid fails,
 * under 30 days left warns.
 */
import type { Deps } from '../../deps/types.ts';
import { count } from '../../format.ts';
import { chooseSubscription, loadPublishSettings } from '../../publishsettings/load.ts';
import type {
  LoadedCertificate,
  PublishSettings,
  PublishSubscription,
} from '../../publishsettings/types.ts';
import type { ServiceKind } from '../../model/job.ts';
import type { CheckResult } from './types.ts';

const CERTIFICATE = { id: 'certificate', title: 'management certificate' } as const;
const PUBLISH_SETTINGS = { id: 'publish-settings', title: 'publish settings' } as const;

/** The two lines, and the subscription chosen when the file could be used. */
export interface PublishSettingsCheck {
  results: CheckResult[];
  sub?: PublishSubscription;
}

/**
 * The lines for `p:` (`file`): read and judged when given; without it a failure for the classic
 * service (which needs it) and a skip for the others.
 */
export async function checkPublishSettings(
  deps: Deps,
  file: string | undefined,
  wanted: string | undefined,
  service: ServiceKind,
): Promise<PublishSettingsCheck> {
  if (file) return readPublishSettings(deps, file, wanted);
  const why = service === 'classic' ? undefined : `not needed for ${service}`;
  return {
    results: [
      why
        ? { ...PUBLISH_SETTINGS, status: 'skip', detail: why }
        : {
            ...PUBLISH_SETTINGS,
            status: 'fail',
            detail: 'the classic service needs a publish-settings file',
            fix: 'pass p:<file.publishsettings> (download it from the portal)',
          },
      { ...CERTIFICATE, status: 'skip', detail: why ?? 'no publish settings' },
    ],
  };
}

// A failure is the publish-settings line (the error's own words and hint); no certificate then.
function failed(err: unknown, fix: string, why: string): PublishSettingsCheck {
  const e = err as Error & { hint?: string };
  return {
    results: [
      { ...PUBLISH_SETTINGS, status: 'fail', detail: e.message, fix: e.hint ?? fix },
      { ...CERTIFICATE, status: 'skip', detail: why },
    ],
  };
}

async function readPublishSettings(
  deps: Deps,
  file: string,
  wanted: string | undefined,
): Promise<PublishSettingsCheck> {
  let settings: PublishSettings;
  try {
    // The certificate verdict is a line of the report: no separate warning on stderr.
    settings = await loadPublishSettings(deps, file, { warnCertificates: false });
  } catch (err) {
    return failed(
      err,
      'download a new publish-settings file',
      'the publish settings cannot be read',
    );
  }
  let sub: PublishSubscription;
  try {
    sub = await chooseSubscription(deps, settings, wanted);
  } catch (err) {
    return failed(err, 'pass --subscription <id|name>', 'no subscription chosen');
  }
  const settingsOk: CheckResult = {
    ...PUBLISH_SETTINGS,
    status: 'ok',
    detail: `schema ${settings.schemaVersion}, subscription ${sub.name} (${sub.id}) at ${sub.serviceManagementUrl}`,
    data: { schemaVersion: settings.schemaVersion, subscriptions: settings.subscriptions.length },
  };
  return { results: [settingsOk, certificateCheck(sub.certificate)], sub };
}

/** The verdict on a management certificate's validity. */
function certificateCheck(c: LoadedCertificate): CheckResult {
  const { daysLeft } = c;
  const data = {
    thumbprint: c.thumbprint,
    subject: c.subject,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysLeft,
  };
  const until = c.notAfter.toISOString().slice(0, 10);
  if (c.expired)
    return {
      ...CERTIFICATE,
      status: 'fail',
      detail: `expired on ${until} (${c.subject}, thumbprint ${c.thumbprint})`,
      fix: 'download a new publish-settings file (it adds a new management certificate) and pass it with p:<file>',
      data,
    };
  if (c.notYetValid)
    return {
      ...CERTIFICATE,
      status: 'fail',
      detail: `not valid before ${c.notBefore.toISOString()}`,
      fix: "check this computer's clock, or download a new publish-settings file",
      data,
    };
  if (daysLeft < 30)
    return {
      ...CERTIFICATE,
      status: 'warn',
      detail: `expires in ${count(daysLeft, 'day')} (${until})`,
      fix: 'download a new publish-settings file before it expires; a job created now needs the certificate until it completes',
      data,
    };
  return {
    ...CERTIFICATE,
    status: 'ok',
    detail: `valid until ${until} (${count(daysLeft, 'day')} left), thumbprint ${c.thumbprint}`,
    data,
  };
}
