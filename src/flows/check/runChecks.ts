/**
 * Runs every check `diskprep check` (and prepare's preflight) reports, in order: elevation, OS
 * tools, staging, publish settings, connectivity per endpoint, subscription state, Data Box
 * provider and SKU. Each check that cannot run because an earlier one failed, or that does not
 * apply, is a `skip` with the reason.
 */
import path from 'node:path';
import type { AzureOptions } from '../../model/importJob.ts';
import {
  noProxyOf,
  PROXY_VARIABLES,
  redactProxyUrl,
  registerProxySecret,
  resolveProxy,
  type ProxyConfig,
} from '../../deps/proxy.ts';
import type { Deps } from '../../deps/types.ts';
import { armTokenSource, authorityHostFor, type TokenSource } from '../../importjob/token.ts';
import { resolveCloud } from '../../publishsettings/clouds.ts';
import { chooseSubscription, loadPublishSettings } from '../../publishsettings/load.ts';
import { CA_FILE, readBoundedFile } from '../../fsutil/readBoundedFile.ts';
import type { PublishSettings, PublishSubscription } from '../../publishsettings/types.ts';
import type { ServiceKind } from '../../model/job.ts';
import { blobEndpoint } from '../../storage/client.ts';
import { checkElevation } from './elevation.ts';
import { createEndpointProbe, type LookupFn } from './endpointProbe.ts';
import { checkOsTools } from './osTools.ts';
import { checkStaging } from './staging.ts';
import {
  armCall,
  createArmSubscriptionReader,
  createClassicSubscriptionReader,
  describeOperations,
  operationsFor,
} from './subscriptionState.ts';
import type {
  CheckResult,
  EndpointProbe,
  Operations,
  ProbeResult,
  SubscriptionRead,
  SubscriptionStateReader,
} from './types.ts';

/** api-version of `GET /subscriptions/{id}/providers/{namespace}`. */
export const PROVIDERS_API_VERSION = '2021-04-01';
/** api-version of Microsoft.DataBox. */
export const DATABOX_API_VERSION = '2025-07-01';

/** What to check. */
export interface CheckRunOptions {
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  /** The service (default: the job's; else classic with publish settings, else databox). */
  service?: ServiceKind;
  azure: AzureOptions;
  /** Base URL of the blob service (default `https://<account>.blob.<cloud suffix>`). */
  blobEndpoint?: string;
  /** ISO country the drives ship from (Data Box availableSkus needs it). */
  country?: string;
  /** `--proxy`. */
  proxy?: string;
  /** `--ca-file`. */
  caFile?: string;
  /** Whether this run prepares drives (elevation and OS tools matter). */
  needsDisk: boolean;
  /** Whether Azure is called in this run (false: connectivity and subscription are skipped). */
  needsAzure?: boolean;
  /** Seams (tests swap them). */
  probe?: EndpointProbe;
  tokens?: TokenSource;
  lookup?: LookupFn;
}

/** The proxy part of the report. */
export interface ProxyReport {
  /** The proxy in effect (redacted), null when none is configured. */
  url: string | null;
  source: string;
  noProxy: string;
  /** Per endpoint host: through the proxy or direct (and the NO_PROXY entry that said so). */
  hosts: { host: string; via: 'proxy' | 'direct'; bypassedBy?: string }[];
}

/** Everything check found. */
export interface CheckReport {
  ok: boolean;
  service: ServiceKind;
  checks: CheckResult[];
  proxy: ProxyReport;
  /** What the subscription allows now, when its state was read. */
  operations?: Operations;
}

function stageList(p: ProbeResult): string {
  const names: Record<string, string> = {
    dns: 'DNS',
    tcp: 'TCP',
    'proxy-dns': 'proxy DNS',
    'proxy-tcp': 'proxy TCP',
    'proxy-connect': 'CONNECT',
    tls: 'TLS',
  };
  return p.passed.map((s) => `${names[s]} ✓`).join(', ');
}

