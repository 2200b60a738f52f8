/**
 * The vocabulary of `diskprep check` and of prepare's preflight: one {@link CheckResult} per
 * line, and the small interfaces the checks reach the network through, so tests can swap them.
 * Publish settings, clouds and tokens come from src/publishsettings and src/importjob/token.ts.
 */
import type { ServiceKind } from '../../model/job.ts';

/** ✓ ok · ⚠ warn (works, but look) · ✗ fail (fix before going on) · – skip (does not apply). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the report. */
export interface CheckResult {
  /** Stable id, e.g. `elevation`, `tool:dislocker`, `endpoint:management.azure.com`. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found (or why the check was skipped). */
  detail: string;
  /** How to fix it; set whenever status is not ok. */
  fix?: string;
  /** Machine-readable facts for `--json` (sizes, stages, operations). */
  data?: Record<string, unknown>;
}

/** What a failing check is about: prepare's preflight maps it to an exit code. */
export type CheckKind = 'os' | 'input' | 'azure';

/** Where a connection attempt stopped. */
export type ProbeStage = 'dns' | 'tcp' | 'proxy-dns' | 'proxy-tcp' | 'proxy-connect' | 'tls';

/** The outcome of reaching one endpoint. */
export interface ProbeResult {
  ok: boolean;
  host: string;
  port: number;
  /** Redacted proxy URL when the connection went through one. */
  via: string | undefined;
  /** Stages passed, in order. */
  passed: ProbeStage[];
  /** The stage that failed. */
  failedStage?: ProbeStage;
  /** Who refused: the proxy (407, refused, CONNECT denied) or the endpoint itself. */
  failedAt?: 'proxy' | 'endpoint';
  /** One-line reason (an errno code, an HTTP status). */
  reason?: string;
  /** HTTP status of a refused CONNECT. */
  proxyStatus?: number;
}

/** Reaches an endpoint: DNS, TCP, (proxy CONNECT), TLS handshake. */
export interface EndpointProbe {
  probe(url: string): Promise<ProbeResult>;
}

/** The state of a subscription and what it allows now. */
export interface SubscriptionState {
  /** As the service says it: Enabled, Warned, PastDue, Disabled, Deleted; Active, Disabled. */
  state: string;
  name?: string;
  operations: Operations;
}

/** What the subscription state allows now. */
export interface Operations {
  createJob: boolean;
  updateShipping: boolean;
  readStatus: boolean;
}

/** The answer of an authenticated call: the HTTP status and, on 2xx, the state. */
export type SubscriptionRead =
  | { ok: true; status: number; subscription: SubscriptionState }
  | { ok: false; status: number | undefined; reason: string; proxyRefused?: boolean };

/** Reads a subscription's state with an authenticated call. */
export interface SubscriptionStateReader {
  read(): Promise<SubscriptionRead>;
}

/** The service a check is about (the job's, or the one the options imply). */
export type CheckService = ServiceKind;
