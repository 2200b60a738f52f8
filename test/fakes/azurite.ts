/**
 * Starts the real Azurite blob service (devDependency) on a free loopback port, in memory, and
 * stops it after the tests. Plain HTTP by default; HTTPS with a PEM certificate and key.
 */
import { execa, type ResultPromise } from 'execa';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.ts';

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running Azurite. */
export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` (`https://` when started with TLS). */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Resolves once something accepts TCP connections on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts Azurite and waits until it listens; `tls` serves HTTPS with that certificate. */
export async function startAzurite(
  options: { tls?: { certFile: string; keyFile: string } } = {},
): Promise<Azurite> {
  const port = await freePort();
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'azurite-blob');
  const child: ResultPromise = execa(
    bin,
    [
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--silent',
      '--loose',
      ...(options.tls ? ['--cert', options.tls.certFile, '--key', options.tls.keyFile] : []),
    ],
    { reject: false, cleanup: true },
  );
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error('azurite did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}