function probeFailure(id: string, title: string, p: ProbeResult, caGiven: boolean): CheckResult {
  const who = p.failedAt === 'proxy' ? `proxy ${p.via} refused` : `${p.host} unreachable`;
  let fix: string;
  if (p.failedAt === 'proxy') {
    fix =
      p.proxyStatus === 407
        ? 'give the proxy credentials in the URL: --proxy http://user:password@host:port'
        : p.failedStage === 'proxy-connect'
          ? `ask the proxy administrator to allow CONNECT to ${p.host}:${p.port}`
          : 'check the proxy address (--proxy / HTTPS_PROXY), or set NO_PROXY for hosts reached directly';
  } else if (p.failedStage === 'dns')
    fix = `check the host name and the DNS server (cannot resolve ${p.host})`;
  else if (p.failedStage === 'tls')
    fix = caGiven
      ? 'the certificate is not trusted even with --ca-file: check the CA file and the host name'
      : 'if a TLS-inspecting proxy or a private endpoint is used, trust its CA with --ca-file <pem>';
  else fix = `check the firewall allows outbound HTTPS to ${p.host}:${p.port}, or set --proxy`;
  return {
    id,
    title,
    status: 'fail',
    detail: `${who} at ${p.failedStage}: ${p.reason}${p.passed.length ? ` (${stageList(p)})` : ''}`,
    fix,
    data: {
      host: p.host,
      port: p.port,
      via: p.via ?? null,
      stage: p.failedStage,
      failedAt: p.failedAt,
      passed: p.passed,
      ...(p.proxyStatus ? { proxyStatus: p.proxyStatus } : {}),
    },
  };
}

/** An endpoint check: probe, then (when given) the authenticated call that proves access. */
async function checkEndpoint(
  probe: EndpointProbe,
  url: string,
  key: 'classic' | 'login' | 'arm' | 'storage',
  role: string,
  caGiven: boolean,
  auth:
    | (() => Promise<{ ok: boolean; detail: string; status?: number; proxyRefused?: boolean }>)
    | undefined,
): Promise<{ result: CheckResult; reachable: boolean; authOk: boolean }> {
  const host = new URL(url).host;
  const id = `endpoint:${key}`;
  const title = `connect to ${host} (${role})`;
  const p = await probe.probe(url);
  if (!p.ok)
    return { result: probeFailure(id, title, p, caGiven), reachable: false, authOk: false };
  const base = `${stageList(p)}${p.via ? ` via ${p.via}` : ''}`;
  if (!auth) {
    return {
      result: {
        id,
        title,
        status: 'ok',
        detail: base,
        data: { host: p.host, port: p.port, via: p.via ?? null, passed: p.passed },
      },
      reachable: true,
      authOk: true,
    };
  }
  const a = await auth();
  if (a.ok) {
    return {
      result: {
        id,
        title,
        status: 'ok',
        detail: `${base}, ${a.detail}`,
        data: { host: p.host, port: p.port, via: p.via ?? null, passed: [...p.passed, 'auth'] },
      },
      reachable: true,
      authOk: true,
    };
  }
  return {
    result: {
      id,
      title,
      status: 'fail',
      detail: `${base}; ${a.proxyRefused ? 'the proxy refused the authenticated call' : 'the authenticated call failed'}: ${a.detail}`,
      fix: a.proxyRefused
        ? 'check the proxy credentials and that it allows this host'
        : a.status === 401 || a.status === 403
          ? role.startsWith('classic')
            ? 'the management certificate is not accepted: download a new publish-settings file for this subscription'
            : 'sign in again (az login) or set DISKPREP_ACCESS_TOKEN to a valid ARM token, and check your role on the subscription'
          : 'try again later; if it persists, check the endpoint URL',
      data: {
        host: p.host,
        port: p.port,
        via: p.via ?? null,
        passed: p.passed,
        stage: 'auth',
        httpStatus: a.status ?? null,
      },
    },
    reachable: true,
    authOk: false,
  };
}

