/**
 * What the two Azure Resource Manager adapters (databox, importexport) share: URLs, the bearer
 * client, long-running-operation polling, and the one-line explanation of an unregistered
 * resource provider.
 */
import type { z } from 'zod';
import type { HttpResponse } from '../deps/types.ts';
import { AzureError } from '../errors.ts';
import { joinUrl, RestClient, type RestCall, type RestDeps } from './restClient.ts';
import type { TokenSource } from './token.ts';

/** Where an ARM adapter works. */
export interface ArmContext {
  /** ARM base URL (`https://management.azure.com/`, or `--arm-endpoint`). */
  armUrl: string;
  subscription: string;
  resourceGroup: string;
  /** The resource group of the storage account, when not the job's. */
  storageResourceGroup?: string;
  /** Per-attempt timeout of each call (default 60 s). */
  timeoutMs?: number;
}

/** Builds an ARM URL: `base` + path + `?api-version=` + extra query. */
export function armUrl(
  base: string,
  path: string,
  apiVersion: string,
  query: Record<string, string> = {},
): string {
  const u = new URL(joinUrl(base, path));
  u.searchParams.set('api-version', apiVersion);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/** A path segment, encoded. */
export function seg(s: string): string {
  return encodeURIComponent(s);
}

/** The ARM REST client for one service. */
export function armClient(
  service: string,
  deps: RestDeps,
  tokens: TokenSource,
  timeoutMs?: number,
): RestClient {
  return new RestClient({
    service,
    deps,
    timeoutMs,
    headers: async () => ({
      authorization: `Bearer ${await tokens.getToken()}`,
      'accept-language': 'en-US',
    }),
  });
}

/**
 * Runs an ARM call and, when the service says the subscription is not registered for the
 * provider, explains it in one line with the command that fixes it.
 */
export async function withProviderCheck<T>(
  namespace: string,
  subscription: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AzureError) {
      const code = err.details?.serviceCode;
      if (code === 'MissingSubscriptionRegistration' || code === 'SubscriptionNotRegistered') {
        throw unregisteredProvider(namespace, subscription, err);
      }
    }
    throw err;
  }
}

/** The error for a subscription that has not registered `namespace`. */
export function unregisteredProvider(
  namespace: string,
  subscription: string,
  cause?: unknown,
): AzureError {
  return new AzureError(
    `subscription ${subscription} is not registered for the ${namespace} resource provider`,
    {
      code: 'ERR_DISKPREP_PROVIDER_NOT_REGISTERED',
      hint: `run: az provider register --namespace ${namespace} --subscription ${subscription} (takes a few minutes)`,
      cause,
    },
  );
}

/**
 * What a Microsoft.DataBox or Microsoft.ImportExport job adapter has in common: its REST client
 * with bearer tokens, the job's resource path, api-versioned URLs, the one-line explanation of an
 * unregistered provider, and the GET that tells whether a job already exists.
 */
export abstract class ArmJobAdapter {
  protected readonly client: RestClient;
  protected readonly ctx: ArmContext;
  protected readonly deps: RestDeps;
  private readonly namespace: string;
  private readonly apiVersion: string;

  protected constructor(
    api: { service: string; namespace: string; apiVersion: string },
    ctx: ArmContext,
    deps: RestDeps,
    tokens: TokenSource,
  ) {
    this.ctx = ctx;
    this.deps = deps;
    this.namespace = api.namespace;
    this.apiVersion = api.apiVersion;
    this.client = armClient(api.service, deps, tokens, ctx.timeoutMs);
  }

  /** `/subscriptions/…/resourceGroups/…/providers/<namespace>` + `rest`. */
  protected providerPath(rest: string): string {
    return `/subscriptions/${seg(this.ctx.subscription)}/resourceGroups/${seg(this.ctx.resourceGroup)}/providers/${this.namespace}${rest}`;
  }

  protected jobPath(name: string): string {
    return this.providerPath(`/jobs/${seg(name)}`);
  }

  protected url(path: string, query: Record<string, string> = {}): string {
    return armUrl(this.ctx.armUrl, path, this.apiVersion, query);
  }

  protected run<T>(fn: () => Promise<T>): Promise<T> {
    return withProviderCheck(this.namespace, this.ctx.subscription, fn);
  }

  /**
   * Every job of the resource group's provider (or of the whole subscription when the context has
   * no resource group), following `nextLink` pages.
   */
  protected async listAllJobs<J>(
    pageSchema: z.ZodType<{ value: J[]; nextLink?: string | undefined }>,
  ): Promise<J[]> {
    const jobs: J[] = [];
    const path = this.ctx.resourceGroup
      ? this.providerPath('/jobs')
      : `/subscriptions/${seg(this.ctx.subscription)}/providers/${this.namespace}/jobs`;
    let url: string | undefined = this.url(path);
    while (url) {
      const page: { value: J[]; nextLink?: string | undefined } = await this.client.json(
        { op: 'list jobs', method: 'GET', url },
        pageSchema,
      );
      jobs.push(...page.value);
      url = page.nextLink;
    }
    return jobs;
  }

  /** GET without throwing on 404: the probe that keeps a create from running twice. */
  protected async probeJob(
    name: string,
    query: Record<string, string> = {},
  ): Promise<HttpResponse | undefined> {
    const res = await this.client.send({
      op: `look up job ${name}`,
      method: 'GET',
      url: this.url(this.jobPath(name), query),
      allow: [404],
    });
    return res.status === 404 ? undefined : res;
  }
}

/** Most polls of one long-running operation before giving up (about 30 minutes at 10 s). */
const MAX_POLLS = 180;
/** Poll interval when the service gives no Retry-After. */
const DEFAULT_POLL_MS = 10_000;

/**
 * Follows a 202 answer to its end: `Azure-AsyncOperation` (status document) or `Location`
 * (202 until done, possibly moving to a new Location). Resolves when the operation finished;
 * the caller then GETs the resource. Throws the operation's error when it failed.
 */
export async function pollLongRunning(
  client: RestClient,
  deps: RestDeps,
  op: string,
  first: HttpResponse,
): Promise<void> {
  let res = first;
  for (let polls = 0; res.status === 202; polls++) {
    if (polls >= MAX_POLLS)
      throw new AzureError(`${op} is still running after ${polls} checks`, {
        hint: 'see how it ends with diskprep status',
      });
    const asyncOp = res.headers['azure-asyncoperation'];
    const location = res.headers.location;
    const next = asyncOp ?? location;
    if (!next) return;
    const retryAfter = Number(res.headers['retry-after']);
    await deps.clock.sleep(
      Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : DEFAULT_POLL_MS,
      deps.signal,
    );
    const call: RestCall = { op: `${op} (progress)`, method: 'GET', url: next };
    const polled = await client.send(call);
    if (asyncOp) {
      const status = readStatus(polled.body);
      if (
        status === undefined ||
        /^(InProgress|Running|Accepted|Creating|Updating|Deleting)$/i.test(status)
      ) {
        res = {
          ...polled,
          status: 202,
          headers: {
            ...polled.headers,
            'azure-asyncoperation': polled.headers['azure-asyncoperation'] ?? asyncOp,
          },
        };
        continue;
      }
      if (/^Succeeded$/i.test(status)) return;
      throw client.errorFor(
        { op, method: 'GET', url: next },
        { ...polled, status: polled.status === 200 ? 500 : polled.status },
      );
    }
    res = polled;
  }
}

function readStatus(body: string): string | undefined {
  try {
    const s = (JSON.parse(body) as { status?: unknown }).status;
    return typeof s === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}
