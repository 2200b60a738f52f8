/**
 * What an operator would otherwise type into `init`, read from Azure Resource Manager: the
 * subscriptions the sign-in reaches, their resource groups, the storage accounts with kind and
 * region, and a credential for the drive manifest (a container SAS from `listServiceSas`, or an
 * account key from `listKeys`). Every key and SAS read here goes to the redactor before it is
 * returned, so no log line can show it.
 */
import { z } from 'zod';
import { AzureError } from '../errors.ts';
import { armClient, armUrl, seg } from './arm.ts';
import type { RestCall, RestClient, RestDeps } from './restClient.ts';
import { withSpinner } from '../deps/spinner.ts';
import type { TokenSource } from './token.ts';

const SUBSCRIPTIONS_API = '2022-12-01';
const RESOURCES_API = '2025-04-01';
const STORAGE_API = '2026-09-01';
/** A listing longer than this many pages is cut (an operator picks from the first ones). */
const MAX_PAGES = 20;

/** A subscription the sign-in reaches. */
export interface FoundSubscription {
  id: string;
  name: string;
  state: string;
}

/** A resource group. */
export interface FoundResourceGroup {
  name: string;
  location: string;
}

/** A storage account with what tells them apart. */
export interface FoundStorageAccount {
  name: string;
  resourceGroup: string;
  /** `StorageV2`, `BlobStorage`, `Storage`... */
  kind: string;
  location: string;
}

const Page = <T extends z.ZodType>(item: T) =>
  z.object({ value: z.array(item).default([]), nextLink: z.string().nullish() });

const SubscriptionSchema = z.object({
  subscriptionId: z.string(),
  displayName: z.string().optional(),
  state: z.string().optional(),
});
const ResourceGroupSchema = z.object({ name: z.string(), location: z.string() });
const StorageAccountSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string().optional(),
  location: z.string(),
});
const KeysSchema = z.object({
  keys: z
    .array(z.object({ keyName: z.string().optional(), value: z.string().optional() }))
    .default([]),
});
const ServiceSasSchema = z.object({ serviceSasToken: z.string().min(1) });

/** The resource group out of an ARM resource id. */
function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)\//i.exec(id)?.[1] ?? '';
}

/** Lists and fetches through ARM for `init`'s questions. */
export class ArmDiscovery {
  private readonly client: RestClient;
  private readonly base: string;
  private readonly deps: RestDeps;

  constructor(deps: RestDeps, base: string, tokens: TokenSource, timeoutMs?: number) {
    this.deps = deps;
    this.base = base;
    this.client = armClient('arm', deps, tokens, timeoutMs);
  }

  /** One ARM call, under a spinner naming it (ARM can take seconds to answer). */
  private call<S extends z.ZodType>(call: RestCall, schema: S): Promise<z.output<S>> {
    return withSpinner(this.deps.terminal, `asking Azure to ${call.op}`, () =>
      this.client.json(call, schema),
    );
  }

  /** Follows `nextLink` until the listing ends (or {@link MAX_PAGES}). */
  private async list<T extends z.ZodType>(
    op: string,
    url: string,
    item: T,
  ): Promise<z.output<T>[]> {
    const all: z.output<T>[] = [];
    let next: string | null | undefined = url;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const res: { value: z.output<T>[]; nextLink?: string | null | undefined } = await this.call(
        { op, method: 'GET', url: next },
        Page(item),
      );
      all.push(...res.value);
      next = res.nextLink;
    }
    return all;
  }

  /** The subscriptions the sign-in reaches, enabled ones first. */
  async subscriptions(): Promise<FoundSubscription[]> {
    const subs = await this.list(
      'list subscriptions',
      armUrl(this.base, '/subscriptions', SUBSCRIPTIONS_API),
      SubscriptionSchema,
    );
    return subs
      .map((s) => ({ id: s.subscriptionId, name: s.displayName ?? '', state: s.state ?? '' }))
      .sort((a, b) => Number(b.state === 'Enabled') - Number(a.state === 'Enabled'));
  }

  /** The resource groups of `subscription`, by name. */
  async resourceGroups(subscription: string): Promise<FoundResourceGroup[]> {
    const groups = await this.list(
      'list resource groups',
      armUrl(this.base, `/subscriptions/${seg(subscription)}/resourcegroups`, RESOURCES_API),
      ResourceGroupSchema,
    );
    return groups.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The storage accounts of `subscription`, by name. */
  async storageAccounts(subscription: string): Promise<FoundStorageAccount[]> {
    const accounts = await this.list(
      'list storage accounts',
      armUrl(
        this.base,
        `/subscriptions/${seg(subscription)}/providers/Microsoft.Storage/storageAccounts`,
        STORAGE_API,
      ),
      StorageAccountSchema,
    );
    return accounts
      .map((a) => ({
        name: a.name,
        resourceGroup: resourceGroupOf(a.id),
        kind: a.kind ?? '',
        location: a.location.toLowerCase().replace(/\s+/g, ''),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private accountPath(subscription: string, account: FoundStorageAccount, action: string): string {
    return armUrl(
      this.base,
      `/subscriptions/${seg(subscription)}/resourceGroups/${seg(account.resourceGroup)}/providers/Microsoft.Storage/storageAccounts/${seg(account.name)}/${action}`,
      STORAGE_API,
    );
  }

  /** The account's first key (`listKeys`), registered with the redactor. */
  async accountKey(subscription: string, account: FoundStorageAccount): Promise<string> {
    const res = await this.call(
      {
        op: `list the keys of storage account ${account.name}`,
        method: 'POST',
        url: this.accountPath(subscription, account, 'listKeys'),
      },
      KeysSchema,
    );
    for (const k of res.keys) this.deps.redactor.add(k.value);
    const key = res.keys.find((k) => k.value)?.value;
    if (!key)
      throw new AzureError(`storage account ${account.name} gave no key (listKeys)`, {
        hint: 'check that your role may list the account keys (Storage Account Key Operator), or use --fetch-credential sas',
      });
    return key;
  }

  /**
   * A container SAS (`listServiceSas`: read, write, delete, list on `container` over HTTPS until
   * `expiry`), registered with the redactor.
   */
  async containerSas(
    subscription: string,
    account: FoundStorageAccount,
    container: string,
    expiry: Date,
  ): Promise<string> {
    const res = await this.call(
      {
        op: `get a SAS of container ${account.name}/${container}`,
        method: 'POST',
        url: this.accountPath(subscription, account, 'ListServiceSas'),
        body: {
          canonicalizedResource: `/blob/${account.name}/${container}`,
          signedResource: 'c',
          signedPermission: 'rwdl',
          signedProtocol: 'https',
          signedExpiry: expiry.toISOString(),
        },
      },
      ServiceSasSchema,
    );
    this.deps.redactor.add(res.serviceSasToken);
    return res.serviceSasToken;
  }
}