function subscriptionCheck(
  read: SubscriptionRead | undefined,
  skipWhy: string | undefined,
): { result: CheckResult; operations?: Operations } {
  const title = 'subscription state';
  if (!read || skipWhy)
    return { result: { id: 'subscription', title, status: 'skip', detail: skipWhy ?? 'not read' } };
  if (!read.ok) {
    return {
      result: {
        id: 'subscription',
        title,
        status: 'skip',
        detail: `not read: the authenticated call failed (${read.reason})`,
      },
    };
  }
  const { state, operations } = read.subscription;
  const { verdict, known } = operationsFor(state);
  const ops = describeOperations(operations);
  const detail = `${state}${read.subscription.name ? ` (${read.subscription.name})` : ''} — possible now: ${ops.possible}${ops.blocked ? `; not possible: ${ops.blocked}` : ''}`;
  const fix =
    verdict === 'ok'
      ? undefined
      : !known
        ? `unknown state "${state}": check the subscription in the portal`
        : /deleted/i.test(state)
          ? 'the subscription is deleted: use another subscription (--subscription)'
          : /disabled|expired/i.test(state)
            ? 're-enable the subscription (Portal → Subscriptions → Reactivate, or pay the outstanding balance); reading job status still works'
            : 'settle the subscription (Portal → Cost Management + Billing) before Azure disables it';
  return {
    result: {
      id: 'subscription',
      title,
      status: verdict,
      detail,
      ...(fix ? { fix } : {}),
      data: { state, operations },
    },
    operations,
  };
}

const CERTIFICATE = { id: 'certificate', title: 'management certificate' } as const;
const PUBLISH_SETTINGS = { id: 'publish-settings', title: 'publish settings' } as const;

/**
 * Reads the publish settings with the parser of src/publishsettings, picks the subscription
 * (`--subscription`, else the job's, else the only one, else asks) and judges its management
 * certificate: expired or not yet valid fails, under 30 days left warns.
 */
async function checkPublishSettings(
  deps: Deps,
  file: string,
  wanted: string | undefined,
): Promise<{ results: CheckResult[]; sub?: PublishSubscription }> {
  // A failure is the publish-settings line (the error's own words and hint); no certificate then.
  const failed = (err: unknown, fix: string, why: string): { results: CheckResult[] } => {
    const e = err as Error & { hint?: string };
    return {
      results: [
        { ...PUBLISH_SETTINGS, status: 'fail', detail: e.message, fix: e.hint ?? fix },
        { ...CERTIFICATE, status: 'skip', detail: why },
      ],
    };
  };
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
  const c = sub.certificate;
  const { daysLeft } = c;
  const data = {
    thumbprint: c.thumbprint,
    subject: c.subject,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysLeft,
  };
  const until = c.notAfter.toISOString().slice(0, 10);
  const certificate: CheckResult = c.expired
    ? {
        ...CERTIFICATE,
        status: 'fail',
        detail: `expired on ${until} (${c.subject}, thumbprint ${c.thumbprint})`,
        fix: 'download a new publish-settings file (it adds a new management certificate) and pass it with p:<file>',
        data,
      }
    : c.notYetValid
      ? {
          ...CERTIFICATE,
          status: 'fail',
          detail: `not valid before ${c.notBefore.toISOString()}`,
          fix: "check this computer's clock, or download a new publish-settings file",
          data,
        }
      : daysLeft < 30
        ? {
            ...CERTIFICATE,
            status: 'warn',
            detail: `expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'} (${until})`,
            fix: 'download a new publish-settings file before it expires; a job created now needs the certificate until it completes',
            data,
          }
        : {
            ...CERTIFICATE,
            status: 'ok',
            detail: `valid until ${until} (${daysLeft} days left), thumbprint ${c.thumbprint}`,
            data,
          };
  return { results: [settingsOk, certificate], sub };
}

