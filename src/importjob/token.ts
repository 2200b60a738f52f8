/**
 * Entra ID tokens for Azure Resource Manager: the one token source of diskprep (the Azure
 * services and `diskprep check` both take it). A token obtained elsewhere can be handed in with
 * `DISKPREP_ACCESS_TOKEN` (scripts, tests: then @azure/identity is never loaded and nothing
 * reaches the network). An application certificate (`--client-certificate`, else
 * `AZURE_CLIENT_CERTIFICATE_PATH`: ./clientCertificate.ts) is then the one credential, so the
 * flags win over whatever else the environment holds. `--login browser|device-code` likewise
 * makes the operator's own sign-in (src/signin/interactive.ts) the one credential. Otherwise
 * @azure/identity's chain is tried ({@link chainPlan}): environment (service principal), managed
 * identity, Azure CLI, Azure PowerShell, then the operator's sign-in — the saved one silently,
 * and a prompt only when a terminal is there.
 *
 * @azure/identity does not use the http seam: the proxy reaches its credentials as
 * `proxyOptions` (src/deps/proxy.ts), decided by the same rules as the seam. The Azure CLI runs
 * as its own process and reads HTTPS_PROXY itself.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { azureSdkProxyOptions } from '../deps/proxy.ts';
import type { Deps } from '../deps/types.ts';
import { AzureError, DiskprepError, UsageError } from '../errors.ts';
import type { AzureOptions } from '../model/importJob.ts';
import type { Cloud } from '../publishsettings/clouds.ts';
import { type InteractiveSettings, SavedOrInteractiveSignIn } from '../signin/interactive.ts';
import { entraReason } from '../signin/entraReason.ts';
import { loginMethod } from '../signin/loginMethod.ts';
import { type TokenCache, tokenCacheMode } from '../signin/tokenCache.ts';
import { type CertificateSignIn, certificateSignIn, readCertificate } from './clientCertificate.ts';

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
  /** The persistent token cache the operator's sign-in used, when it opened one. */
  tokenCache?(): Promise<TokenCache | undefined>;
}

/** A credential of the chain, named for `whoami`. */
export interface NamedCredential {
  /** Read after the credential answered (the operator's sign-in says whether it was the saved one). */
  readonly name: string;
  credential: TokenCredential;
}

/** The credentials a run tries, in order. */
export type ChainLink =
  | 'ClientCertificateCredential'
  | 'EnvironmentCredential'
  | 'ManagedIdentityCredential'
  | 'AzureCliCredential'
  | 'AzurePowerShellCredential'
  | 'SignIn';

/**
 * The credentials a run tries, in order: the certificate alone when one is named; the operator's
 * sign-in alone with `--login`; else the chain, ending with the operator's sign-in (which prompts
 * only when `interactive`, and otherwise still uses a saved sign-in silently).
 */
export function chainPlan(choice: { certificate: boolean; login: boolean }): {
  links: ChainLink[];
  mayPrompt: 'always' | 'when-interactive';
} {
  if (choice.certificate) return { links: ['ClientCertificateCredential'], mayPrompt: 'always' };
  if (choice.login) return { links: ['SignIn'], mayPrompt: 'always' };
  return {
    links: [
      'EnvironmentCredential',
      'ManagedIdentityCredential',
      'AzureCliCredential',
      'AzurePowerShellCredential',
      'SignIn',
    ],
    mayPrompt: 'when-interactive',
  };
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
  deps: Pick<
    Deps,
    'env' | 'redactor' | 'clock' | 'fs' | 'cwd' | 'platform' | 'prompt' | 'terminal' | 'signal'
  >,
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
  if (certificate && azure.login)
    throw new UsageError('--login and --client-certificate are two different sign-ins', {
      hint: 'pass one: --login for your own account, --client-certificate for an application',
    });
  const plan = chainPlan({
    certificate: certificate !== undefined,
    login: azure.login !== undefined,
  });
  // Decided now, before any network call: a bad --login or DISKPREP_TOKEN_CACHE is a usage error.
  const settings = interactiveSettings(deps, cloud, proxy, azure);
  const signIn = certificate
    ? undefined
    : new SavedOrInteractiveSignIn(
        deps,
        settings,
        plan.mayPrompt === 'always' || deps.prompt.interactive,
      );
  let cached: { token: string; expires: number } | undefined;
  let used: string | undefined;
  let chain: NamedCredential[] | undefined;

  return {
    source: '@azure/identity',
    offline: false,
    credential: () => used,
    tokenCache: async () => signIn?.cacheInUse(),
    async getToken() {
      if (cached && cached.expires - EARLY_REFRESH_MS > deps.clock.now().getTime())
        return cached.token;
      chain ??= await buildChain(deps, plan, settings, azure, certificate, signIn);
      const { name, result } = await firstToken(chain, cloud.armScope, certificate !== undefined);
      deps.redactor.add(result.token);
      cached = { token: result.token, expires: result.expiresOnTimestamp };
      used = name;
      return result.token;
    },
  };
}

