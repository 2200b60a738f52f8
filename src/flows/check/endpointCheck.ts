/**
 * One endpoint line of `diskprep check`: the probe (DNS, TCP, proxy, TLS) of the endpoint's URL,
 * then, when given, the authenticated call that proves access; a failure names the stage that
 * failed and the fix for it.
 */
import type { CheckResult, EndpointProbe, ProbeResult } from './types.ts';

/** The answer of an authenticated call made through a probed endpoint. */
export interface AuthAnswer {
  ok: boolean;
  detail: string;
  status?: number | undefined;
  proxyRefused?: boolean | undefined;
}

/** What one endpoint check found. */
export interface EndpointOutcome {
  result: CheckResult;
  reachable: boolean;
  authOk: boolean;
}

/** Which endpoint a line is about (its id is `endpoint:<key>`). */
export type EndpointKey = 'classic' | 'login' | 'arm' | 'storage';

function stageList(p: ProbeResult): string {
  const names: Record<string, string> = {
    dns: 'DNS',
    tcp: 'TCP',
    'proxy-dns': 'proxy DNS',
    'proxy-tcp': 'proxy TCP',
    'proxy-connect': 'CONNECT',
    tls: 'TLS',
  };
  return p.passed.map((s) => `${names[s]} ✓`).join(', ');
}

function probeFix(p: ProbeResult, caGiven: boolean): string {
  if (p.failedAt === 'proxy')
    return p.proxyStatus === 407
      ? 'give the proxy credentials in the URL: --proxy http://user:password@host:port'
      : p.failedStage === 'proxy-connect'
        ? `ask the proxy administrator to allow CONNECT to ${p.host}:${p.port}`
        : 'check the proxy address (--proxy / HTTPS_PROXY), or set NO_PROXY for hosts reached directly';
  if (p.failedStage === 'dns')
    return `check the host name and the DNS server (cannot resolve ${p.host})`;
  if (p.failedStage === 'tls')
    return caGiven
      ? 'the certificate is not trusted even with --ca-file: check the CA file and the host name'
      : 'if a TLS-inspecting proxy or a private endpoint is used, trust its CA with --ca-file <pem>';
  return `check the firewall allows outbound HTTPS to ${p.host}:${p.port}, or set --proxy`;
}

function probeFailure(id: string, title: string, p: ProbeResult, caGiven: boolean): CheckResult {
  const who = p.failedAt === 'proxy' ? `proxy ${p.via} refused` : `${p.host} unreachable`;
  return {
    id,
    title,
    status: 'fail',
    detail: `${who} at ${p.failedStage}: ${p.reason}${p.passed.length ? ` (${stageList(p)})` : ''}`,
    fix: probeFix(p, caGiven),
    data: {
      host: p.host,
      port: p.port,
      via: p.via ?? null,
      stage: p.failedStage,
      failedAt: p.failedAt,
      passed: p.passed,
      ...(p.proxyStatus ? { proxyStatus: p.proxyStatus } : {}),
    },
  };
}

function authFix(a: AuthAnswer, role: string): string {
  if (a.proxyRefused) return 'check the proxy credentials and that it allows this host';
  if (a.status === 401 || a.status === 403)
    return role.startsWith('classic')
      ? 'the management certificate is not accepted: download a new publish-settings file for this subscription'
      : 'sign in again (az login) or set DISKPREP_ACCESS_TOKEN to a valid ARM token, and check your role on the subscription';
  return 'try again later; if it persists, check the endpoint URL';
}

function authFailure(id: string, title: string, p: ProbeResult, a: AuthAnswer, role: string) {
  const base = `${stageList(p)}${p.via ? ` via ${p.via}` : ''}`;
  return {
    id,
    title,
    status: 'fail' as const,
    detail: `${base}; ${a.proxyRefused ? 'the proxy refused the authenticated call' : 'the authenticated call failed'}: ${a.detail}`,
    fix: authFix(a, role),
    data: {
      host: p.host,
      port: p.port,
      via: p.via ?? null,
      passed: p.passed,
      stage: 'auth',
      httpStatus: a.status ?? null,
    },
  };
}

/** An endpoint check: probe, then (when given) the authenticated call that proves access. */
export async function checkEndpoint(
  probe: EndpointProbe,
  url: string,
  key: EndpointKey,
  role: string,
  caGiven: boolean,
  auth: (() => Promise<AuthAnswer>) | undefined,
): Promise<EndpointOutcome> {
  const id = `endpoint:${key}`;
  const title = `connect to ${new URL(url).host} (${role})`;
  const p = await probe.probe(url);
  if (!p.ok)
    return { result: probeFailure(id, title, p, caGiven), reachable: false, authOk: false };
  const base = `${stageList(p)}${p.via ? ` via ${p.via}` : ''}`;
  const data = { host: p.host, port: p.port, via: p.via ?? null, passed: p.passed };
  if (!auth)
    return {
      result: { id, title, status: 'ok', detail: base, data },
      reachable: true,
      authOk: true,
    };
  const a = await auth();
  if (!a.ok) return { result: authFailure(id, title, p, a, role), reachable: true, authOk: false };
  return {
    result: {
      id,
      title,
      status: 'ok',
      detail: `${base}, ${a.detail}`,
      data: { ...data, passed: [...p.passed, 'auth'] },
    },
    reachable: true,
    authOk: true,
  };
}
