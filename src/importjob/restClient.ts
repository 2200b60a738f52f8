/**
 * The JSON-over-HTTPS client every Azure adapter uses: retries with backoff on throttling,
 * server errors, connection resets and timeouts (honouring Retry-After, sleeping through
 * `deps.clock` so tests do not wait), a probe before retrying a call whose effect is unknown,
 * the service's own error text in an {@link AzureError}, and `--verbose` request logs with every
 * secret redacted. The http seam below it only moves bytes.
 */
import type { z } from 'zod';
import type { Deps, HttpRequest, HttpResponse } from '../deps/types.ts';
import { AzureError, DiskprepError } from '../errors.ts';
import { parseServiceError } from './serviceError.ts';
import {
  type ReturnAddress,
  ReturnAddressSchema,
  type ReturnShipping,
  ReturnShippingSchema,
} from '../model/importJob.ts';

/** The deps the client touches. */
export type RestDeps = Pick<Deps, 'http' | 'clock' | 'terminal' | 'redactor' | 'signal'>;

/** How one client talks to one service. */
export interface RestClientConfig {
  /** Service label for messages (`classic`, `databox`...). */
  service: string;
  deps: RestDeps;
  /** Headers added to every request (auth, versions); called per attempt so tokens refresh. */
  headers: () => Promise<Record<string, string>>;
  /** Mutual TLS identity (classic). */
  clientCert?: { key: string; cert: string };
  /** Per-attempt timeout (default 60 s). */
  timeoutMs?: number;
  /** Attempts per call including the first (default 5). */
  maxAttempts?: number;
}

/** One call. */
export interface RestCall {
  /** What the call does, for messages: "create job photos". */
  op: string;
  method: HttpRequest['method'];
  url: string;
  /** JSON body (serialised here). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses returned instead of thrown besides 2xx (e.g. 404 for "does it exist?"). */
  allow?: readonly number[];
  /**
   * For calls that must not run twice (create): after a failure that may have reached the
   * service (timeout, reset, 5xx), this is asked first. A response means "it already took
   * effect, use this"; undefined means "safe to send again".
   */
  probe?: () => Promise<HttpResponse | undefined>;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
/** Keys whose values are secrets in request and response bodies. */
const SECRET_KEY = /(?:key|password|sas|secret|token|accountnumber|accesscode)$/i;
const NOT_SECRET = new Set(['kekType', 'manifestHash', 'jobSecretsType']);

/** Deep copy of a JSON value with every secret-named field replaced. */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        typeof v === 'string' && SECRET_KEY.test(k) && !NOT_SECRET.has(k) ? '***' : redactJson(v);
    }
    return out;
  }
  return value;
}

/**
 * The {@link RestCall.probe} of a job update: reads the job with `get` (undefined when it does
 * not exist), parses it with `schema`, and answers "it already took effect" when `done` says
 * the job carries the update.
 */
export function jobProbe<S extends z.ZodType>(
  service: string,
  name: string,
  get: () => Promise<HttpResponse | undefined>,
  schema: S,
  done: (job: z.output<S>) => boolean,
): () => Promise<HttpResponse | undefined> {
  return async () => {
    const res = await get();
    if (!res) return undefined;
    return done(parseBody(service, `get job ${name}`, res, schema)) ? res : undefined;
  };
}

/** Delay before attempt `attempt + 1`: Retry-After when given, else 1 s, 2 s, 4 s... (max 30 s). */
export function retryDelayMs(attempt: number, retryAfter: string | undefined, now: Date): number {
  if (retryAfter !== undefined) {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, 300_000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, Math.min(at - now.getTime(), 300_000));
  }
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** A JSON REST client for one service. */
export class RestClient {
  private readonly cfg: RestClientConfig;

  constructor(cfg: RestClientConfig) {
    this.cfg = cfg;
  }

