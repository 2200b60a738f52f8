/**
 * Entra ID tokens for Azure Resource Manager. A token obtained elsewhere can be handed in with
 * `DISKPREP_ACCESS_TOKEN` (scripts, tests: then @azure/identity is never loaded and nothing
 * reaches the network); otherwise @azure/identity's chain is tried: environment (service
 * principal), managed identity, Azure CLI.
 */
import type { Deps } from '../deps/types.ts';
import { AzureError } from '../errors.ts';
import type { Cloud } from './clouds.ts';

/** Gives a bearer token for ARM. */
export interface TokenSource {
  getToken(): Promise<string>;
}

/** The environment variable that carries a ready token. */
export const ACCESS_TOKEN_ENV = 'DISKPREP_ACCESS_TOKEN';

/** Refresh this long before a token expires. */
const EARLY_REFRESH_MS = 2 * 60_000;

/** Builds the token source for `cloud`. */
export function armTokenSource(
  deps: Pick<Deps, 'env' | 'redactor' | 'clock'>,
  cloud: Cloud,
): TokenSource {
  const given = deps.env[ACCESS_TOKEN_ENV];
  if (given !== undefined && given.trim() !== '') {
    const token = given.trim();
    deps.redactor.add(token);
    return { getToken: async () => token };
  }
  let cached: { token: string; expires: number } | undefined;
  return {
    async getToken() {
      if (cached && cached.expires - EARLY_REFRESH_MS > deps.clock.now().getTime())
        return cached.token;
      const identity = await import('@azure/identity');
      const options = { authorityHost: cloud.authorityHost };
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
