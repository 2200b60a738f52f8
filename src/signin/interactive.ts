/**
 * The operator's own sign-in: a browser (InteractiveBrowserCredential) or a device code
 * (DeviceCodeCredential) as Azure CLI's public client (or `--client-id`), its tokens kept in the
 * persistent cache (./tokenCache.ts) and its AuthenticationRecord saved
 * (src/registry/signInRecord.ts), so the next process signs in silently: MSAL finds the account's
 * tokens in the cache, uses the access token while it is valid and the refresh token after.
 *
 * One credential for the chain ({@link SavedOrInteractiveSignIn}): the saved sign-in first,
 * silently; when there is none, or Entra ID refuses its refresh token (expired, revoked), a
 * prompt — only when the run may show one (a terminal, or `--login`). Without a prompt a refused
 * saved sign-in stops with one line: sign in again with `diskprep login`. The device-code message
 * goes to stderr, never stdout.
 */
import type {
  AccessToken,
  AuthenticationRecord,
  DeviceCodeCredentialOptions,
  GetTokenOptions,
  TokenCredential,
} from '@azure/identity';
import type { azureSdkProxyOptions } from '../deps/proxy.ts';
import type { Deps } from '../deps/types.ts';
import { AzureError, DiskprepError, InterruptedError } from '../errors.ts';
import { entraReason } from './entraReason.ts';
import { screenColumns, wrapLine } from '../format.ts';
import {
  type LoginMethod,
  readSignInRecord,
  saveSignInRecord,
  type SignInRecord,
} from '../registry/signInRecord.ts';
import {
  openTokenCache,
  secureCacheFile,
  type TokenCache,
  type TokenCacheMode,
} from './tokenCache.ts';

/** Azure CLI's public client id: the application an operator's sign-in uses unless `--client-id`. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/** The error code of a saved sign-in Entra ID no longer honours. */
export const SIGN_IN_AGAIN_CODE = 'ERR_DISKPREP_SIGN_IN_AGAIN';

type SignInDeps = Pick<Deps, 'env' | 'platform' | 'fs' | 'terminal' | 'clock' | 'signal'>;

/** How to sign in interactively. */
export interface InteractiveSettings {
  /** The Entra ID sign-in host. */
  authorityHost: string;
  /** Passed to every credential: instance discovery off for a private host, the proxy. */
  sdkOptions: {
    disableInstanceDiscovery?: boolean;
    proxyOptions?: NonNullable<ReturnType<typeof azureSdkProxyOptions>>;
  };
  /** `--tenant` (else AZURE_TENANT_ID); undefined: `organizations`, the account's home tenant. */
  tenant?: string | undefined;
  /** `--client-id`; undefined: Azure CLI's. */
  clientId?: string | undefined;
  method: LoginMethod;
  cacheMode: TokenCacheMode;
  /** The ARM scope. */
  scope: string;
}

/** What an interactive sign-in left. */
export interface SignInResult {
  record: AuthenticationRecord;
  method: LoginMethod;
  /** The cache the tokens went to; undefined when none (then nothing was saved). */
  cache: TokenCache | undefined;
  /** The saved record's file, when saved. */
  recordFile: string | undefined;
}

/** The class name of a method's credential (what `whoami` names). */
export function credentialName(method: LoginMethod): string {
  return method === 'browser' ? 'InteractiveBrowserCredential' : 'DeviceCodeCredential';
}

/** A credential that can also sign in with a prompt and say who signed in. */
type PromptingCredential = TokenCredential & {
  authenticate(scope: string, options?: GetTokenOptions): Promise<AuthenticationRecord | undefined>;
};

