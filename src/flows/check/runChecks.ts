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
} from '../../deps/proxy.ts';
import type { Deps } from '../../deps/types.ts';
import { type ServiceEndpoints, serviceEndpoints } from '../../importjob/endpoints.ts';
import { armTokenSource, type TokenSource } from '../../importjob/token.ts';
import { CA_FILE, readBoundedFile } from '../../fsutil/readBoundedFile.ts';
import type { PublishSubscription } from '../../publishsettings/types.ts';
import type { ServiceKind } from '../../model/job.ts';
import {
  DEFAULT_SERVICE,
  RETIRED_FIX,
  retirementOf,
  warnIfRetired,
} from '../../model/retiredServices.ts';
import { checkDataBox, dataBoxSkipped } from './dataBox.ts';
import { checkElevation } from './elevation.ts';
import {
  type AuthAnswer,
  checkEndpoint,
  type EndpointKey,
  type EndpointOutcome,
} from './endpointCheck.ts';
import { createEndpointProbe, type LookupFn } from './endpointProbe.ts';
import { checkOsTools } from './osTools.ts';
import { checkPublishSettings } from './publishSettings.ts';
import { checkStaging, type StagingChecks } from './staging.ts';
import {
  createArmSubscriptionReader,
  createClassicSubscriptionReader,
  describeOperations,
  operationsFor,
} from './subscriptionState.ts';
import type {
  CheckResult,
  EndpointProbe,
  Operations,
  SubscriptionRead,
  SubscriptionStateReader,
} from './types.ts';

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

/** Runs all checks. Never throws for a failed check: it reports it. */
export async function runChecks(deps: Deps, opts: CheckRunOptions): Promise<CheckReport> {
  for (const url of [opts.proxy, ...PROXY_VARIABLES.map((v) => deps.env[v])])
    registerProxySecret(url, deps.redactor);
  const checks: CheckResult[] = [];
  checks.push(await checkElevation(deps, opts.needsDisk));
  checks.push(...(await checkOsTools(deps, opts.needsDisk)));
  const staging = await checkStaging(deps, opts.staging, opts.job);
  checks.push(...staging.results);
  const { job } = staging;
  const service: ServiceKind =
    opts.service ?? job?.service ?? (opts.publishSettings ? 'classic' : DEFAULT_SERVICE);
  const retired = checkRetired(deps, service);
  if (retired) checks.push(retired);
  const wanted = opts.subscription ?? job?.subscription;
  const settings = await checkPublishSettings(deps, opts.publishSettings, wanted, service);
  checks.push(...settings.results);
  const run: AzureRun = {
    service,
    job,
    sub: settings.sub,
    subscription: service === 'classic' ? settings.sub?.id : wanted,
    endpoints: serviceEndpoints(opts.azure, deps.env, settings.sub?.serviceManagementUrl),
    reach: await endpointReach(deps, opts),
  };
  const azure = await checkAzure(deps, opts, run);
  checks.push(...azure.results);
  return {
    ok: !checks.some((c) => c.status === 'fail'),
    service,
    checks,
    proxy: proxyReport(deps, opts.proxy, run.reach.hosts),
    ...(azure.operations ? { operations: azure.operations } : {}),
  };
}

/** Id of the check line saying the job's service is retired. */
export const SERVICE_RETIRED = 'service-retired';

/**
 * ⚠ when the service is retired (it still answers its wire format for existing seeds); the
 * run's one stderr warning too, so `check --json` keeps stdout to its document.
 */
function checkRetired(deps: Deps, service: ServiceKind): CheckResult | undefined {
  const r = retirementOf(service);
  if (!r) return undefined;
  warnIfRetired(deps, service);
  return {
    id: SERVICE_RETIRED,
    title: 'service',
    status: 'warn',
    detail: `${service}: ${r.what} was retired on ${r.retiredOn}`,
    fix: RETIRED_FIX,
    data: { service, retiredOn: r.retiredOn },
  };
}

/** Probes endpoints for one run and notes each host for the proxy report. */
interface EndpointReach {
  /** Per endpoint host, in the order checked: through the proxy or direct. */
  hosts: ProxyReport['hosts'];
  /** The endpoint line of `url` (see {@link checkEndpoint}). */
  check(
    url: string,
    key: EndpointKey,
    role: string,
    auth: (() => Promise<AuthAnswer>) | undefined,
  ): Promise<EndpointOutcome>;
}

