/**
 * The persistent token cache of the interactive sign-in, so `u:` a week later does not sign in
 * again: Microsoft's @azure/identity-cache-persistence plugin (an optional dependency, loaded
 * here and only when a cache is used). It keeps MSAL's cache encrypted — DPAPI on Windows, the
 * Keychain on macOS, the Secret Service keyring (libsecret) on Linux — or, only when the operator
 * opts in (`--token-cache unencrypted`, DISKPREP_TOKEN_CACHE=unencrypted) and no keyring exists,
 * in a plain file that this module creates with mode 0600 before the plugin touches it (the
 * plugin would create it 0644) and holds at 0600 after every write.
 *
 * The keyring is probed through the plugin itself before a credential is built: a credential
 * given a cache the plugin cannot open fails with an unhandled rejection, and the operator should
 * hear once, in one line, that the sign-in will not be remembered.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { removeIfPresent } from '../fsutil/removeFile.ts';

/** `--token-cache`: encrypted store (default), an opt-in unencrypted file, or none. */
export const TOKEN_CACHE_MODES = ['encrypted', 'unencrypted', 'off'] as const;
export type TokenCacheMode = (typeof TOKEN_CACHE_MODES)[number];

/** The environment variable that answers `--token-cache`. */
export const TOKEN_CACHE_ENV = 'DISKPREP_TOKEN_CACHE';

/** The cache's name (the plugin's file name). */
export const TOKEN_CACHE_NAME = 'diskprep';

/** The cache a sign-in uses. */
export interface TokenCache {
  /** Where it lives, for people: `Secret Service keyring (libsecret)`, `unencrypted file`... */
  store: string;
  encrypted: boolean;
  /** The plugin's file (the cache itself when unencrypted or DPAPI, a marker beside a keyring). */
  file: string;
  /** What the credentials take as `tokenCachePersistenceOptions`. */
  options: { enabled: true; name: string; unsafeAllowUnencryptedStorage: boolean };
}

/** The plugin's persistence factory, as it hands it to @azure/identity. */
type PersistenceFactory = (options: {
  name: string;
  unsafeAllowUnencryptedStorage: boolean;
}) => Promise<unknown>;

/**
 * The cache mode: `--token-cache`, else DISKPREP_TOKEN_CACHE, else encrypted.
 *
 * @throws UsageError naming the variable when it holds another value
 */
export function tokenCacheMode(option: string | undefined, env: Deps['env']): TokenCacheMode {
  const value = option ?? (env[TOKEN_CACHE_ENV] || undefined);
  if (value === undefined) return 'encrypted';
  if ((TOKEN_CACHE_MODES as readonly string[]).includes(value)) return value as TokenCacheMode;
  throw new UsageError(`${TOKEN_CACHE_ENV}=${value} is not a token cache mode`, {
    hint: `use ${TOKEN_CACHE_MODES.join(', ')}`,
  });
}

/**
 * The plugin's cache file, where the plugin puts it: `%LOCALAPPDATA%\.IdentityService\diskprep`
 * on Windows (derived from APPDATA as the plugin does), `$HOME/.IdentityService/diskprep`
 * elsewhere.
 */
export function tokenCacheFile(deps: Pick<Deps, 'env' | 'platform'>): string {
  const { env } = deps;
  if (deps.platform === 'win32') {
    const local = env.APPDATA?.replace(/(.Roaming)*$/, '\\Local') ?? env.HOME ?? 'C:\\';
    return path.win32.join(local, '.IdentityService', TOKEN_CACHE_NAME);
  }
  return path.join(env.HOME ?? '/root', '.IdentityService', TOKEN_CACHE_NAME);
}

/** The encrypted store of a platform, for people. */
export function encryptedStore(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'DPAPI-encrypted file';
  if (platform === 'darwin') return 'macOS Keychain';
  return 'Secret Service keyring (libsecret)';
}

/**
 * Loads the plugin into @azure/identity and returns the cache to use, or undefined (after one
 * stderr warning) when none can be: the plugin does not load, or there is no keyring and the
 * operator did not opt in to the unencrypted file. `off` is undefined without a word.
 */
export async function openTokenCache(
  deps: Pick<Deps, 'env' | 'platform' | 'fs' | 'terminal'>,
  mode: TokenCacheMode,
): Promise<TokenCache | undefined> {
  if (mode === 'off') return undefined;
  const plugin = await loadPlugin(deps);
  if (!plugin) return undefined;
  const file = tokenCacheFile(deps);
  const options = { enabled: true as const, name: TOKEN_CACHE_NAME };
  // Before the plugin's first touch (even its keyring probe creates the file): it would create
  // the file (and its folder) world-readable, and this file may come to hold tokens in clear.
  if (mode === 'unencrypted') await secureCacheFile(deps, file);
  if (await opens(plugin.factory, false)) {
    plugin.use();
    return {
      store: encryptedStore(deps.platform),
      encrypted: true,
      file,
      options: { ...options, unsafeAllowUnencryptedStorage: false },
    };
  }
  if (mode === 'encrypted') {
    deps.terminal.warn(
      `no ${encryptedStore(deps.platform)} to keep the sign-in in: it is not remembered — to keep it in an unencrypted file (mode 0600) instead, pass --token-cache unencrypted or set ${TOKEN_CACHE_ENV}=unencrypted`,
    );
    return undefined;
  }
  if (!(await opens(plugin.factory, true))) {
    deps.terminal.warn(
      `the token cache file ${file} cannot be opened: the sign-in is not remembered`,
    );
    return undefined;
  }
  plugin.use();
  return {
    store: 'unencrypted file',
    encrypted: false,
    file,
    options: { ...options, unsafeAllowUnencryptedStorage: true },
  };
}

/** The plugin's factory and a way to hand the plugin to @azure/identity; undefined after a warning. */
async function loadPlugin(
  deps: Pick<Deps, 'terminal'>,
): Promise<{ factory: PersistenceFactory; use(): void } | undefined> {
  try {
    const { cachePersistencePlugin } = await import('@azure/identity-cache-persistence');
    const { useIdentityPlugin } = await import('@azure/identity');
    let factory: PersistenceFactory | undefined;
    cachePersistencePlugin({
      cachePluginControl: { setPersistence: (f: PersistenceFactory) => (factory = f) },
    });
    if (!factory) throw new Error('the plugin handed over no persistence');
    return { factory, use: () => useIdentityPlugin(cachePersistencePlugin) };
  } catch (err) {
    deps.terminal.warn(
      `the token cache (@azure/identity-cache-persistence) cannot load (${firstLine(err)}): signing in without a cache, the sign-in is not remembered`,
    );
    return undefined;
  }
}

/** True when the plugin opens its store with these options. */
async function opens(factory: PersistenceFactory, unencrypted: boolean): Promise<boolean> {
  try {
    await factory({ name: TOKEN_CACHE_NAME, unsafeAllowUnencryptedStorage: unencrypted });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the unencrypted cache file with mode 0600 (its folder 0700 when new) or brings an
 * existing one back to 0600: the plugin creates it with the default 0644 and never changes it.
 */
export async function secureCacheFile(deps: Pick<Deps, 'fs'>, file: string): Promise<void> {
  await deps.fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await deps.fs.open(file, 'a', 0o600);
  try {
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
}

/** Removes the cache file and the plugin's lock file; returns the cache file when it existed. */
export async function removeCacheFile(
  deps: Pick<Deps, 'fs'>,
  file: string,
): Promise<string | undefined> {
  await deps.fs.rm(`${file}.lockfile`, { force: true });
  return (await removeIfPresent(deps.fs, file)) ? file : undefined;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 160);
}