/** Builds the credential of `method` (@azure/identity loaded here, lazily). */
async function makeCredential(
  deps: SignInDeps,
  settings: InteractiveSettings,
  method: LoginMethod,
  extra: {
    tenantId: string;
    clientId: string;
    cache: TokenCache | undefined;
    authenticationRecord?: AuthenticationRecord;
  },
): Promise<PromptingCredential> {
  const identity = await import('@azure/identity');
  const options: DeviceCodeCredentialOptions = {
    authorityHost: settings.authorityHost,
    ...settings.sdkOptions,
    tenantId: extra.tenantId,
    clientId: extra.clientId,
    ...(extra.cache ? { tokenCachePersistenceOptions: extra.cache.options } : {}),
    ...(extra.authenticationRecord
      ? { authenticationRecord: extra.authenticationRecord, disableAutomaticAuthentication: true }
      : {}),
  };
  if (method === 'browser') return new identity.InteractiveBrowserCredential(options);
  return new identity.DeviceCodeCredential({
    ...options,
    // People read it; stdout stays for results. Wrapped on a terminal only: a script reading
    // stderr finds the message on one line, as Entra wrote it.
    userPromptCallback: (info) => {
      const lines = deps.terminal.isTTY
        ? wrapLine(info.message, screenColumns(deps.terminal))
        : [info.message];
      for (const l of lines) deps.terminal.info(l);
    },
  });
}

/**
 * Signs in with a prompt (browser or device code) and, when a cache holds the tokens, saves the
 * AuthenticationRecord for the next process. `diskprep login` and the chain's prompt both use it.
 */
export async function signInInteractively(
  deps: SignInDeps,
  settings: InteractiveSettings,
  cache: TokenCache | undefined,
  /** A credential already open on the cache (the saved sign-in's, asking again): reused. */
  existing?: PromptingCredential,
): Promise<{ result: SignInResult; credential: TokenCredential }> {
  const credential =
    existing ??
    (await makeCredential(deps, settings, settings.method, {
      tenantId: settings.tenant ?? 'organizations',
      clientId: settings.clientId ?? AZURE_CLI_CLIENT_ID,
      cache,
    }));
  // Ctrl-C stops the device-code polling (and the browser's wait) at once.
  const record = await interruptible(deps, () =>
    credential.authenticate(settings.scope, { abortSignal: deps.signal }),
  );
  if (!record) throw new AzureError('the sign-in ended without an account');
  let recordFile: string | undefined;
  if (cache) {
    await secureCache(deps, cache);
    recordFile = await saveSignInRecord(deps, {
      version: 1,
      method: settings.method,
      authorityHost: settings.authorityHost,
      record: {
        authority: record.authority,
        homeAccountId: record.homeAccountId,
        clientId: record.clientId,
        tenantId: record.tenantId,
        username: record.username,
      },
      tokenCache: { store: cache.store, encrypted: cache.encrypted, file: cache.file },
      savedAt: deps.clock.now().toISOString(),
    });
  }
  return { result: { record, method: settings.method, cache, recordFile }, credential };
}

/** Keeps an unencrypted cache file at 0600 after MSAL wrote it. */
async function secureCache(deps: SignInDeps, cache: TokenCache): Promise<void> {
  if (!cache.encrypted) await secureCacheFile(deps, cache.file);
}

/** Runs a sign-in step; Ctrl-C (the run's signal) ends it as an interruption. */
async function interruptible<T>(deps: SignInDeps, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (deps.signal.aborted)
      throw new InterruptedError('the sign-in was interrupted', { cause: err });
    throw err;
  }
}

/** True when the saved sign-in belongs to this host, tenant and client. */
function fits(saved: SignInRecord, settings: InteractiveSettings): boolean {
  const host = (url: string) => url.replace(/\/+$/, '').toLowerCase();
  return (
    host(saved.authorityHost) === host(settings.authorityHost) &&
    (!settings.tenant || saved.record.tenantId === settings.tenant) &&
    (!settings.clientId || saved.record.clientId === settings.clientId)
  );
}

/** The unavailable-credential error @azure/identity's chains pass over. */
class SignInUnavailable extends Error {
  override name = 'CredentialUnavailableError';
}

/**
 * The chain's last credential: the saved sign-in silently, then (when `mayPrompt`) a prompt.
 * {@link SavedOrInteractiveSignIn.name} says which credential gave the last token.
 */
export class SavedOrInteractiveSignIn implements TokenCredential {
  name: string;
  private cache: Promise<TokenCache | undefined> | undefined;
  private live: TokenCredential | undefined;
  private readonly deps: SignInDeps;
  private readonly settings: InteractiveSettings;
  private readonly mayPrompt: boolean;

