/**
 * A real HTTP CONNECT proxy on loopback, for proving that every Azure call goes through the
 * proxy: it counts the tunnels it carried and their targets, can demand Basic authentication
 * (407), and answers 502 for names under `.invalid` without resolving them (so a test never
 * sends a DNS query off the machine).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** Options of {@link startConnectProxy}. */
export interface ConnectProxyOptions {
  /** Demand these credentials (Basic); anything else gets 407. */
  auth?: { user: string; pass: string };
}

/** A running proxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` (add credentials yourself). */
  url: string;
  port: number;
  /** Tunnels opened to the target (after auth passed and the target answered). */
  tunnels: string[];
  /** CONNECT requests refused with 407. */
  refused407: number;
  /** Every CONNECT target asked for, refused or not. */
  requested: string[];
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 and an ephemeral port. */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  const state = { tunnels: [] as string[], refused407: 0, requested: [] as string[] };
  const server = http.createServer((_req, res) => {
    // Plain (non-CONNECT) proxy requests are not needed: every Azure call is https.
    res.writeHead(405).end();
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    state.requested.push(target);
    client.on('error', () => {});
    if (options.auth) {
      const want = `Basic ${Buffer.from(`${options.auth.user}:${options.auth.pass}`).toString('base64')}`;
      if (req.headers['proxy-authorization'] !== want) {
        state.refused407 += 1;
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
        );
        return;
      }
    }
    const m = /^(.+):(\d+)$/.exec(target);
    if (!m || /\.invalid$/i.test(m[1]!)) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect({ host: m[1]!.replace(/^\[(.+)\]$/, '$1'), port: Number(m[2]) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      state.tunnels.push(target);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get tunnels() {
      return state.tunnels;
    },
    get refused407() {
      return state.refused407;
    },
    get requested() {
      return state.requested;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
