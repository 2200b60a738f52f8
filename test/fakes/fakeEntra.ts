/**
 * A loopback HTTPS Entra ID authority: the tenant's OpenID metadata, the OAuth 2.0 device
 * authorization endpoint (`/{tenant}/oauth2/v2.0/devicecode`) and `/{tenant}/oauth2/v2.0/token`
 * for three grants. `client_credentials` with a `jwt-bearer` client assertion (the certificate
 * sign-in): the assertion is checked as Entra checks it, below. `device_code`: answered
 * `authorization_pending` until the test approves the user code ({@link FakeEntra.approve}), then
 * once with an access token, a refresh token, an ID token and `client_info` (what msal-node builds
 * its account from). `refresh_token`: a token issued and not revoked
 * ({@link FakeEntra.revokeRefreshTokens}) gets a new access token and a rotated refresh token, else
 * `invalid_grant` (AADSTS700082) as Entra answers a revoked session (a used one stays valid, as at Entra). Access tokens of the user
 * grants live {@link FakeEntra.userTokenSeconds} (msal-node refreshes any token within 5 minutes of
 * expiry, so a short life makes the next process refresh). Anything else is a violation and a 404.
 *
 * Client credentials: The assertion is checked as Entra checks it: a JWT signed
 * (RS256 or PS256) with the private key of a certificate registered for the client id (found by
 * its `x5t` / `x5t#S256` header), `aud` the token endpoint, `iss` and `sub` the client id, not
 * expired. A good assertion is answered with the access token given to the fake (the one the
 * fake ARM accepts); anything else with 401 invalid_client and an AADSTS code, as Entra does.
 */
import { createHash, constants, randomBytes, verify, X509Certificate } from 'node:crypto';
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
  /** The people who can approve a device code (the first when the test names none). */
  users?: FakeEntraUser[];
}

/** A user of the fake directory. */
export interface FakeEntraUser {
  tenant: string;
  objectId: string;
  upn: string;
  name: string;
}

/** One device code the fake handed out. */
export interface FakeDeviceCode {
  tenant: string;
  clientId: string;
  userCode: string;
  /** The secret the client polls with. */
  deviceCode: string;
  /** Set by {@link FakeEntra.approve}. */
  user?: FakeEntraUser;
  /** Tokens issued for it (a code is redeemed once). */
  redeemed?: boolean;
}

/** One refresh token the fake issued. */
interface IssuedRefreshToken {
  token: string;
  user: FakeEntraUser;
  clientId: string;
  revoked: boolean;
}

/** Every request the fake saw (form included: tests look for leaks of these values). */
export interface EntraRequest {
  method: string;
  path: string;
  form?: Record<string, string>;
}

