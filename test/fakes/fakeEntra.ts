/**
 * A loopback HTTPS Entra ID authority for the client-certificate sign-in: the tenant's OpenID
 * metadata and `/{tenant}/oauth2/v2.0/token` for `client_credentials` with a
 * `jwt-bearer` client assertion. The assertion is checked as Entra checks it: a JWT signed
 * (RS256 or PS256) with the private key of a certificate registered for the client id (found by
 * its `x5t` / `x5t#S256` header), `aud` the token endpoint, `iss` and `sub` the client id, not
 * expired. A good assertion is answered with the access token given to the fake (the one the
 * fake ARM accepts); anything else with 401 invalid_client and an AADSTS code, as Entra does.
 */
import { createHash, constants, verify, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './faults.ts';

/** An application registered with the fake: its certificate's public part. */
export interface FakeEntraApp {
  tenant: string;
  clientId: string;
  certPem: string;
}

/** Options of {@link FakeEntra}. */
export interface FakeEntraOptions {
  tls: { key: string; cert: string };
  apps: FakeEntraApp[];
  /** The access token a good sign-in gets. */
  accessToken: string;
}

/** One token request, as the fake saw it (the assertion included: tests look for leaks). */
export interface EntraTokenRequest {
  tenant: string;
  form: Record<string, string>;
  /** Why the assertion was refused, or undefined when a token was issued. */
  refused?: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A JWT with `claims`, unsigned-looking but well-formed (the fakes only decode it). */
export function fakeAccessToken(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sig = createHash('sha256').update(JSON.stringify(claims)).digest('base64url');
  return `${b64({ typ: 'JWT', alg: 'RS256', kid: 'fake-entra' })}.${b64(claims)}.${sig}`;
}

/** The fake authority. */
export class FakeEntra {
  readonly tokenRequests: EntraTokenRequest[] = [];
  /** Requests the fake did not expect (a test asserts it stays empty). */
  readonly violations: string[] = [];
  url = '';
  private server: Server | undefined;
  private readonly options: FakeEntraOptions;

  constructor(options: FakeEntraOptions) {
    this.options = options;
  }

  async start(): Promise<this> {
    this.server = createServer(this.options.tls, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.violations.push(`fake crashed: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private tokenEndpoint(tenant: string): string {
    return `${this.url}/${tenant}/oauth2/v2.0/token`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const meta = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (req.method === 'GET' && meta) {
      const tenant = meta[1]!;
      const base = `${this.url}/${tenant}`;
      send(200, {
        token_endpoint: this.tokenEndpoint(tenant),
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        issuer: `${base}/v2.0`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
      });
      return;
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (req.method === 'POST' && token) {
      const tenant = token[1]!;
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      const refused = this.checkAssertion(tenant, form);
      this.tokenRequests.push({ tenant, form, ...(refused ? { refused } : {}) });
      if (refused) {
        send(401, {
          error: 'invalid_client',
          error_description: `AADSTS700027: ${refused}. Trace ID: 0 Correlation ID: 0 Timestamp: 2026-01-01 00:00:00Z`,
          error_codes: [700027],
        });
        return;
      }
      send(200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: this.options.accessToken,
      });
      return;
    }
    this.violations.push(`unexpected ${req.method} ${url.pathname}`);
    send(404, { error: 'not_found' });
  }

  /** Undefined when the request is a good client-credentials request, else why not. */
  private checkAssertion(tenant: string, form: Record<string, string>): string | undefined {
    if (form.grant_type !== 'client_credentials') return `grant_type ${form.grant_type}`;
    if (form.client_assertion_type !== JWT_BEARER) return 'client_assertion_type is not jwt-bearer';
    if (!form.scope?.endsWith('/.default')) return `scope ${form.scope}`;
    const parts = (form.client_assertion ?? '').split('.');
    if (parts.length !== 3) return 'client_assertion is not a JWT';
    const [h, p, s] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, string>;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const app = this.options.apps.find((a) => a.tenant === tenant && a.clientId === form.client_id);
    if (!app)
      return `Application with identifier '${form.client_id}' was not found in the directory`;
    const cert = new X509Certificate(app.certPem);
    const x5t = Buffer.from(createHash('sha1').update(cert.raw).digest()).toString('base64url');
    const x5t256 = Buffer.from(createHash('sha256').update(cert.raw).digest()).toString(
      'base64url',
    );
    if (header['x5t#S256'] !== x5t256 && header.x5t !== x5t)
      return 'The certificate with identifier used to sign the client assertion is not registered on application';
    if (header.alg !== 'RS256' && header.alg !== 'PS256') return `alg ${header.alg}`;
    const ok = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      header.alg === 'PS256'
        ? { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : cert.publicKey,
      Buffer.from(s, 'base64url'),
    );
    if (!ok) return 'Client assertion contains an invalid signature';
    if (claims.aud !== this.tokenEndpoint(tenant)) return `aud ${String(claims.aud)}`;
    if (claims.iss !== app.clientId || claims.sub !== app.clientId)
      return 'iss/sub is not the client id';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now())
      return 'Client assertion is expired';
    return undefined;
  }
}