  /** Sends a call, retrying what is safe to retry; throws AzureError on failure. */
  async send(call: RestCall): Promise<HttpResponse> {
    const { deps } = this.cfg;
    const max = this.cfg.maxAttempts ?? 5;
    const bodyText = call.body === undefined ? undefined : JSON.stringify(call.body);
    if (bodyText !== undefined && deps.terminal.verboseEnabled) {
      deps.terminal.verbose(`  request body: ${JSON.stringify(redactJson(call.body))}`);
    }
    for (let attempt = 1; ; attempt++) {
      if (deps.signal.aborted) throw deps.signal.reason ?? new Error('aborted');
      const headers = {
        accept: 'application/json',
        ...(bodyText !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(await this.cfg.headers()),
        ...call.headers,
      };
      const started = deps.clock.monotonic();
      const shownUrl = deps.redactor.redact(call.url);
      let res: HttpResponse | undefined;
      let failure: AzureError | undefined;
      try {
        res = await deps.http.request({
          method: call.method,
          url: call.url,
          headers,
          body: bodyText,
          clientCert: this.cfg.clientCert,
          timeoutMs: this.cfg.timeoutMs ?? 60_000,
          signal: deps.signal,
        });
      } catch (err) {
        if (!(err instanceof AzureError)) throw err;
        failure = err;
      }
      const ms = Math.round(deps.clock.monotonic() - started);
      if (res) {
        const rid = res.headers['x-ms-request-id'];
        deps.terminal.verbose(
          `${call.method} ${shownUrl} → ${res.status} (${ms} ms${rid ? `, request id ${rid}` : ''})`,
        );
      } else {
        deps.terminal.verbose(
          `${call.method} ${shownUrl} → ${failure?.message ?? 'failed'} (${ms} ms)`,
        );
      }

      if (res && ((res.status >= 200 && res.status < 300) || call.allow?.includes(res.status))) {
        return res;
      }
      // A certificate the client does not trust will not become trusted by retrying.
      const tlsRefusal = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(
        (failure?.details?.errno as string | undefined) ?? '',
      );
      const retryable =
        (failure !== undefined && !tlsRefusal) ||
        (res !== undefined && RETRY_STATUSES.has(res.status));
      if (!retryable || attempt >= max) {
        if (failure) throw failure;
        throw this.errorFor(call, res!);
      }
      const lastProblem = failure ? failure.message : `HTTP ${res!.status}`;
      const delay = retryDelayMs(attempt, res?.headers['retry-after'], deps.clock.now());
      deps.terminal.verbose(
        `  ${lastProblem}: retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${max})`,
      );
      await deps.clock.sleep(delay, deps.signal);
      // A throttled call (429) was refused before it ran; anything else may have taken effect.
      if (call.probe && res?.status !== 429) {
        const already = await call.probe();
        if (already) {
          deps.terminal.verbose(
            `  ${call.op}: the earlier attempt took effect; not sending it again`,
          );
          return already;
        }
      }
    }
  }

  /** Sends a call and parses the JSON answer through `schema`. */
  async json<S extends z.ZodType>(call: RestCall, schema: S): Promise<z.output<S>> {
    const res = await this.send(call);
    return parseBody(this.cfg.service, call.op, res, schema);
  }

  /** The AzureError for a failed answer, with the service's own words. */
  errorFor(call: RestCall, res: HttpResponse): AzureError {
    const { code, message } = parseServiceError(res.body);
    const said = message ? `: ${message}` : '';
    return new AzureError(
      `${this.cfg.service}: ${call.op} failed (HTTP ${res.status}${code ? ` ${code}` : ''})${said}`,
      {
        status: res.status,
        hint: hintFor(res.status, code),
        details: {
          service: this.cfg.service,
          status: res.status,
          ...(code ? { serviceCode: code } : {}),
          ...(res.headers['x-ms-request-id'] ? { requestId: res.headers['x-ms-request-id'] } : {}),
        },
      },
    );
  }
}

function hintFor(status: number, code: string | undefined): string | undefined {
  if (code === 'MissingSubscriptionRegistration' || code === 'SubscriptionNotRegistered')
    return undefined; // the adapter adds the exact command
  if (status === 401) return 'sign in again (az login) or check the credentials';
  if (status === 403)
    return 'check that the credentials may manage import jobs in this subscription (management certificate uploaded / role assigned)';
  if (status === 404) return 'check the subscription, resource group, storage account and job name';
  if (status === 409)
    return 'the job exists or is in a state that does not allow this; see diskprep status';
  if (status === 429 || status >= 500) return 'the service is busy or failing: try again later';
  return undefined;
}

/** Parses a JSON answer through `schema`; a malformed answer is an AzureError naming the field. */
export function parseBody<S extends z.ZodType>(
  service: string,
  op: string,
  res: HttpResponse,
  schema: S,
): z.output<S> {
  let data: unknown;
  try {
    data = res.body.trim() === '' ? {} : JSON.parse(res.body);
  } catch {
    throw new AzureError(`${service}: ${op}: the answer is not JSON (HTTP ${res.status})`, {
      hint: 'check --endpoint / --arm-endpoint points at the Azure API',
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new AzureError(
      `${service}: ${op}: unexpected answer: ${where}: ${issue?.message ?? 'invalid'}`,
      {
        hint: 'the service changed or the endpoint is not the Azure API; report it with --verbose output',
      },
    );
  }
  return parsed.data;
}

/** Validates caller input; a bad value is a usage error naming the field. */
export function parseInput<S extends z.ZodType>(
  what: string,
  schema: S,
  value: unknown,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new DiskprepError(
      `${what}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`,
      2,
      {
        code: 'ERR_DISKPREP_USAGE',
      },
    );
  }
  return parsed.data;
}

/**
 * Validates the return details of a job (each adapter's setReturnDetails) and registers the
 * carrier account number with the redactor.
 */
export function parseReturnDetails(
  details: { returnAddress?: ReturnAddress; returnShipping?: ReturnShipping },
  redactor: Deps['redactor'],
): { address?: ReturnAddress; shipping?: ReturnShipping } {
  const address = details.returnAddress
    ? parseInput('return address', ReturnAddressSchema, details.returnAddress)
    : undefined;
  const shipping = details.returnShipping
    ? parseInput('return shipping', ReturnShippingSchema, details.returnShipping)
    : undefined;
  if (shipping) redactor.add(shipping.carrierAccountNumber);
  return { ...(address ? { address } : {}), ...(shipping ? { shipping } : {}) };
}
