/**
 * Test PKI made with the real openssl: a CA, a server certificate for 127.0.0.1/localhost and a
 * client certificate (the "management certificate"), all signed by the CA.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  caSignedCert,
  CLIENT_EXTENSIONS,
  selfSignedCert,
  SERVER_EXTENSIONS,
} from '../helpers/certs.ts';

/** PEM material and the file paths it was written to. */
export interface TestPki {
  dir: string;
  caFile: string;
  caPem: string;
  /** The CA's private key file (tests that sign more certificates). */
  caKeyFile: string;
  serverKey: string;
  serverCert: string;
  clientKey: string;
  clientCert: string;
  /** A second client certificate from an unrelated CA (must be refused). */
  strangerKey: string;
  strangerCert: string;
  /** Files of the server key and certificate (for servers that take paths, e.g. Azurite). */
  serverKeyFile: string;
  serverCertFile: string;
}

/** Generates the PKI in a temp dir (about 0.3 s with EC keys). */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-pki-'));
  const days = 2;
  const ca = await selfSignedCert(dir, 'ca', {
    cn: 'diskprep test CA',
    validity: { days },
    key: 'ec',
    ca: true,
  });
  const server = await caSignedCert(dir, 'server', {
    cn: 'diskprep test server',
    ca,
    extensions: SERVER_EXTENSIONS,
    days,
    key: 'ec',
  });
  const client = await caSignedCert(dir, 'client', {
    cn: 'diskprep test client',
    ca,
    extensions: CLIENT_EXTENSIONS,
    days,
    key: 'ec',
  });
  const stranger = await selfSignedCert(dir, 'stranger', {
    cn: 'stranger',
    validity: { days },
    key: 'ec',
  });
  const r = (f: string) => readFile(f, 'utf8');
  return {
    dir,
    caFile: ca.certFile,
    caPem: await r(ca.certFile),
    caKeyFile: ca.keyFile,
    serverKey: await r(server.keyFile),
    serverCert: await r(server.certFile),
    clientKey: await r(client.keyFile),
    clientCert: await r(client.certFile),
    strangerKey: await r(stranger.keyFile),
    strangerCert: await r(stranger.certFile),
    serverKeyFile: server.keyFile,
    serverCertFile: server.certFile,
  };
}
