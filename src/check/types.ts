/**
 * The vocabulary of `diskprep check` and of prepare's preflight: one {@link CheckResult} per
 * line, and the small interfaces the checks reach the outside world through, so each can be
 * swapped (the publish-settings parser, the Azure clients) without touching the checks.
 */
import type { ServiceKind } from '../staging/types.ts';

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

/** A management certificate as diskprep needs it. */
export interface ManagementCertificate {
  keyPem: string;
  certPem: string;
  /** SHA-1 of the DER certificate, uppercase hex (what the portal shows). */
  thumbprint: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/** One subscription of a publish-settings file. */
export interface PublishSubscription {
  id: string;
  name: string;
  serviceManagementUrl: string;
  certificate: ManagementCertificate;
}

/** A parsed publish-settings file. */
export interface PublishSettings {
  schemaVersion: string;
  subscriptions: PublishSubscription[];
}

/**
 * Reads a publish-settings file. Throws a DiskprepError (usage) naming what is wrong with it.
 * The lead swaps the minimal implementation for src/publishsettings at merge.
 */
export interface SettingsLoader {
  load(file: string): Promise<PublishSettings>;
}

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

/** A bearer token for ARM and where it came from. */
export interface AccessToken {
  token: string;
  source: string;
}

/** Gets Entra ID tokens (env DISKPREP_ACCESS_TOKEN, else @azure/identity). */
export interface TokenSource {
  /** True when the token comes without a call to the Entra login host. */
  readonly offline: boolean;
  getToken(scope: string): Promise<AccessToken>;
}

/** The service a check is about (the job's, or the one the options imply). */
export type CheckService = ServiceKind;