/** Runs all checks. Never throws for a failed check: it reports it. */
export async function runChecks(deps: Deps, opts: CheckRunOptions): Promise<CheckReport> {
  const checks: CheckResult[] = [];
  const proxyConfig: ProxyConfig = { proxy: opts.proxy, env: deps.env };
  for (const url of [opts.proxy, ...PROXY_VARIABLES.map((v) => deps.env[v])])
    registerProxySecret(url, deps.redactor);

  checks.push(await checkElevation(deps, opts.needsDisk));
  checks.push(...(await checkOsTools(deps, opts.needsDisk)));
  const staging = await checkStaging(deps, opts.staging, opts.job);
  checks.push(...staging.results);
  const job = staging.job;

  const service: ServiceKind =
    opts.service ?? job?.service ?? (opts.publishSettings ? 'classic' : 'databox');
  const needsAzure = opts.needsAzure !== false && service !== 'offline';
  const offlineWhy =
    service === 'offline'
      ? 'offline job: diskprep makes no Azure call'
      : 'this run makes no Azure call';

  // Publish settings (classic).
  let sub: PublishSubscription | undefined;
  if (!opts.publishSettings) {
    const why = service === 'classic' ? undefined : `not needed for ${service}`;
    checks.push(
      why
        ? { id: 'publish-settings', title: 'publish settings', status: 'skip', detail: why }
        : {
            id: 'publish-settings',
            title: 'publish settings',
            status: 'fail',
            detail: 'the classic service needs a publish-settings file',
            fix: 'pass p:<file.publishsettings> (download it from the portal)',
          },
      {
        id: 'certificate',
        title: 'management certificate',
        status: 'skip',
        detail: why ?? 'no publish settings',
      },
    );
  } else {
    const checked = await checkPublishSettings(
      deps,
      opts.publishSettings,
      opts.subscription ?? job?.subscription,
    );
    checks.push(...checked.results);
    sub = checked.sub;
  }

  // Endpoints of the service.
  const cloud = resolveCloud(opts.azure.cloud, sub?.serviceManagementUrl);
  const ca = opts.caFile
    ? await readBoundedFile(deps.fs, path.resolve(deps.cwd, opts.caFile), CA_FILE)
        .then((b) => b?.toString('utf8'))
        .catch(() => undefined)
    : undefined;
  const probe =
    opts.probe ??
    createEndpointProbe({
      proxy: proxyConfig,
      ...(ca ? { ca } : {}),
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
  const hosts: ProxyReport['hosts'] = [];
  const noteHost = (url: string): void => {
    const d = resolveProxy(url, proxyConfig);
    hosts.push({
      host: new URL(url).host,
      via: d.proxyUrl ? 'proxy' : 'direct',
      ...(d.bypassedBy ? { bypassedBy: d.bypassedBy } : {}),
    });
  };
  let operations: Operations | undefined;
  const subscriptionId = service === 'classic' ? sub?.id : (opts.subscription ?? job?.subscription);

  if (!needsAzure) {
    checks.push(
      { id: 'endpoints', title: 'connectivity', status: 'skip', detail: offlineWhy },
      { id: 'subscription', title: 'subscription state', status: 'skip', detail: offlineWhy },
    );
  } else if (service === 'classic') {
    if (!sub) {
      checks.push(
        {
          id: 'endpoints',
          title: 'connectivity',
          status: 'skip',
          detail: 'no usable publish settings',
        },
        {
          id: 'subscription',
          title: 'subscription state',
          status: 'skip',
          detail: 'no usable publish settings',
        },
      );
    } else {
      const base = opts.azure.endpoint ?? sub.serviceManagementUrl;
      noteHost(base);
      const reader: SubscriptionStateReader = createClassicSubscriptionReader(deps, {
        baseUrl: base,
        subscriptionId: sub.id,
        certificate: sub.certificate,
      });
      let read: SubscriptionRead | undefined;
      const ep = await checkEndpoint(
        probe,
        base,
        'classic',
        'classic Service Management',
        ca !== undefined,
        async () => {
          read = await reader.read();
          return read.ok
            ? {
                ok: true,
                detail: `authenticated with the management certificate (HTTP ${read.status})`,
              }
            : {
                ok: false,
                detail: read.reason,
                status: read.status,
                proxyRefused: read.proxyRefused,
              };
        },
      );
      checks.push(ep.result);
      const s = subscriptionCheck(read, ep.reachable ? undefined : 'the endpoint is unreachable');
      checks.push(s.result);
      operations = s.operations;
    }
  } else {
    const armBase = (opts.azure.armEndpoint ?? cloud.armEndpoint).replace(/\/+$/, '');
    const loginBase = authorityHostFor(cloud, deps.env).replace(/\/+$/, '');
    const tokens = opts.tokens ?? armTokenSource(deps, cloud, opts.proxy);
    noteHost(loginBase);
    const login = await checkEndpoint(
      probe,
      loginBase,
      'login',
      'Entra ID sign-in',
      ca !== undefined,
      async () => {
        if (tokens.offline)
          return { ok: true, detail: 'token from DISKPREP_ACCESS_TOKEN, no sign-in call needed' };
        try {
          await tokens.getToken();
          return { ok: true, detail: `token acquired (${tokens.source})` };
        } catch (err) {
          return { ok: false, detail: (err as Error).message.split('\n')[0] ?? 'no token' };
        }
      },
    );
    checks.push(login.result);
    // A token from DISKPREP_ACCESS_TOKEN needs no sign-in: ARM is still checked when the login host is not reachable.
    const haveToken = tokens.offline || login.authOk;
    noteHost(armBase);
    let read: SubscriptionRead | undefined;
    const reader = subscriptionId
      ? createArmSubscriptionReader(deps, { armBase, subscriptionId, tokens })
      : undefined;
    const arm = await checkEndpoint(
      probe,
      armBase,
      'arm',
      'Azure Resource Manager',
      ca !== undefined,
      reader && haveToken
        ? async () => {
            read = await reader.read();
            return read.ok
              ? { ok: true, detail: `authenticated (HTTP ${read.status})` }
              : {
                  ok: false,
                  detail: read.reason,
                  status: read.status,
                  proxyRefused: read.proxyRefused,
                };
          }
        : undefined,
    );
    checks.push(arm.result);
    const skipWhy = !subscriptionId
      ? 'no subscription given (--subscription, or record it in the job with diskprep init)'
      : !haveToken
        ? login.reachable
          ? 'no access token (the sign-in failed)'
          : 'no access token: the Entra ID sign-in host is unreachable'
        : !arm.reachable
          ? 'Azure Resource Manager is unreachable'
          : undefined;
    const s = subscriptionCheck(read, skipWhy);
    checks.push(s.result);
    operations = s.operations;

    if (service === 'databox') {
      const canCall = subscriptionId !== undefined && arm.authOk && read?.ok === true;
      const why = skipWhy ?? (canCall ? undefined : 'the subscription could not be read');
      if (!canCall || !subscriptionId) {
        checks.push(
          {
            id: 'provider',
            title: 'Microsoft.DataBox registered',
            status: 'skip',
            detail: why ?? 'not checked',
          },
          {
            id: 'sku',
            title: 'customer-disk SKU available',
            status: 'skip',
            detail: why ?? 'not checked',
          },
        );
      } else {
        checks.push(await checkProvider(deps, tokens, armBase, subscriptionId));
        checks.push(
          await checkSku(
            deps,
            tokens,
            armBase,
            subscriptionId,
            job?.resourceGroup,
            job?.location,
            opts.country,
          ),
        );
      }
    }
  }

  // Storage account blob endpoint.
  if (needsAzure && job?.storageAccount) {
    const blobBase = (
      opts.blobEndpoint ?? blobEndpoint(job.storageAccount, deps.env, cloud)
    ).replace(/\/+$/, '');
    noteHost(blobBase);
    const ep = await checkEndpoint(
      probe,
      blobBase,
      'storage',
      `storage account ${job.storageAccount}`,
      ca !== undefined,
      async () => {
        try {
          const r = await deps.http.request({
            method: 'GET',
            url: `${blobBase}/?comp=list&maxresults=1`,
            timeoutMs: 30_000,
            signal: deps.signal,
          });
          // Without credentials the service answers 403 (or 401/400): it is there and speaking HTTP.
          return {
            ok: true,
            detail: `blob service answers (HTTP ${r.status}; the key or SAS is checked when the job is created)`,
          };
        } catch (err) {
          const e = err as Error & { details?: Record<string, unknown> };
          return { ok: false, detail: e.message, proxyRefused: e.details?.proxyRefused === true };
        }
      },
    );
    checks.push(ep.result);
  } else if (needsAzure) {
    checks.push({
      id: 'endpoint:storage',
      title: 'connect to the storage account',
      status: 'skip',
      detail: 'no job names a storage account',
    });
  }

  const effective = opts.proxy
    ? { url: opts.proxy, source: '--proxy' }
    : (() => {
        const d = resolveProxy('https://management.azure.com', { env: deps.env });
        const v = d.source === 'none' ? undefined : deps.env[d.source];
        return { url: v, source: d.source };
      })();
  const proxy: ProxyReport = {
    url: effective.url ? redactProxyUrl(effective.url) : null,
    source: effective.source,
    noProxy: noProxyOf(deps.env),
    hosts,
  };
  return {
    ok: !checks.some((c) => c.status === 'fail'),
    service,
    checks,
    proxy,
    ...(operations ? { operations } : {}),
  };
}

async function checkProvider(
  deps: Deps,
  tokens: TokenSource,
  armBase: string,
  sub: string,
): Promise<CheckResult> {
  const title = 'Microsoft.DataBox registered';
  const r = await armCall(deps, tokens, armBase, {
    method: 'GET',
    path: `/subscriptions/${encodeURIComponent(sub)}/providers/Microsoft.DataBox?api-version=${PROVIDERS_API_VERSION}`,
  });
  const fix = `register it: az provider register --namespace Microsoft.DataBox --subscription ${sub} (or Portal → Subscriptions → Resource providers)`;
  if (!r.ok)
    return {
      id: 'provider',
      title,
      status: 'fail',
      detail: `cannot read the registration: ${r.reason}`,
      fix: 'check your role on the subscription (Reader at least)',
    };
  const state = (r.json as { registrationState?: string }).registrationState ?? 'unknown';
  if (state === 'Registered')
    return {
      id: 'provider',
      title,
      status: 'ok',
      detail: 'Registered',
      data: { registrationState: state },
    };
  if (state === 'Registering')
    return {
      id: 'provider',
      title,
      status: 'warn',
      detail: 'Registering (takes a few minutes)',
      fix: 'wait until it shows Registered',
      data: { registrationState: state },
    };
  return {
    id: 'provider',
    title,
    status: 'fail',
    detail: state,
    fix,
    data: { registrationState: state },
  };
}

async function checkSku(
  deps: Deps,
  tokens: TokenSource,
  armBase: string,
  sub: string,
  resourceGroup: string | undefined,
  location: string | undefined,
  country: string | undefined,
): Promise<CheckResult> {
  const title = 'customer-disk SKU available';
  const missing = [
    !resourceGroup && 'resource group',
    !location && 'region',
    !country && 'country (--country)',
  ].filter(Boolean);
  if (missing.length > 0) {
    return {
      id: 'sku',
      title,
      status: 'skip',
      detail: `availableSkus needs the job's ${missing.join(', ')}; record them with diskprep init${country ? '' : ' and pass --country <ISO code>'}`,
    };
  }
  const r = await armCall(deps, tokens, armBase, {
    method: 'POST',
    path: `/subscriptions/${encodeURIComponent(sub)}/resourceGroups/${encodeURIComponent(resourceGroup!)}/providers/Microsoft.DataBox/locations/${encodeURIComponent(location!)}/availableSkus?api-version=${DATABOX_API_VERSION}`,
    body: { transferType: 'ImportToAzure', country, location, skuNames: ['DataBoxCustomerDisk'] },
  });
  if (!r.ok)
    return {
      id: 'sku',
      title,
      status: 'fail',
      detail: `availableSkus failed: ${r.reason}`,
      fix: 'check the region and the resource group of the job',
    };
  const items =
    (
      r.json as {
        value?: {
          sku?: { name?: string };
          enabled?: boolean;
          properties?: {
            disabledReason?: string;
            disabledReasonMessage?: string;
            requiredFeature?: string;
          };
        }[];
      }
    ).value ?? [];
  const item = items.find((i) => i.sku?.name === 'DataBoxCustomerDisk');
  if (!item)
    return {
      id: 'sku',
      title,
      status: 'fail',
      detail: `DataBoxCustomerDisk is not offered in ${location} for ${country}`,
      fix: 'pick another region for the job (diskprep init --location)',
    };
  if (item.enabled)
    return {
      id: 'sku',
      title,
      status: 'ok',
      detail: `DataBoxCustomerDisk enabled in ${location} (${country})`,
      data: { location, country },
    };
  const p = item.properties ?? {};
  return {
    id: 'sku',
    title,
    status: 'fail',
    detail: `DataBoxCustomerDisk disabled in ${location}: ${p.disabledReason ?? 'no reason given'}${p.disabledReasonMessage ? ` (${p.disabledReasonMessage})` : ''}`,
    fix: p.requiredFeature
      ? `register the feature ${p.requiredFeature} for Microsoft.DataBox`
      : 'pick another region, or ask Azure support to enable it for the subscription',
    data: { disabledReason: p.disabledReason ?? null },
  };
}
