/**
 * The Data Box lines of `diskprep check`: Microsoft.DataBox registered for the subscription, and
 * the customer-disk SKU offered (availableSkus, the same call the create step makes) for the
 * job's region and the country the drives ship from.
 */
import type { Deps } from '../../deps/types.ts';
import { availableSkusCall, DATABOX_API_VERSION } from '../../importjob/databox.ts';
import type { TokenSource } from '../../importjob/token.ts';
import { armCall } from './subscriptionState.ts';
import type { CheckResult } from './types.ts';

/** api-version of `GET /subscriptions/{id}/providers/{namespace}`. */
export const PROVIDERS_API_VERSION = '2021-04-01';

const PROVIDER_TITLE = 'Microsoft.DataBox registered';
const SKU_TITLE = 'customer-disk SKU available';

/** Where the Data Box calls go, and what the job says about its place. */
export interface DataBoxCheckInput {
  tokens: TokenSource;
  armBase: string;
  subscription: string;
  resourceGroup: string | undefined;
  location: string | undefined;
  country: string | undefined;
}

/** Both lines as skips, with the reason they could not run. */
export function dataBoxSkipped(why: string): CheckResult[] {
  return [
    { id: 'provider', title: PROVIDER_TITLE, status: 'skip', detail: why },
    { id: 'sku', title: SKU_TITLE, status: 'skip', detail: why },
  ];
}

/** The provider line, then the SKU line. */
export async function checkDataBox(deps: Deps, input: DataBoxCheckInput): Promise<CheckResult[]> {
  return [await checkProvider(deps, input), await checkSku(deps, input)];
}

async function checkProvider(deps: Deps, input: DataBoxCheckInput): Promise<CheckResult> {
  const { subscription: sub } = input;
  const line = { id: 'provider', title: PROVIDER_TITLE } as const;
  const r = await armCall(deps, input.tokens, input.armBase, {
    method: 'GET',
    path: `/subscriptions/${encodeURIComponent(sub)}/providers/Microsoft.DataBox?api-version=${PROVIDERS_API_VERSION}`,
  });
  if (!r.ok)
    return {
      ...line,
      status: 'fail',
      detail: `cannot read the registration: ${r.reason}`,
      fix: 'check your role on the subscription (Reader at least)',
    };
  const state = (r.json as { registrationState?: string }).registrationState ?? 'unknown';
  const data = { registrationState: state };
  if (state === 'Registered') return { ...line, status: 'ok', detail: 'Registered', data };
  if (state === 'Registering')
    return {
      ...line,
      status: 'warn',
      detail: 'Registering (takes a few minutes)',
      fix: 'wait until it shows Registered',
      data,
    };
  return {
    ...line,
    status: 'fail',
    detail: state,
    fix: `register it: az provider register --namespace Microsoft.DataBox --subscription ${sub} (or Portal → Subscriptions → Resource providers)`,
    data,
  };
}

interface AvailableSku {
  sku?: { name?: string };
  enabled?: boolean;
  properties?: {
    disabledReason?: string;
    disabledReasonMessage?: string;
    requiredFeature?: string;
  };
}

async function checkSku(deps: Deps, input: DataBoxCheckInput): Promise<CheckResult> {
  const { resourceGroup, location, country } = input;
  const line = { id: 'sku', title: SKU_TITLE } as const;
  if (!resourceGroup || !location || !country) {
    const missing = [
      !resourceGroup && 'resource group',
      !location && 'region',
      !country && 'country (--country)',
    ].filter(Boolean);
    return {
      ...line,
      status: 'skip',
      detail: `availableSkus needs the job's ${missing.join(', ')}; record them with diskprep init${country ? '' : ' and pass --country <ISO code>'}`,
    };
  }
  const call = availableSkusCall(
    { subscription: input.subscription, resourceGroup },
    location,
    country,
  );
  const r = await armCall(deps, input.tokens, input.armBase, {
    method: 'POST',
    path: `${call.path}?api-version=${DATABOX_API_VERSION}`,
    body: call.body,
  });
  if (!r.ok)
    return {
      ...line,
      status: 'fail',
      detail: `availableSkus failed: ${r.reason}`,
      fix: 'check the region and the resource group of the job',
    };
  const items = (r.json as { value?: AvailableSku[] }).value ?? [];
  const item = items.find((i) => i.sku?.name === 'DataBoxCustomerDisk');
  if (!item)
    return {
      ...line,
      status: 'fail',
      detail: `DataBoxCustomerDisk is not offered in ${location} for ${country}`,
      fix: 'pick another region for the job (diskprep init --location)',
    };
  if (item.enabled)
    return {
      ...line,
      status: 'ok',
      detail: `DataBoxCustomerDisk enabled in ${location} (${country})`,
      data: { location, country },
    };
  const p = item.properties ?? {};
  return {
    ...line,
    status: 'fail',
    detail: `DataBoxCustomerDisk disabled in ${location}: ${p.disabledReason ?? 'no reason given'}${p.disabledReasonMessage ? ` (${p.disabledReasonMessage})` : ''}`,
    fix: p.requiredFeature
      ? `register the feature ${p.requiredFeature} for Microsoft.DataBox`
      : 'pick another region, or ask Azure support to enable it for the subscription',
    data: { disabledReason: p.disabledReason ?? null },
  };
}
