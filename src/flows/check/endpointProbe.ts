/**
 * Reaches an endpoint one stage at a time, so a failure names the stage and who refused:
 * direct: DNS → TCP → TLS; through a proxy: proxy DNS → proxy TCP → CONNECT → TLS (the proxy
 * resolves the endpoint's name, so a 502/504 to CONNECT means the endpoint is unreachable, while
 * 407/403 or a refused connection to the proxy mean the proxy refused).
 *
 * Raw sockets rather than the http seam: undici reports a whole request as one error and hides
 * which of these stages failed.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { resolveProxy, redactProxyUrl, type ProxyConfig } from '../../deps/proxy.ts';
import type { EndpointProbe, ProbeResult, ProbeStage } from './types.ts';

/** Resolves a host name to one address (throws an errno error such as ENOTFOUND). */
export type LookupFn = (hostname: string) => Promise<string>;

/**
 * The system resolver, except that names under `.invalid` are refused here without a query
 * (RFC 6761 §6.4: resolvers should answer NXDOMAIN for them at once), so asking about one
 * never leaves the machine.
 */
export const systemLookup: LookupFn = async (hostname) => {
  if (/(^|\.)invalid\.?$/i.test(hostname)) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  }
  if (net.isIP(hostname)) return hostname;
  const { address } = await dns.lookup(hostname);
  return address;
};

/** Options of {@link createEndpointProbe}. */
export interface ProbeOptions {
  proxy: ProxyConfig;
  /** Extra trusted CA certificates (PEM), as `--ca-file`. */
  ca?: string;
  lookup?: LookupFn;
  /** Per stage (default 10 s). */
  timeoutMs?: number;
}

class StageError extends Error {
  readonly stage: ProbeStage;
  readonly reason: string;
  readonly failedAt: 'proxy' | 'endpoint';
  readonly proxyStatus: number | undefined;
  constructor(
    stage: ProbeStage,
    reason: string,
    failedAt: 'proxy' | 'endpoint',
    proxyStatus?: number,
  ) {
    super(reason);
    this.stage = stage;
    this.reason = reason;
    this.failedAt = failedAt;
    this.proxyStatus = proxyStatus;
  }
}

function errnoOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? String(err);
}

function defaultPort(u: URL): number {
  return Number(u.port) || (u.protocol === 'http:' ? 80 : 443);
}

function connectTcp(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' })),
    );
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeAllListeners('timeout');
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function tlsHandshake(
  socket: net.Socket,
  host: string,
  ca: string | undefined,
  timeoutMs: number,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({
      socket,
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(ca ? { ca: [...tls.rootCertificates, ca] } : {}),
      // Only ever a handshake: say so, so servers that need ALPN answer.
      ALPNProtocols: ['http/1.1'],
    });
    t.setTimeout(timeoutMs, () =>
      t.destroy(Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' })),
    );
    t.once('secureConnect', () => resolve(t));
    t.once('error', reject);
  });
}

