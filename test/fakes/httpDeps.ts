/**
 * Test deps whose http seam is the real one (undici) trusting the test CA, so adapters talk TLS
 * to the loopback fakes exactly as in production.
 */
import { createHttp } from '../../src/deps/http.ts';
import { fakeDeps, type FakeDepsOptions } from '../helpers/fakeDeps.ts';

/** fakeDeps with a real http seam trusting `caPem`. */
export function realHttpDeps(caPem: string, options: FakeDepsOptions = {}) {
  const env = options.env ?? {};
  return fakeDeps({ ...options, env, http: createHttp({ ca: caPem, env: {} }) });
}
