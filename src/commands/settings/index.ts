/**
 * `diskprep settings p:<file>`: what a publish settings file holds: subscriptions, their
 * endpoints and clouds, and the management certificate's public facts. Never the key.
 */
import type { Deps } from '../../deps/types.ts';
import { count } from '../../format.ts';
import { chooseSubscription, loadPublishSettings } from '../../publishsettings/load.ts';
import type { PublishSettings, PublishSubscription } from '../../publishsettings/types.ts';

/** Options of {@link settings}. */
export interface SettingsOptions {
  publishSettings: string;
  /** Show only this subscription (id or name). */
  subscription?: string;
}

/** The `--json` document (public facts only). */
export interface SettingsReport {
  file: string;
  schemaVersion: '1' | '2.0';
  subscriptions: {
    id: string;
    name: string;
    serviceManagementUrl: string;
    cloud: string;
    certificate: {
      thumbprint: string;
      subject: string;
      issuer: string;
      notBefore: string;
      notAfter: string;
      expired: boolean;
      daysLeft: number;
    };
  }[];
}

/** Shows the file; `--subscription` narrows it to one subscription. */
export async function settings(options: SettingsOptions, deps: Deps): Promise<void> {
  const loaded = await loadPublishSettings(deps, options.publishSettings);
  const subs =
    options.subscription === undefined
      ? loaded.subscriptions
      : [await chooseSubscription(deps, loaded, options.subscription)];
  const report = toReport(loaded, subs);
  if (deps.output.jsonMode) {
    deps.output.json(report);
    return;
  }
  printReport(deps, report);
}

/** The public facts of a loaded file, for `--json`. */
export function toReport(loaded: PublishSettings, subs: PublishSubscription[]): SettingsReport {
  return {
    file: loaded.file,
    schemaVersion: loaded.schemaVersion,
    subscriptions: subs.map((s) => ({
      id: s.id,
      name: s.name,
      serviceManagementUrl: s.serviceManagementUrl,
      cloud: s.cloud,
      certificate: {
        thumbprint: s.certificate.thumbprint,
        subject: s.certificate.subject,
        issuer: s.certificate.issuer,
        notBefore: s.certificate.notBefore.toISOString(),
        notAfter: s.certificate.notAfter.toISOString(),
        expired: s.certificate.expired,
        daysLeft: s.certificate.daysLeft,
      },
    })),
  };
}

function printReport(deps: Deps, r: SettingsReport): void {
  const st = deps.terminal.style;
  const bold = (t: string) => st.bold(t);
  const red = (t: string) => st.red(t);
  const yellow = (t: string) => st.yellow(t);
  const dim = (t: string) => st.dim(t);
  const n = r.subscriptions.length;
  deps.output.line(
    `${bold(r.file)}  ${dim(`schema ${r.schemaVersion}, ${count(n, 'subscription')}`)}`,
  );
  for (const s of r.subscriptions) {
    const c = s.certificate;
    const day = c.notAfter.slice(0, 10);
    const expiry = c.expired
      ? red(`EXPIRED on ${day} (${count(-c.daysLeft, 'day')} ago)`)
      : c.daysLeft < 30
        ? yellow(`${day} (in ${count(c.daysLeft, 'day')})`)
        : `${day} (in ${count(c.daysLeft, 'day')})`;
    deps.output.line();
    deps.output.line(`  ${bold(s.name)}`);
    deps.output.line(`    id           ${s.id}`);
    deps.output.line(`    cloud        ${s.cloud}  ${dim(s.serviceManagementUrl)}`);
    deps.output.line(`    certificate  ${c.thumbprint}  ${c.subject}`);
    deps.output.line(`    expires      ${expiry}`);
  }
}
