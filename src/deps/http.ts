/**
 * The http seam for Azure calls, on undici. Applies `--ca-file` (extra trusted CAs), client
 * certificates (mutual TLS for the classic API), and proxies: `--proxy`, else HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY from the environment.
 */
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { rootCertificates } from 'node:tls';
import { AzureError } from '../errors.ts';
import { redactProxyUrl, resolveProxy } from './proxy.ts';
import type { Env, Http, HttpRequest, HttpResponse } from './types.ts';

/** What shapes every connection. */
export interface HttpOptions {
  /** Explicit proxy URL (`--proxy`), wins over the environment. */
  proxy?: string;
  /** PEM text of extra CAs to trust besides the system ones. */
  ca?: string;
  env: Env;
}

function proxyFromEnv(env: Env): boolean {
  return Boolean(env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy);
}

/** Builds the dispatcher for one TLS identity. */
function makeDispatcher(
  options: HttpOptions,
  clientCert?: { key: string; cert: string },
): Dispatcher {
  const ca = options.ca ? [...rootCertificates, options.ca] : undefined;
  const tls = {
    ...(ca ? { ca } : {}),
    ...(clientCert ? { key: clientCert.key, cert: clientCert.cert } : {}),
  };
  if (options.proxy)
    return new ProxyAgent({
      uri: options.proxy,
      requestTls: tls,
      proxyTls: ca ? { ca } : undefined,
    });
  if (proxyFromEnv(options.env)) {
    // '' rather than undefined: undici falls back to process.env for an undefined value, and
    // these settings must come from deps.env only (the same source resolveProxy reads).
    return new EnvHttpProxyAgent({
      httpProxy: options.env.HTTP_PROXY ?? options.env.http_proxy ?? '',
      httpsProxy: options.env.HTTPS_PROXY ?? options.env.https_proxy ?? '',
      noProxy: options.env.NO_PROXY ?? options.env.no_proxy ?? '',
      connect: tls,
      requestTls: tls,
    });
  }
  return new Agent({ connect: tls });
}

/** Creates the production http seam. */
export function createHttp(options: HttpOptions): Http {
  const dispatchers = new Map<string, Dispatcher>();
  const dispatcherFor = (clientCert?: { key: string; cert: string }): Dispatcher => {
    const key = clientCert ? clientCert.cert : '';
    let d = dispatchers.get(key);
    if (!d) {
      d = makeDispatcher(options, clientCert);
      dispatchers.set(key, d);
    }
    return d;
  };
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const host = new URL(req.url).host;
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          dispatcher: dispatcherFor(req.clientCert),
          signal: req.signal,
          headersTimeout: req.timeoutMs ?? 60_000,
          bodyTimeout: req.timeoutMs ?? 60_000,
        });
        const body = await res.body.text();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        }
        return { status: res.statusCode, headers, body };
      } catch (err) {
        if (req.signal?.aborted) throw err;
        const viaProxy = resolveProxy(req.url, options).proxyUrl;
        const refused = viaProxy ? proxyFailure(err, host, viaProxy) : undefined;
        if (refused) throw refused;
        const code = (err as { code?: string }).code ?? (err as Error).name;
        const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL|ERR_TLS/.test(code);
        const timeout = /TIMEOUT/.test(code);
        throw new AzureError(
          `cannot reach ${host}: ${timeout ? `no answer in time (${code})` : code}`,
          {
            code: 'ERR_DISKPREP_NETWORK',
            hint: tls
              ? "the TLS handshake failed: trust the server's CA with --ca-file <pem> (TLS-inspecting proxy, private cloud), or check the management certificate"
              : 'check the network, the proxy (--proxy / HTTPS_PROXY) and the endpoint',
            cause: err,
            details: { host, errno: code },
          },
        );
      }
    },
  };
}

const PROXY_CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The error for a failed request that went through a proxy. undici reports a refused CONNECT
 * as "Proxy response (407) !== 200 when HTTP Tunneling" and a dead proxy as the plain errno,
 * which read as if Azure were unreachable; say which side refused instead.
 */
function proxyFailure(err: unknown, host: string, proxyUrl: string): AzureError | undefined {
  const proxy = redactProxyUrl(proxyUrl);
  const message = (err as Error).message ?? '';
  const status = /Proxy response \((\d{3})\)|\((407)\)/.exec(message);
  const code = (err as { code?: string }).code ?? (err as Error).name;
  if (status) {
    const s = Number(status[1] ?? status[2]);
    const unreachable = s === 502 || s === 503 || s === 504;
    return new AzureError(
      unreachable
        ? `the proxy ${proxy} could not reach ${host} (${s})`
        : s === 407
          ? `the proxy ${proxy} refused the request to ${host}: authentication required (407)`
          : `the proxy ${proxy} refused the tunnel to ${host} (${s})`,
      {
        code: unreachable ? 'ERR_DISKPREP_NETWORK' : 'ERR_DISKPREP_PROXY',
        hint: unreachable
          ? 'check the endpoint, and that the proxy may reach it'
          : s === 407
            ? 'put the proxy credentials in the URL: --proxy http://user:password@host:port'
            : 'ask the proxy administrator to allow this host',
        cause: err,
        details: { host, proxy, proxyStatus: s, proxyRefused: !unreachable },
      },
    );
  }
  // Through a proxy, the socket undici opens is to the proxy: a connect-level errno is the proxy's.
  if (!PROXY_CONNECT_ERRORS.has(code)) return undefined;
  return new AzureError(`cannot reach the proxy ${proxy} (for ${host}): ${code}`, {
    code: 'ERR_DISKPREP_PROXY',
    hint: 'check --proxy / HTTPS_PROXY, or set NO_PROXY for hosts reached directly',
    cause: err,
    details: { host, proxy, errno: code, proxyRefused: true },
  });
}