/** Sends CONNECT host:port and resolves to the proxy's status code. */
function connectThrough(
  socket: net.Socket,
  target: string,
  auth: string | undefined,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
      if (!m) reject(Object.assign(new Error('bad CONNECT answer'), { code: 'EPROTO' }));
      else resolve(Number(m[1]));
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('end', () =>
      reject(Object.assign(new Error('proxy closed the connection'), { code: 'ECONNRESET' })),
    );
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(Object.assign(new Error('ETIMEDOUT'), { code: 'ETIMEDOUT' })),
    );
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n` +
        (auth ? `Proxy-Authorization: Basic ${auth}\r\n` : '') +
        '\r\n',
    );
  });
}

/** What a CONNECT status says, and whose fault it is. */
function connectRefusal(
  status: number,
  hadAuth: boolean,
): { reason: string; failedAt: 'proxy' | 'endpoint' } {
  if (status === 407)
    return {
      reason: hadAuth
        ? 'proxy rejected the credentials (407 Proxy Authentication Required)'
        : 'proxy requires authentication (407 Proxy Authentication Required)',
      failedAt: 'proxy',
    };
  if (status === 502 || status === 503 || status === 504)
    return { reason: `proxy could not reach the endpoint (${status})`, failedAt: 'endpoint' };
  return { reason: `proxy refused the tunnel (${status})`, failedAt: 'proxy' };
}

/** Creates the real probe. */
export function createEndpointProbe(options: ProbeOptions): EndpointProbe {
  const lookup = options.lookup ?? systemLookup;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async probe(url: string): Promise<ProbeResult> {
      const u = new URL(url);
      const host = u.hostname.replace(/^\[(.+)\]$/, '$1');
      const port = defaultPort(u);
      const decision = resolveProxy(u, options.proxy);
      const via = decision.proxyUrl ? redactProxyUrl(decision.proxyUrl) : undefined;
      const run: ProbeRun = { lookup, timeoutMs, ca: options.ca, passed: [] };
      const { passed } = run;
      try {
        if (decision.proxyUrl)
          await openThroughProxy(run, decision.proxyUrl, `${u.hostname}:${port}`);
        else await openDirect(run, host, port);
        if (u.protocol === 'https:') {
          const t = await tlsHandshake(run.socket!, host, run.ca, timeoutMs).catch((e: unknown) => {
            throw new StageError('tls', `TLS handshake failed (${errnoOf(e)})`, 'endpoint');
          });
          passed.push('tls');
          run.socket = t;
        }
        return { ok: true, host, port, via, passed };
      } catch (err) {
        if (!(err instanceof StageError)) throw err;
        return {
          ok: false,
          host,
          port,
          via,
          passed,
          failedStage: err.stage,
          failedAt: err.failedAt,
          reason: err.reason,
          ...(err.proxyStatus !== undefined ? { proxyStatus: err.proxyStatus } : {}),
        };
      } finally {
        run.socket?.destroy();
      }
    },
  };
}

/** One probe: its settings, the stages passed so far, and the socket to close at the end. */
interface ProbeRun {
  lookup: LookupFn;
  timeoutMs: number;
  ca: string | undefined;
  passed: ProbeStage[];
  socket?: net.Socket;
}

/** DNS and TCP to the endpoint itself. */
async function openDirect(run: ProbeRun, host: string, port: number): Promise<void> {
  const address = await run.lookup(host).catch((e: unknown) => {
    throw new StageError('dns', `name not found (${errnoOf(e)})`, 'endpoint');
  });
  run.passed.push('dns');
  run.socket = await connectTcp(address, port, run.timeoutMs).catch((e: unknown) => {
    throw new StageError(
      'tcp',
      `no TCP connection to ${address}:${port} (${errnoOf(e)})`,
      'endpoint',
    );
  });
  run.passed.push('tcp');
}

/** DNS, TCP (and TLS for an https proxy) to the proxy, then CONNECT to `target`. */
async function openThroughProxy(run: ProbeRun, proxyUrl: string, target: string): Promise<void> {
  const { passed, timeoutMs } = run;
  const p = new URL(proxyUrl);
  const pHost = p.hostname.replace(/^\[(.+)\]$/, '$1');
  const pPort = Number(p.port) || (p.protocol === 'https:' ? 443 : 80);
  const address = await run.lookup(pHost).catch((e: unknown) => {
    throw new StageError('proxy-dns', `proxy host ${pHost} not found (${errnoOf(e)})`, 'proxy');
  });
  passed.push('proxy-dns');
  run.socket = await connectTcp(address, pPort, timeoutMs).catch((e: unknown) => {
    throw new StageError(
      'proxy-tcp',
      `cannot connect to the proxy ${pHost}:${pPort} (${errnoOf(e)})`,
      'proxy',
    );
  });
  passed.push('proxy-tcp');
  if (p.protocol === 'https:') {
    run.socket = await tlsHandshake(run.socket, pHost, run.ca, timeoutMs).catch((e: unknown) => {
      throw new StageError('proxy-tcp', `TLS to the proxy failed (${errnoOf(e)})`, 'proxy');
    });
  }
  const user = decodeURIComponent(p.username);
  const auth = p.username
    ? Buffer.from(`${user}:${decodeURIComponent(p.password)}`).toString('base64')
    : undefined;
  const status = await connectThrough(run.socket, target, auth, timeoutMs).catch((e: unknown) => {
    throw new StageError('proxy-connect', `proxy dropped the CONNECT (${errnoOf(e)})`, 'proxy');
  });
  if (status !== 200) {
    const r = connectRefusal(status, auth !== undefined);
    throw new StageError('proxy-connect', r.reason, r.failedAt, status);
  }
  passed.push('proxy-connect');
}
