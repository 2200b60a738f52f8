/**
 * Entra ID tokens for Azure Resource Manager: the one token source of diskprep (the Azure
 * services and `diskprep check` both take it). A token obtained elsewhere can be handed in with
 * `DISKPREP_ACCESS_TOKEN` (scripts, tests: then @azure/identity is never loaded and nothing
 * reaches the network); otherwise @azure/identity's chain is tried: environment (service
 * principal), managed identity, Azure CLI.
 *
 * @azure/identity does not use the http seam: the proxy reaches its credentials as
 * `proxyOptions` (src/deps/proxy.ts), decided by the same rules as the seam. The Azure CLI runs
 * as its own process and reads HTTPS_PROXY itself.
 */
import { azureSdkProxyOptions } from '../deps/proxy.ts';
import type { Deps } from '../deps/types.ts';
import { AzureError } from '../errors.ts';
import type { Cloud } from '../publishsettings/clouds.ts';

/** The environment variable that carries a ready token. */
export const ACCESS_TOKEN_ENV = 'DISKPREP_ACCESS_TOKEN';

/** Gives bearer tokens for ARM. */
export interface TokenSource {
  /** Where the tokens come from. */
  readonly source: typeof ACCESS_TOKEN_ENV | '@azure/identity';
  /** True when a token comes without a call to the Entra ID sign-in host (a ready token). */
  readonly offline: boolean;
  getToken(): Promise<string>;
}

/** Refresh this long before a token expires. */
const EARLY_REFRESH_MS = 2 * 60_000;

/**
 * The Entra ID sign-in host of a run: `AZURE_AUTHORITY_HOST` (the variable @azure/identity
 * itself reads) when set, else the cloud's.
 */
export function authorityHostFor(cloud: Cloud, env: Deps['env']): string {
  return env.AZURE_AUTHORITY_HOST || cloud.entraEndpoint;
}

/**
 * Builds the token source for `cloud`.
 *
 * @param proxy - `--proxy` (HTTPS_PROXY / NO_PROXY from `deps.env` apply otherwise)
 */
export function armTokenSource(
  deps: Pick<Deps, 'env' | 'redactor' | 'clock'>,
  cloud: Cloud,
  proxy?: string,
): TokenSource {
  const given = deps.env[ACCESS_TOKEN_ENV];
  if (given !== undefined && given.trim() !== '') {
    const token = given.trim();
    deps.redactor.add(token);
    return { source: ACCESS_TOKEN_ENV, offline: true, getToken: async () => token };
  }
  const authorityHost = authorityHostFor(cloud, deps.env);
  let cached: { token: string; expires: number } | undefined;
  return {
    source: '@azure/identity',
    offline: false,
    async getToken() {
      if (cached && cached.expires - EARLY_REFRESH_MS > deps.clock.now().getTime())
        return cached.token;
      const identity = await import('@azure/identity');
      const proxyOptions = azureSdkProxyOptions(authorityHost, { proxy, env: deps.env });
      const options = { authorityHost, ...(proxyOptions ? { proxyOptions } : {}) };
      const chain = new identity.ChainedTokenCredential(
        new identity.EnvironmentCredential(options),
        new identity.ManagedIdentityCredential(options),
        new identity.AzureCliCredential(),
      );
      let result;
      try {
        result = await chain.getToken(cloud.armScope);
      } catch (err) {
        throw new AzureError(
          'cannot get an Azure sign-in token (environment, managed identity, Azure CLI all failed)',
          {
            code: 'ERR_DISKPREP_AZURE_AUTH',
            hint: `run "az login" (or "az cloud set" for a sovereign cloud), set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or put a token in ${ACCESS_TOKEN_ENV}`,
            cause: err,
          },
        );
      }
      deps.redactor.add(result.token);
      cached = { token: result.token, expires: result.expiresOnTimestamp };
      return result.token;
    },
  };
}
