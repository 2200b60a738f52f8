/**
 * `diskprep whoami [--json]`: signs in the way every Azure command does (the same token source)
 * and says who that is — tenant, application / object id / user name from the token's claims,
 * when the token expires, the credential that gave it, and the subscriptions it reaches. The
 * token itself is never printed.
 */
import type { Deps } from '../../deps/types.ts';
import { ArmDiscovery, type FoundSubscription } from '../../importjob/discover.ts';
import { serviceEndpoints } from '../../importjob/endpoints.ts';
import { armTokenSource } from '../../importjob/token.ts';
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
  const spinner = deps.terminal.spinner('signing in');
  let subscriptions: FoundSubscription[];
  let token: string;
  try {
    token = await tokens.getToken();
    subscriptions = await new ArmDiscovery(deps, endpoints.arm, tokens).subscriptions();
  } finally {
    spinner.stop();
  }
  const claims = tokenClaims(token);
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
  if (subscriptions.length === 0) {
    deps.output.line('no subscription reachable: grant this account a role on one (Contributor)');
    return;
  }
  deps.output.line(`${count(subscriptions.length, 'subscription')} reachable:`);
  for (const s of subscriptions) deps.output.line(`  ${s.id}  ${s.name}  (${s.state})`);
}
