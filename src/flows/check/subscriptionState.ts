/**
 * Subscription state → what can be done now. The rule: a subscription that is expired,
 * disabled or past its grace stops new work (creating a job, changing one), while reading what
 * exists stays possible; a deleted one allows nothing. Warned and PastDue still work, with a
 * warning, because Azure disables them next.
 */
import { XMLParser } from 'fast-xml-parser';
import type { Deps } from '../../deps/types.ts';
import { AzureError } from '../../errors.ts';
import type { TokenSource } from '../../importjob/token.ts';
import type { ManagementCertificate } from '../../publishsettings/certificate.ts';
import type { Operations, SubscriptionRead, SubscriptionStateReader } from './types.ts';

/** ARM `GET /subscriptions/{id}` api-version (Microsoft.Resources subscriptions). */
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
/** x-ms-version for classic Get Subscription. */
export const CLASSIC_API_VERSION = '2014-11-01';

/** How a state reads: ok, works with a warning, or blocks new work. */
export type StateVerdict = 'ok' | 'warn' | 'fail';

/** Operations and verdict for a subscription state (ARM `state` or classic `SubscriptionStatus`). */
export function operationsFor(state: string): {
  operations: Operations;
  verdict: StateVerdict;
  known: boolean;
} {
  switch (state.toLowerCase()) {
    case 'enabled':
    case 'active':
      return {
        operations: { createJob: true, updateShipping: true, readStatus: true },
        verdict: 'ok',
        known: true,
      };
    case 'warned':
    case 'pastdue':
      return {
        operations: { createJob: true, updateShipping: true, readStatus: true },
        verdict: 'warn',
        known: true,
      };
    case 'disabled':
    case 'expired':
      return {
        operations: { createJob: false, updateShipping: false, readStatus: true },
        verdict: 'fail',
        known: true,
      };
    case 'deleted':
      return {
        operations: { createJob: false, updateShipping: false, readStatus: false },
        verdict: 'fail',
        known: true,
      };
    default:
      // An unknown state: do not block reading, do not promise writing.
      return {
        operations: { createJob: false, updateShipping: false, readStatus: true },
        verdict: 'warn',
        known: false,
      };
  }
}

/** "create a job, update shipping, read status" or "nothing". */
export function describeOperations(ops: Operations): { possible: string; blocked: string } {
  const names: [keyof Operations, string][] = [
    ['createJob', 'create a job'],
    ['updateShipping', 'update shipping'],
    ['readStatus', 'read status'],
  ];
  const possible = names.filter(([k]) => ops[k]).map(([, n]) => n);
  const blocked = names.filter(([k]) => !ops[k]).map(([, n]) => n);
  return { possible: possible.join(', ') || 'nothing', blocked: blocked.join(', ') };
}

function failure(err: unknown): SubscriptionRead {
  if (err instanceof AzureError) {
    return {
      ok: false,
      status: err.status,
      reason: err.message,
      proxyRefused: err.details?.proxyRefused === true,
    };
  }
  return { ok: false, status: undefined, reason: (err as Error).message };
}

function httpFailure(status: number, body: string): SubscriptionRead {
  // ARM: {"error":{"code","message"}}; classic: <Error><Code/><Message/></Error>.
  let why = '';
  try {
    const j = JSON.parse(body) as { error?: { code?: string; message?: string } };
    if (j.error) why = `${j.error.code ?? ''}: ${j.error.message ?? ''}`;
  } catch {
    const m = /<Code>([^<]*)<\/Code>(?:\s*<Message>([^<]*)<\/Message>)?/.exec(body);
    if (m) why = `${m[1]}${m[2] ? `: ${m[2]}` : ''}`;
  }
  return { ok: false, status, reason: `HTTP ${status}${why ? ` ${why}` : ''}` };
}

/** Classic: `GET <ServiceManagementUrl>/<sub>` with the management certificate (mutual TLS). */
export function createClassicSubscriptionReader(
  deps: Pick<Deps, 'http' | 'signal'>,
  opts: { baseUrl: string; subscriptionId: string; certificate: ManagementCertificate },
): SubscriptionStateReader {
  return {
    async read() {
      let res;
      try {
        res = await deps.http.request({
          method: 'GET',
          url: `${opts.baseUrl.replace(/\/+$/, '')}/${opts.subscriptionId}`,
          headers: { 'x-ms-version': CLASSIC_API_VERSION, accept: 'application/xml' },
          clientCert: { key: opts.certificate.keyPem, cert: opts.certificate.certPem },
          timeoutMs: 30_000,
          signal: deps.signal,
        });
      } catch (err) {
        return failure(err);
      }
      if (res.status !== 200) return httpFailure(res.status, res.body);
      const doc = new XMLParser().parse(res.body) as {
        Subscription?: { SubscriptionStatus?: string; SubscriptionName?: string };
      };
      const state = doc.Subscription?.SubscriptionStatus;
      if (!state)
        return { ok: false, status: res.status, reason: 'the answer has no SubscriptionStatus' };
      return {
        ok: true,
        status: res.status,
        subscription: {
          state,
          name: doc.Subscription?.SubscriptionName,
          operations: operationsFor(state).operations,
        },
      };
    },
  };
}

/** A GET/POST to ARM with a bearer token; returns the parsed JSON or a failure. */
export async function armCall(
  deps: Pick<Deps, 'http' | 'signal'>,
  tokens: TokenSource,
  armBase: string,
  req: { method: 'GET' | 'POST'; path: string; body?: unknown },
): Promise<
  | { ok: true; status: number; json: unknown }
  | { ok: false; status: number | undefined; reason: string; proxyRefused?: boolean }
> {
  let token;
  try {
    token = await tokens.getToken();
  } catch (err) {
    return { ok: false, status: undefined, reason: `no access token: ${(err as Error).message}` };
  }
  try {
    const res = await deps.http.request({
      method: req.method,
      url: `${armBase.replace(/\/+$/, '')}${req.path}`,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      timeoutMs: 30_000,
      signal: deps.signal,
    });
    if (res.status < 200 || res.status > 299) {
      const f = httpFailure(res.status, res.body);
      return f.ok
        ? { ok: false, status: res.status, reason: 'unexpected' }
        : { ok: false, status: f.status, reason: f.reason };
    }
    return { ok: true, status: res.status, json: JSON.parse(res.body) as unknown };
  } catch (err) {
    const f = failure(err);
    return f.ok ? { ok: false, status: undefined, reason: 'unexpected' } : f;
  }
}

/** ARM: `GET /subscriptions/{id}?api-version=2022-12-01` → `state`. */
export function createArmSubscriptionReader(
  deps: Pick<Deps, 'http' | 'signal'>,
  opts: { armBase: string; subscriptionId: string; tokens: TokenSource },
): SubscriptionStateReader {
  return {
    async read() {
      const r = await armCall(deps, opts.tokens, opts.armBase, {
        method: 'GET',
        path: `/subscriptions/${encodeURIComponent(opts.subscriptionId)}?api-version=${SUBSCRIPTIONS_API_VERSION}`,
      });
      if (!r.ok) return r;
      const j = r.json as { state?: string; displayName?: string };
      if (!j.state) return { ok: false, status: r.status, reason: 'the answer has no state' };
      return {
        ok: true,
        status: r.status,
        subscription: {
          state: j.state,
          name: j.displayName,
          operations: operationsFor(j.state).operations,
        },
      };
    },
  };
}
