/**
 * Which proxy a request to Azure goes through, decided the same way the http seam
 * (`src/deps/http.ts`, undici) decides it, so `diskprep check` can say what was used and other
 * clients (the Azure SDKs) can be pointed at the same proxy.
 *
 * Rules: `--proxy <url>` wins and applies to every host. Otherwise `HTTPS_PROXY` (then
 * `https_proxy`, `HTTP_PROXY`, `http_proxy`) for https URLs, `HTTP_PROXY` / `http_proxy` for
 * http URLs, unless the host matches `NO_PROXY` / `no_proxy` (comma or space separated; `*`
 * for all; `example.com` and `.example.com` match the name and its subdomains, `*.example.com`
 * subdomains only; `host:port` only that port; IPs match literally) — undici's
 * EnvHttpProxyAgent rules.
 *
 * The Azure SDKs (@azure/identity, @azure/storage-blob) do not use the http seam: they run
 * their own pipeline (@azure/core-rest-pipeline). Give them {@link azureSdkProxyOptions} as
 * `proxyOptions` in their client options; when it returns undefined (no proxy, or the host is
 * in NO_PROXY) their pipeline reads HTTPS_PROXY / NO_PROXY from the environment itself, which
 * gives the same answer for the same variables.
 */
import type { Env } from './types.ts';

/** Where the proxy setting came from. */
export type ProxySource =
  '--proxy' | 'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy' | 'none';

/** The proxy decision for one URL. */
export interface ProxyDecision {
  /** The proxy URL, with its credentials (never print it: use {@link redactProxyUrl}). */
  proxyUrl: string | undefined;
  /** The variable or flag it came from; `none` when no proxy is configured. */
  source: ProxySource;
  /** The NO_PROXY entry that made this host go direct, when one did. */
  bypassedBy: string | undefined;
}

/** What decides the proxy: the `--proxy` flag and the environment. */
export interface ProxyConfig {
  proxy?: string | undefined;
  env: Env;
}

/** The environment variables a proxy URL (with credentials) may come from. */
export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function firstSet(env: Env, names: readonly ProxySource[]): [string, ProxySource] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v) return [v, n];
  }
  return undefined;
}

/** The NO_PROXY value of the environment ('' when unset). */
export function noProxyOf(env: Env): string {
  return env.NO_PROXY ?? env.no_proxy ?? '';
}

/** The NO_PROXY entry matching `hostname:port`, or undefined (undici's rules). */
export function matchNoProxy(noProxy: string, hostname: string, port: number): string | undefined {
  const host = hostname
    .replace(/^\[(.+)\]$/, '$1')
    .replace(/(.)\.$/, '$1')
    .toLowerCase();
  for (const raw of noProxy.split(/[,\s]/)) {
    if (!raw) continue;
    let name;
    let entryPort;
    const v6 = /^\[(.+)\]:(\d+)$/.exec(raw);
    if (v6) {
      name = v6[1]!;
      entryPort = Number(v6[2]);
    } else {
      const unbracketed = raw.replace(/^\[(.+)\]$/, '$1');
      const hp = (unbracketed.match(/:/g) ?? []).length === 1 && /^(.+):(\d+)$/.exec(unbracketed);
      name = hp ? hp[1]! : unbracketed;
      entryPort = hp ? Number(hp[2]) : 0;
    }
    if (name === '*') {
      if (entryPort && entryPort !== port) continue;
      return raw;
    }
    if (entryPort && entryPort !== port) continue;
    const wildcard = raw.startsWith('*');
    const suffix = name
      .replace(/^\*?\./, '')
      .replace(/^(.+)\.$/, '$1')
      .toLowerCase();
    if (!wildcard && host === suffix) return raw;
    if (host.endsWith(`.${suffix}`)) return raw;
  }
  return undefined;
}

/** Decides the proxy for `url` (see the module comment for the rules). */
export function resolveProxy(url: string | URL, config: ProxyConfig): ProxyDecision {
  const u = typeof url === 'string' ? new URL(url) : url;
  if (config.proxy) return { proxyUrl: config.proxy, source: '--proxy', bypassedBy: undefined };
  const names: ProxySource[] =
    u.protocol === 'https:' ? [...PROXY_VARIABLES] : ['HTTP_PROXY', 'http_proxy'];
  const found = firstSet(config.env, names);
  if (!found) return { proxyUrl: undefined, source: 'none', bypassedBy: undefined };
  const port = Number(u.port) || DEFAULT_PORTS[u.protocol] || 0;
  const bypassedBy = matchNoProxy(noProxyOf(config.env), u.hostname, port);
  if (bypassedBy) return { proxyUrl: undefined, source: found[1], bypassedBy };
  return { proxyUrl: found[0], source: found[1], bypassedBy: undefined };
}

/** `http://user:***@host:port`: the proxy URL with its password replaced. */
export function redactProxyUrl(proxyUrl: string): string {
  try {
    const u = new URL(proxyUrl);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable proxy URL)';
  }
}

/**
 * Registers the proxy's password with the redactor, so that it never reaches output even in
 * an error message of a library.
 */
export function registerProxySecret(
  proxyUrl: string | undefined,
  redactor: { add(s: string): void },
): void {
  if (!proxyUrl) return;
  try {
    const u = new URL(proxyUrl);
    if (u.password) {
      redactor.add(decodeURIComponent(u.password));
      redactor.add(u.password);
    }
  } catch {
    // An unparsable URL is reported by whoever uses it.
  }
}

/** `proxyOptions` for @azure/core-rest-pipeline based clients (structurally ProxySettings). */
export interface AzureSdkProxySettings {
  /** Scheme and host, e.g. `http://proxy.corp`. */
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/**
 * `proxyOptions` for an Azure SDK client that will call `url`, e.g.
 * `new ClientSecretCredential(t, c, s, { proxyOptions: azureSdkProxyOptions(loginUrl, cfg) })`
 * or `new BlobServiceClient(url, cred, { proxyOptions: azureSdkProxyOptions(url, cfg) })`.
 * Undefined when the request goes direct.
 */
export function azureSdkProxyOptions(
  url: string | URL,
  config: ProxyConfig,
): AzureSdkProxySettings | undefined {
  const { proxyUrl } = resolveProxy(url, config);
  if (!proxyUrl) return undefined;
  const p = new URL(proxyUrl);
  return {
    host: `${p.protocol}//${p.hostname}`,
    port: Number(p.port) || DEFAULT_PORTS[p.protocol] || 80,
    ...(p.username ? { username: decodeURIComponent(p.username) } : {}),
    ...(p.password ? { password: decodeURIComponent(p.password) } : {}),
  };
}
