/**
 * Entra ID tokens for Azure Resource Manager: the one token source of diskprep (the Azure
 * services and `diskprep check` both take it). A token obtained elsewhere can be handed in with
 * `DISKPREP_ACCESS_TOKEN` (scripts, tests: then @azure/identity is never loaded and nothing
 * reaches the network). An application certificate (`--client-certificate`, else
 * `AZURE_CLIENT_CERTIFICATE_PATH`: ./clientCertificate.ts) is then the one credential, so the
 * flags win over whatever else the environment holds. Otherwise @azure/identity's chain is
 * tried: environment (service principal), managed identity, Azure CLI.
 *
 * @azure/identity does not use the http seam: the proxy reaches its credentials as
 * `proxyOptions` (src/deps/proxy.ts), decided by the same rules as the seam. The Azure CLI runs
 * as its own process and reads HTTPS_PROXY itself.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { azureSdkProxyOptions } from '../deps/proxy.ts';
import type { Deps } from '../deps/types.ts';
import { AzureError } from '../errors.ts';
import type { AzureOptions } from '../model/importJob.ts';
import type { Cloud } from '../publishsettings/clouds.ts';
import { certificateSignIn, readCertificate } from './clientCertificate.ts';

/** The environment variable that carries a ready token. */
export const ACCESS_TOKEN_ENV = 'DISKPREP_ACCESS_TOKEN';

/** Gives bearer tokens for ARM. */
export interface TokenSource {
  /** Where the tokens come from. */
  readonly source: typeof ACCESS_TOKEN_ENV | '@azure/identity';
  /** True when a token comes without a call to the Entra ID sign-in host (a ready token). */
  readonly offline: boolean;
  getToken(): Promise<string>;
  /** Which credential gave the last token (undefined before the first), e.g. `ClientCertificateCredential`. */
  credential(): string | undefined;
}

/** A credential of the chain, named for `whoami`. */
interface NamedCredential {
  name: string;
  credential: TokenCredential;
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
 * @param azure - `--tenant`, `--client-id`, `--client-certificate(-password)`
 * @throws UsageError when the sign-in options contradict each other (before any network call)
 */
export function armTokenSource(
  deps: Pick<Deps, 'env' | 'redactor' | 'clock' | 'fs' | 'cwd'>,
  cloud: Cloud,
  proxy?: string,
  azure: AzureOptions = {},
): TokenSource {
  const given = deps.env[ACCESS_TOKEN_ENV];
  if (given !== undefined && given.trim() !== '') {
    const token = given.trim();
    deps.redactor.add(token);
    return {
      source: ACCESS_TOKEN_ENV,
      offline: true,
      getToken: async () => token,
      credential: () => ACCESS_TOKEN_ENV,
    };
  }
  if (azure.clientCertificatePassword) deps.redactor.add(azure.clientCertificatePassword);
  const certificate = certificateSignIn(azure, deps.env);
  const authorityHost = authorityHostFor(cloud, deps.env);
  let cached: { token: string; expires: number } | undefined;
  let used: string | undefined;
  let chain: NamedCredential[] | undefined;

  async function credentials(): Promise<NamedCredential[]> {
    const identity = await import('@azure/identity');
    const proxyOptions = azureSdkProxyOptions(authorityHost, { proxy, env: deps.env });
    const options = {
      authorityHost,
      // A sign-in host that is not the cloud's own (a private or test authority) cannot be
      // looked up in Microsoft's instance discovery.
      ...(trimSlash(authorityHost) !== trimSlash(cloud.entraEndpoint)
        ? { disableInstanceDiscovery: true }
        : {}),
      ...(proxyOptions ? { proxyOptions } : {}),
    };
    if (certificate) {
      const material = await readCertificate(deps, certificate);
      return [
        {
          name: 'ClientCertificateCredential',
          credential: new identity.ClientCertificateCredential(
            certificate.tenant,
            certificate.clientId,
            {
              certificate: material.pem,
              ...(material.password ? { certificatePassword: material.password } : {}),
            },
            options,
          ),
        },
      ];
    }
    const tenant = azure.tenant ? { tenantId: azure.tenant } : {};
    return [
      { name: 'EnvironmentCredential', credential: new identity.EnvironmentCredential(options) },
      {
        name: 'ManagedIdentityCredential',
        credential: new identity.ManagedIdentityCredential(options),
      },
      { name: 'AzureCliCredential', credential: new identity.AzureCliCredential(tenant) },
    ];
  }

  return {
    source: '@azure/identity',
    offline: false,
    credential: () => used,
    async getToken() {
      if (cached && cached.expires - EARLY_REFRESH_MS > deps.clock.now().getTime())
        return cached.token;
      chain ??= await credentials();
      const { name, result } = await firstToken(chain, cloud.armScope, certificate !== undefined);
      deps.redactor.add(result.token);
      cached = { token: result.token, expires: result.expiresOnTimestamp };
      used = name;
      return result.token;
    },
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

/**
 * The first token the chain gives, like @azure/identity's ChainedTokenCredential (a credential
 * that is not available passes to the next, one that fails stops the chain) but knowing which
 * credential answered.
 *
 * @throws AzureError (exit 4) naming the sign-in that failed
 */
async function firstToken(
  chain: readonly NamedCredential[],
  scope: string,
  certificate: boolean,
): Promise<{ name: string; result: AccessToken }> {
  const failures: unknown[] = [];
  for (const { name, credential } of chain) {
    try {
      const result = await credential.getToken(scope);
      if (result) return { name, result };
    } catch (err) {
      failures.push(err);
      if ((err as Error).name !== 'CredentialUnavailableError') break;
    }
  }
  const cause = failures.at(-1);
  if (certificate)
    throw new AzureError(`the sign-in with the client certificate failed: ${entraReason(cause)}`, {
      code: 'ERR_DISKPREP_AZURE_AUTH',
      hint: 'check --tenant, --client-id and that this certificate is registered with the application (Certificates & secrets)',
      cause,
    });
  throw new AzureError(
    'cannot get an Azure sign-in token (environment, managed identity, Azure CLI all failed)',
    {
      code: 'ERR_DISKPREP_AZURE_AUTH',
      hint: `run "az login" (or "az cloud set" for a sovereign cloud), set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, sign in with --client-certificate, or put a token in ${ACCESS_TOKEN_ENV}`,
      cause,
    },
  );
}

/** The Entra error code of a failed sign-in (AADSTS700027, invalid_client...), one short phrase. */
function entraReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const aadsts = /AADSTS\d+/.exec(text)?.[0];
  const code = /\b(invalid_client|invalid_request|unauthorized_client|invalid_grant)\b/.exec(
    text,
  )?.[1];
  if (aadsts || code) return [code, aadsts].filter(Boolean).join(' ');
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|certificate/i.test(text))
    return 'the sign-in host could not be reached';
  return 'Entra ID refused it';
}