  constructor(deps: SignInDeps, settings: InteractiveSettings, mayPrompt: boolean) {
    this.deps = deps;
    this.settings = settings;
    this.mayPrompt = mayPrompt;
    this.name = credentialName(settings.method);
  }

  async getToken(scope: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    const { deps, settings } = this;
    const request = { ...options, abortSignal: deps.signal };
    if (this.live) return this.afterToken(await this.live.getToken(scope, request));
    const saved = settings.cacheMode === 'off' ? undefined : await readSignInRecord(deps);
    const usable = saved && fits(saved, settings) ? saved : undefined;
    // Without a saved sign-in or a prompt there is nothing to open the cache for.
    if (!usable && !this.mayPrompt)
      throw new SignInUnavailable('no saved sign-in, and no terminal to sign in at');
    const cache = await this.openCache();
    let again: PromptingCredential | undefined;
    if (usable && cache) {
      const attempt = await this.trySaved(usable, cache, scope, request);
      if ('token' in attempt) return attempt.token;
      again = attempt.again;
    }
    if (!this.mayPrompt)
      throw new SignInUnavailable('the saved sign-in cannot be used without its token cache');
    const { credential } = await signInInteractively(deps, settings, cache, again);
    this.live = credential;
    this.name = credentialName(settings.method);
    return this.afterToken(await interruptible(deps, () => credential.getToken(scope, request)));
  }

  /**
   * The saved sign-in, silently: its token, or (when a prompt may follow) the credential to ask
   * again with when it is the same method.
   *
   * @throws AzureError (exit 4) when Entra ID refuses it in a run that may not prompt, or it
   *   cannot be used for another reason (the sign-in host unreachable)
   */
  private async trySaved(
    usable: SignInRecord,
    cache: TokenCache,
    scope: string | string[],
    request: GetTokenOptions,
  ): Promise<{ token: AccessToken } | { again: PromptingCredential | undefined }> {
    const { deps, settings } = this;
    const silent = await makeCredential(deps, settings, usable.method, {
      tenantId: usable.record.tenantId,
      clientId: usable.record.clientId,
      cache,
      authenticationRecord: usable.record,
    });
    try {
      const token = await interruptible(deps, () => silent.getToken(scope, request));
      this.live = silent;
      this.name = `${credentialName(usable.method)} (saved sign-in)`;
      return { token: await this.afterToken(token) };
    } catch (err) {
      if (err instanceof DiskprepError) throw err;
      const who = usable.record.username;
      if ((err as Error).name !== 'AuthenticationRequiredError')
        throw new AzureError(`the saved sign-in of ${who} could not be used: ${entraReason(err)}`, {
          code: 'ERR_DISKPREP_AZURE_AUTH',
          hint: 'check the connection to the sign-in host (--proxy, --ca-file), or sign in again: diskprep login',
          cause: err,
        });
      if (!this.mayPrompt)
        throw new AzureError(
          `the saved sign-in of ${who} has expired or was revoked (Entra ID asks for a new sign-in)`,
          { code: SIGN_IN_AGAIN_CODE, hint: 'sign in again: diskprep login', cause: err },
        );
      deps.terminal.warn(`the saved sign-in of ${who} has expired or was revoked: sign in again`);
      // The same credential asks: one MSAL cache (and lock) per process, so the new tokens are
      // the ones the next silent call finds (a second credential on the same file raced it).
      return { again: usable.method === settings.method ? silent : undefined };
    }
  }

  /** The token cache this sign-in uses (opened once; undefined when there is none). */
  openCache(): Promise<TokenCache | undefined> {
    return (this.cache ??= openTokenCache(this.deps, this.settings.cacheMode));
  }

  /** The cache in use, once the sign-in opened one. */
  async cacheInUse(): Promise<TokenCache | undefined> {
    return this.cache ? await this.cache : undefined;
  }

  private async afterToken(token: AccessToken | null): Promise<AccessToken> {
    if (!token) throw new AzureError('the sign-in gave no token');
    const cache = await this.cache;
    if (cache) await secureCache(this.deps, cache);
    return token;
  }
}