/** What the Azure checks of a run know once the local ones are done. */
interface AzureRun {
  service: ServiceKind;
  job: StagingChecks['job'];
  /** The publish-settings subscription (classic), when the file could be used. */
  sub: PublishSubscription | undefined;
  /** The subscription id the job runs under (classic: the publish settings'). */
  subscription: string | undefined;
  endpoints: ServiceEndpoints;
  reach: EndpointReach;
}

/** Lines of the Azure checks, and what the subscription allows when its state was read. */
interface AzureLines {
  results: CheckResult[];
  operations?: Operations | undefined;
}

/** The endpoint probe (`--proxy`, `--ca-file`, or the test's) and the hosts it was used for. */
async function endpointReach(deps: Deps, opts: CheckRunOptions): Promise<EndpointReach> {
  const ca = opts.caFile
    ? await readBoundedFile(deps.fs, path.resolve(deps.cwd, opts.caFile), CA_FILE)
        .then((b) => b?.toString('utf8'))
        .catch(() => undefined)
    : undefined;
  const proxyConfig = { proxy: opts.proxy, env: deps.env };
  const probe: EndpointProbe =
    opts.probe ??
    createEndpointProbe({
      proxy: proxyConfig,
      ...(ca ? { ca } : {}),
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
  const hosts: ProxyReport['hosts'] = [];
  return {
    hosts,
    check(url, key, role, auth) {
      const d = resolveProxy(url, proxyConfig);
      hosts.push({
        host: new URL(url).host,
        via: d.proxyUrl ? 'proxy' : 'direct',
        ...(d.bypassedBy ? { bypassedBy: d.bypassedBy } : {}),
      });
      return checkEndpoint(probe, url, key, role, ca !== undefined, auth);
    },
  };
}

/** Connectivity, subscription state, Data Box and storage: skipped when no Azure call is made. */
async function checkAzure(deps: Deps, opts: CheckRunOptions, run: AzureRun): Promise<AzureLines> {
  if (opts.needsAzure === false || run.service === 'offline') {
    const why =
      run.service === 'offline'
        ? 'offline job: diskprep makes no Azure call'
        : 'this run makes no Azure call';
    return { results: skippedReach(why) };
  }
  const reached =
    run.service === 'classic' ? await checkClassic(deps, run) : await checkArm(deps, opts, run);
  return {
    results: [...reached.results, await checkStorage(deps, opts, run)],
    operations: reached.operations,
  };
}

function skippedReach(why: string): CheckResult[] {
  return [
    { id: 'endpoints', title: 'connectivity', status: 'skip', detail: why },
    { id: 'subscription', title: 'subscription state', status: 'skip', detail: why },
  ];
}

/** The authenticated call of an endpoint line that reads the subscription; keeps what it read. */
function subscriptionAuth(
  reader: SubscriptionStateReader,
  said: (status: number) => string,
): { read?: SubscriptionRead; auth: () => Promise<AuthAnswer> } {
  const out: { read?: SubscriptionRead; auth: () => Promise<AuthAnswer> } = {
    auth: async () => {
      const read = await reader.read();
      out.read = read;
      return read.ok
        ? { ok: true, detail: said(read.status) }
        : { ok: false, detail: read.reason, status: read.status, proxyRefused: read.proxyRefused };
    },
  };
  return out;
}

/** classic: Service Management with the management certificate, which also reads the state. */
async function checkClassic(deps: Deps, run: AzureRun): Promise<AzureLines> {
  const { sub } = run;
  if (!sub) return { results: skippedReach('no usable publish settings') };
  const base = run.endpoints.classic;
  const reading = subscriptionAuth(
    createClassicSubscriptionReader(deps, {
      baseUrl: base,
      subscriptionId: sub.id,
      certificate: sub.certificate,
    }),
    (status) => `authenticated with the management certificate (HTTP ${status})`,
  );
  const ep = await run.reach.check(base, 'classic', 'classic Service Management', reading.auth);
  const s = subscriptionCheck(
    reading.read,
    ep.reachable ? undefined : 'the endpoint is unreachable',
  );
  return { results: [ep.result, s.result], operations: s.operations };
}

/** The sign-in line's call: a token from the token source. */
async function signIn(tokens: TokenSource): Promise<AuthAnswer> {
  if (tokens.offline)
    return { ok: true, detail: 'token from DISKPREP_ACCESS_TOKEN, no sign-in call needed' };
  try {
    await tokens.getToken();
    return { ok: true, detail: `token acquired (${tokens.source})` };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.split('\n')[0] ?? 'no token' };
  }
}

/** databox / importexport: Entra ID sign-in, ARM (reading the state), then Data Box's lines. */
async function checkArm(deps: Deps, opts: CheckRunOptions, run: AzureRun): Promise<AzureLines> {
  const { endpoints, reach, subscription } = run;
  const tokens = opts.tokens ?? armTokenSource(deps, endpoints.cloud, opts.proxy, opts.azure);
  const login = await reach.check(endpoints.login, 'login', 'Entra ID sign-in', () =>
    signIn(tokens),
  );
  // A token from DISKPREP_ACCESS_TOKEN needs no sign-in: ARM is still checked when the login host is not reachable.
  const haveToken = tokens.offline || login.authOk;
  const reading = subscription
    ? subscriptionAuth(
        createArmSubscriptionReader(deps, {
          armBase: endpoints.arm,
          subscriptionId: subscription,
          tokens,
        }),
        (status) => `authenticated (HTTP ${status})`,
      )
    : undefined;
  const arm = await reach.check(
    endpoints.arm,
    'arm',
    'Azure Resource Manager',
    reading && haveToken ? reading.auth : undefined,
  );
  const skipWhy = !subscription
    ? 'no subscription given (--subscription, or record it in the job with diskprep init)'
    : !haveToken
      ? login.reachable
        ? 'no access token (the sign-in failed)'
        : 'no access token: the Entra ID sign-in host is unreachable'
      : !arm.reachable
        ? 'Azure Resource Manager is unreachable'
        : undefined;
  const s = subscriptionCheck(reading?.read, skipWhy);
  const results = [login.result, arm.result, s.result];
  if (run.service !== 'databox') return { results, operations: s.operations };
  const canCall = subscription !== undefined && arm.authOk && reading?.read?.ok === true;
  results.push(
    ...(canCall && subscription
      ? await checkDataBox(deps, {
          tokens,
          armBase: endpoints.arm,
          subscription,
          resourceGroup: run.job?.resourceGroup,
          location: run.job?.location,
          country: opts.country,
        })
      : dataBoxSkipped(
          skipWhy ?? (canCall ? 'not checked' : 'the subscription could not be read'),
        )),
  );
  return { results, operations: s.operations };
}

/** The storage account's blob endpoint: reachable and speaking HTTP. */
async function checkStorage(
  deps: Deps,
  opts: CheckRunOptions,
  run: AzureRun,
): Promise<CheckResult> {
  const account = run.job?.storageAccount;
  if (!account)
    return {
      id: 'endpoint:storage',
      title: 'connect to the storage account',
      status: 'skip',
      detail: 'no job names a storage account',
    };
  const blobBase = (opts.blobEndpoint ?? run.endpoints.blob(account)).replace(/\/+$/, '');
  const ep = await run.reach.check(blobBase, 'storage', `storage account ${account}`, () =>
    blobServiceAnswers(deps, blobBase),
  );
  return ep.result;
}

async function blobServiceAnswers(deps: Deps, blobBase: string): Promise<AuthAnswer> {
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
}

/** The proxy in effect (redacted), where it comes from, NO_PROXY, and the hosts checked. */
function proxyReport(
  deps: Deps,
  proxy: string | undefined,
  hosts: ProxyReport['hosts'],
): ProxyReport {
  const effective = proxy
    ? { url: proxy, source: '--proxy' }
    : (() => {
        const d = resolveProxy('https://management.azure.com', { env: deps.env });
        const v = d.source === 'none' ? undefined : deps.env[d.source];
        return { url: v, source: d.source };
      })();
  return {
    url: effective.url ? redactProxyUrl(effective.url) : null,
    source: effective.source,
    noProxy: noProxyOf(deps.env),
    hosts,
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
