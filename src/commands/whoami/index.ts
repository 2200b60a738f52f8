/**
 * `diskprep whoami [--json]`: signs in the way every Azure command does (the same token source)
 * and says who that is — tenant, application / object id / user name from the token's claims,
 * when the token expires, the credential that gave it, and the subscriptions it reaches. The
 * token itself is never printed.
 */
import type { Deps } from '../../deps/types.ts';
import { ArmDiscovery, type FoundSubscription } from '../../importjob/discover.ts';
import { serviceEndpoints } from '../../importjob/endpoints.ts';
import { armTokenSource, type TokenSource } from '../../importjob/token.ts';
import { readSignInRecord, signInRecordFile } from '../../registry/signInRecord.ts';
import { tokenClaims } from '../../importjob/tokenClaims.ts';
import type { AzureOptions } from '../../model/importJob.ts';
import { count } from '../../format.ts';

/** Options of {@link whoami}. */
export interface WhoamiOptions {
  azure: AzureOptions;
  proxy?: string | undefined;
}

/** Signs in, then prints the identity and the subscriptions it reaches. */
export async function whoami(options: WhoamiOptions, deps: Deps): Promise<void> {
  const endpoints = serviceEndpoints(options.azure, deps.env);
  const tokens = armTokenSource(deps, endpoints.cloud, options.proxy, options.azure);
  // Signed in before the spinner starts: a device-code prompt must not be drawn over.
  const token = await tokens.getToken();
  const spinner = deps.terminal.spinner('listing subscriptions');
  let subscriptions: FoundSubscription[];
  try {
    subscriptions = await new ArmDiscovery(deps, endpoints.arm, tokens).subscriptions();
  } finally {
    spinner.stop();
  }
  const claims = tokenClaims(token);
  const cache = await cacheInfo(deps, tokens);
  const result = {
    credential: tokens.credential() ?? tokens.source,
    cloud: endpoints.cloud.name,
    authority: endpoints.login,
    tenant: claims.tenant ?? null,
    account: {
      appId: claims.appId ?? null,
      objectId: claims.objectId ?? null,
      upn: claims.upn ?? null,
    },
    expiresOn: claims.expiresOn?.toISOString() ?? null,
    tokenCache: cache.tokenCache,
    savedSignIn: cache.savedSignIn,
    subscriptions,
  };
  if (deps.output.jsonMode) {
    deps.output.json(result);
    return;
  }
  const who = claims.upn ?? (claims.appId ? `application ${claims.appId}` : 'an unnamed account');
  deps.output.line(
    `signed in as ${who}${claims.objectId ? ` (object id ${claims.objectId})` : ''} with ${result.credential}`,
  );
  deps.output.line(
    `tenant: ${claims.tenant ?? 'not in the token'} (${endpoints.cloud.name} cloud, ${endpoints.login})`,
  );
  deps.output.line(`token expires: ${result.expiresOn ?? 'not stated in the token'}`);
  deps.output.line(`token cache: ${describeCache(cache.tokenCache)}`);
  if (cache.savedSignIn)
    deps.output.line(`saved sign-in: ${cache.savedSignIn.account} (${cache.savedSignIn.file})`);
  if (subscriptions.length === 0) {
    deps.output.line('no subscription reachable: grant this account a role on one (Contributor)');
    return;
  }
  deps.output.line(`${count(subscriptions.length, 'subscription')} reachable:`);
  for (const s of subscriptions) deps.output.line(`  ${s.id}  ${s.name}  (${s.state})`);
}

/** Where the sign-in is kept: the cache this run used, else the saved sign-in's. */
async function cacheInfo(
  deps: Deps,
  tokens: TokenSource,
): Promise<{
  tokenCache: { store: string; encrypted: boolean; file: string } | null;
  savedSignIn: { account: string; file: string } | null;
}> {
  const saved = await readSignInRecord(deps);
  const used = await tokens.tokenCache?.();
  const cache = used ?? saved?.tokenCache;
  return {
    tokenCache: cache ? { store: cache.store, encrypted: cache.encrypted, file: cache.file } : null,
    savedSignIn: saved ? { account: saved.record.username, file: signInRecordFile(deps) } : null,
  };
}

function describeCache(cache: { store: string; encrypted: boolean; file: string } | null): string {
  if (!cache) return 'none (this sign-in is not kept by diskprep)';
  if (!cache.encrypted) return `${cache.store}, mode 0600: ${cache.file}`;
  return `${cache.store}, encrypted${cache.store.endsWith('file') ? `: ${cache.file}` : ''}`;
}