/** One token request, as the fake saw it (the assertion included: tests look for leaks). */
export interface EntraTokenRequest {
  tenant: string;
  form: Record<string, string>;
  /** Why the assertion was refused, or undefined when a token was issued. */
  refused?: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The device-code grant: msal-node sends the short name, RFC 8628 the URN; Entra takes both. */
const DEVICE_CODE_GRANTS = ['device_code', 'urn:ietf:params:oauth:grant-type:device_code'];

/** A JWT with `claims`, unsigned-looking but well-formed (the fakes only decode it). */
export function fakeAccessToken(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sig = createHash('sha256').update(JSON.stringify(claims)).digest('base64url');
  return `${b64({ typ: 'JWT', alg: 'RS256', kid: 'fake-entra' })}.${b64(claims)}.${sig}`;
}

/** The copy operator of the sign-in tests: a user of one tenant, who approves device codes. */
export const OPERATOR: FakeEntraUser = {
  tenant: '5d1a9f3e-2b4c-4e6f-8a1b-3c5d7e9f0a2b',
  objectId: '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
  upn: 'operator@contoso.example',
  name: 'Copy Operator',
};

/** An ARM access token of {@link OPERATOR}, valid for an hour from now. */
export function operatorToken(): string {
  return fakeAccessToken({
    aud: 'https://management.azure.com/',
    tid: OPERATOR.tenant,
    oid: OPERATOR.objectId,
    upn: OPERATOR.upn,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
}

/** The fake authority. */
export class FakeEntra {
  readonly tokenRequests: EntraTokenRequest[] = [];
  /** Every request, in order. */
  readonly requests: EntraRequest[] = [];
  readonly deviceCodes: FakeDeviceCode[] = [];
  /** Every refresh token issued (the values: tests grep outputs for them). */
  readonly refreshTokens: string[] = [];
  /** How many refresh_token grants were answered with tokens. */
  refreshGrants = 0;
  /** While true every connection is dropped without an answer (the authority unreachable). */
  down = false;
  /** `expires_in` of the user grants' access tokens. */
  userTokenSeconds = 3599;
  private readonly issued = new Map<string, IssuedRefreshToken>();
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
    if (this.down) {
      res.socket?.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const entry: EntraRequest = { method: req.method ?? '', path: url.pathname };
    this.requests.push(entry);
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
    const device = /^\/([^/]+)\/oauth2\/v2\.0\/devicecode$/.exec(url.pathname);
    if (req.method === 'POST' && device) {
      entry.form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      send(200, this.newDeviceCode(device[1]!, entry.form));
      return;
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (req.method === 'POST' && token) {
      const tenant = token[1]!;
      const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
      entry.form = form;
      const isDeviceCode = DEVICE_CODE_GRANTS.includes(form.grant_type ?? '');
      if (isDeviceCode || form.grant_type === 'refresh_token') {
        const [status, body] = isDeviceCode
          ? this.deviceCodeGrant(tenant, form)
          : this.refreshGrant(tenant, form);
        send(status, body);
        return;
      }
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

  /** Approves the device code whose user code is `userCode` as `user` (default: the first user). */
  approve(userCode: string, user?: FakeEntraUser): void {
    const code = this.deviceCodes.find((c) => c.userCode === userCode);
    if (!code) throw new Error(`no device code ${userCode} was handed out`);
    const who = user ?? this.options.users?.[0];
    if (!who) throw new Error('the fake has no user to approve a device code');
    code.user = who;
  }

  /** Revokes every refresh token issued so far ("Revoke sessions" in the portal). */
  revokeRefreshTokens(): void {
    for (const t of this.issued.values()) t.revoked = true;
  }

  private newDeviceCode(tenant: string, form: Record<string, string>): Record<string, unknown> {
    const userCode = randomBytes(5).toString('hex').toUpperCase().slice(0, 9);
    const deviceCode = `DAQABAAEAAAD-${randomBytes(32).toString('base64url')}`;
    this.deviceCodes.push({ tenant, clientId: form.client_id ?? '', userCode, deviceCode });
    const verificationUri = `${this.url}/devicelogin`;
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: 900,
      interval: 1,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  private deviceCodeGrant(tenant: string, form: Record<string, string>): [number, unknown] {
    const code = this.deviceCodes.find(
      (c) => c.deviceCode === form.device_code && c.tenant === tenant,
    );
    if (!code || code.redeemed || code.clientId !== form.client_id)
      return [
        400,
        entraError('invalid_grant', 'AADSTS70000', 'The provided device code is invalid'),
      ];
    if (!code.user)
      return [
        400,
        entraError(
          'authorization_pending',
          'AADSTS70016',
          'OAuth 2.0 device flow error. Authorization is pending',
        ),
      ];
    code.redeemed = true;
    return [200, this.userTokens(code.user, code.clientId, form.scope ?? '')];
  }

  private refreshGrant(tenant: string, form: Record<string, string>): [number, unknown] {
    const issued = this.issued.get(form.refresh_token ?? '');
    if (!issued || issued.revoked || issued.clientId !== form.client_id)
      return [
        400,
        entraError('invalid_grant', 'AADSTS700082', 'The refresh token has expired or was revoked'),
      ];
    if (issued.user.tenant !== tenant && tenant !== 'organizations' && tenant !== 'common')
      return [400, entraError('invalid_grant', 'AADSTS50020', 'User account is not in the tenant')];
    // Entra hands out a new refresh token with every grant; the old one stays valid until it
    // expires or is revoked (two processes refreshing at once both succeed).
    this.refreshGrants++;
    return [200, this.userTokens(issued.user, issued.clientId, form.scope ?? '')];
  }

  /** Access, refresh and ID token and client_info for `user`, as Entra answers a public client. */
  private userTokens(
    user: FakeEntraUser,
    clientId: string,
    scope: string,
  ): Record<string, unknown> {
    const refreshToken = `1.AQ-${randomBytes(48).toString('base64url')}`;
    this.issued.set(refreshToken, { token: refreshToken, user, clientId, revoked: false });
    this.refreshTokens.push(refreshToken);
    const now = Math.floor(Date.now() / 1000);
    const idToken = fakeAccessToken({
      ver: '2.0',
      iss: `${this.url}/${user.tenant}/v2.0`,
      aud: clientId,
      sub: user.objectId,
      oid: user.objectId,
      tid: user.tenant,
      preferred_username: user.upn,
      name: user.name,
      iat: now,
      nbf: now,
      exp: now + 3600,
    });
    const clientInfo = Buffer.from(
      JSON.stringify({ uid: user.objectId, utid: user.tenant }),
    ).toString('base64url');
    return {
      token_type: 'Bearer',
      scope: scope
        .split(' ')
        .filter((s) => s.endsWith('/.default'))
        .join(' '),
      expires_in: this.userTokenSeconds,
      ext_expires_in: this.userTokenSeconds,
      access_token: this.options.accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: clientInfo,
    };
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

/** An Entra error body: `error`, an AADSTS-prefixed description and its code. */
function entraError(error: string, aadsts: string, text: string): Record<string, unknown> {
  return {
    error,
    error_description: `${aadsts}: ${text}. Trace ID: 0 Correlation ID: 0 Timestamp: 2026-01-01 00:00:00Z`,
    error_codes: [Number(aadsts.slice(6))],
  };
}