/**
 * How the operator's own sign-in runs for `cloud` and the options: the sign-in host, the
 * options every @azure/identity credential gets (instance discovery off for a host that is not
 * the cloud's own, the proxy), tenant, client id, method (./signin/loginMethod.ts) and cache mode.
 *
 * @throws UsageError for `--login browser` without a desktop or a bad DISKPREP_TOKEN_CACHE
 */
export function interactiveSettings(
  deps: Pick<Deps, 'env' | 'platform'>,
  cloud: Cloud,
  proxy: string | undefined,
  azure: AzureOptions,
): InteractiveSettings {
  const authorityHost = authorityHostFor(cloud, deps.env);
  const proxyOptions = azureSdkProxyOptions(authorityHost, { proxy, env: deps.env });
  return {
    authorityHost,
    sdkOptions: {
      // A sign-in host that is not the cloud's own (a private or test authority) cannot be
      // looked up in Microsoft's instance discovery.
      ...(trimSlash(authorityHost) !== trimSlash(cloud.entraEndpoint)
        ? { disableInstanceDiscovery: true }
        : {}),
      ...(proxyOptions ? { proxyOptions } : {}),
    },
    tenant: azure.tenant ?? (deps.env.AZURE_TENANT_ID || undefined),
    clientId: azure.clientId,
    method: loginMethod(azure.login, deps),
    cacheMode: tokenCacheMode(azure.tokenCache, deps.env),
    scope: cloud.armScope,
  };
}

/** The credentials of `plan`, built (@azure/identity loaded) at the first token asked for. */
async function buildChain(
  deps: Pick<Deps, 'fs' | 'cwd' | 'redactor'>,
  plan: { links: ChainLink[] },
  settings: InteractiveSettings,
  azure: AzureOptions,
  certificate: CertificateSignIn | undefined,
  signIn: SavedOrInteractiveSignIn | undefined,
): Promise<NamedCredential[]> {
  const identity = await import('@azure/identity');
  const options = { authorityHost: settings.authorityHost, ...settings.sdkOptions };
  if (certificate) {
    const material = await readCertificate(deps, certificate);
    const credential = new identity.ClientCertificateCredential(
      certificate.tenant,
      certificate.clientId,
      {
        certificate: material.pem,
        ...(material.password ? { certificatePassword: material.password } : {}),
      },
      options,
    );
    return [named('ClientCertificateCredential', credential)];
  }
  const tenant = azure.tenant ? { tenantId: azure.tenant } : {};
  const make: Record<Exclude<ChainLink, 'ClientCertificateCredential'>, () => NamedCredential> = {
    EnvironmentCredential: () =>
      named('EnvironmentCredential', new identity.EnvironmentCredential(options)),
    ManagedIdentityCredential: () =>
      named('ManagedIdentityCredential', new identity.ManagedIdentityCredential(options)),
    AzureCliCredential: () => named('AzureCliCredential', new identity.AzureCliCredential(tenant)),
    AzurePowerShellCredential: () =>
      named('AzurePowerShellCredential', new identity.AzurePowerShellCredential(tenant)),
    SignIn: () => ({
      // Read after it answered: says whether the saved sign-in or a prompt gave the token.
      get name() {
        return signIn!.name;
      },
      credential: signIn!,
    }),
  };
  return plan.links.map((link) => make[link as keyof typeof make]());
}

function named(name: string, credential: TokenCredential): NamedCredential {
  return { name, credential };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

/**
 * The first token the chain gives, like @azure/identity's ChainedTokenCredential (a credential
 * that is not available passes to the next, one that fails stops the chain) but knowing which
 * credential answered.
 *
 * @throws AzureError (exit 4) naming the sign-in that failed; a DiskprepError a credential threw
 *   (a saved sign-in Entra ID refused, an interruption) as it is
 */
export async function firstToken(
  chain: readonly NamedCredential[],
  scope: string,
  certificate: boolean,
): Promise<{ name: string; result: AccessToken }> {
  const failures: unknown[] = [];
  for (const link of chain) {
    try {
      const result = await link.credential.getToken(scope);
      // The name is read after the answer: the operator's sign-in says whether it was the saved one.
      if (result) return { name: link.name, result };
    } catch (err) {
      failures.push(err);
      if ((err as Error).name !== 'CredentialUnavailableError') break;
    }
  }
  const cause = failures.at(-1);
  if (cause instanceof DiskprepError) throw cause;
  if (certificate)
    throw new AzureError(`the sign-in with the client certificate failed: ${entraReason(cause)}`, {
      code: 'ERR_DISKPREP_AZURE_AUTH',
      hint: 'check --tenant, --client-id and that this certificate is registered with the application (Certificates & secrets)',
      cause,
    });
  throw new AzureError(
    'cannot get an Azure sign-in token: not signed in (no environment credential, managed identity, Azure CLI, Azure PowerShell or saved sign-in answered)',
    {
      code: 'ERR_DISKPREP_AZURE_AUTH',
      hint: `sign in with "diskprep login" (or "az login"), set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, sign in with --client-certificate, or put a token in ${ACCESS_TOKEN_ENV}`,
      cause,
    },
  );
}
