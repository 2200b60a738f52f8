/**
 * A loopback HTTPS fake of the Azure calls `diskprep check` makes, with real TLS (and client
 * certificates for the classic API): classic Get Subscription, ARM Get Subscription, the
 * Microsoft.DataBox provider, and Data Box availableSkus, whose request (path, api-version,
 * body) is validated against the official OpenAPI spec (test/fixtures/specs) by the same
 * validator as the ARM fake's. Every request is recorded.
 */
import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { specValidator } from './specValidator.ts';

/** One recorded request. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-1 thumbprint (uppercase hex) of the client certificate, if one was sent. */
  clientThumbprint: string | undefined;
}

/** What the fake answers; change fields between requests. */
export interface FakeAzureState {
  /** ARM `state`. */
  armState: string;
  /** Classic `SubscriptionStatus`. */
  classicStatus: string;
  /** Provider `registrationState`. */
  registrationState: string;
  /** Whether DataBoxCustomerDisk is enabled in availableSkus. */
  skuEnabled: boolean;
  /** The bearer token ARM accepts. */
  token: string;
  /** The management certificate thumbprint the classic API accepts. */
  thumbprint: string;
  subscriptionId: string;
}

/** A running fake. */
export interface FakeAzure {
  url: string;
  port: number;
  state: FakeAzureState;
  requests: SeenRequest[];
  /** Requests whose body or query broke the spec. */
  specViolations: string[];
  close(): Promise<void>;
}

function thumbprintOf(socket: TLSSocket): string | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) return undefined;
  return createHash('sha1').update(peer.raw).digest('hex').toUpperCase();
}

/** Starts the fake on 127.0.0.1. */
export async function startFakeAzure(
  tlsFiles: { keyPem: string; certPem: string },
  initial: Partial<FakeAzureState> = {},
): Promise<FakeAzure> {
  const state: FakeAzureState = {
    armState: 'Enabled',
    classicStatus: 'Active',
    registrationState: 'Registered',
    skuEnabled: true,
    token: 'test-token-0123456789',
    thumbprint: '',
    subscriptionId: '11111111-2222-3333-4444-555555555555',
    ...initial,
  };
  const requests: SeenRequest[] = [];
  const specViolations: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = https.createServer(
    { key: tlsFiles.keyPem, cert: tlsFiles.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'https://fake');
        const seen: SeenRequest = {
          method: req.method ?? '',
          path: u.pathname + u.search,
          headers: req.headers,
          body,
          clientThumbprint: thumbprintOf(req.socket as TLSSocket),
        };
        requests.push(seen);
        const json = (status: number, value: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        };
        const sub = state.subscriptionId;
        const armAuth = (): boolean => {
          if (req.headers.authorization === `Bearer ${state.token}`) return true;
          json(401, {
            error: { code: 'InvalidAuthenticationToken', message: 'The access token is invalid.' },
          });
          return false;
        };
        // Classic: GET /<sub> with x-ms-version and the management certificate.
        if (req.method === 'GET' && u.pathname === `/${sub}`) {
          if (!req.headers['x-ms-version']) {
            res.writeHead(400).end('<Error><Code>MissingOrIncorrectVersionHeader</Code></Error>');
            return;
          }
          if (seen.clientThumbprint !== state.thumbprint) {
            res
              .writeHead(403, { 'content-type': 'application/xml' })
              .end(
                '<Error xmlns="http://schemas.microsoft.com/windowsazure"><Code>ForbiddenError</Code><Message>The server failed to authenticate the request. Verify that the certificate is valid and is associated with this subscription.</Message></Error>',
              );
            return;
          }
          res
            .writeHead(200, { 'content-type': 'application/xml; charset=utf-8' })
            .end(
              `<Subscription xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><SubscriptionID>${sub}</SubscriptionID><SubscriptionName>Pay-As-You-Go</SubscriptionName><SubscriptionStatus>${state.classicStatus}</SubscriptionStatus><AccountAdminLiveEmailId>a@example.com</AccountAdminLiveEmailId><ServiceAdminLiveEmailId>a@example.com</ServiceAdminLiveEmailId><MaxCoreCount>20</MaxCoreCount></Subscription>`,
            );
          return;
        }
        if (req.method === 'GET' && u.pathname === `/subscriptions/${sub}`) {
          if (!u.searchParams.get('api-version'))
            specViolations.push(`${seen.path}: no api-version`);
          if (!armAuth()) return;
          json(200, {
            id: `/subscriptions/${sub}`,
            subscriptionId: sub,
            displayName: 'Test subscription',
            state: state.armState,
            subscriptionPolicies: {
              locationPlacementId: 'Public_2014-09-01',
              quotaId: 'PayAsYouGo_2014-09-01',
              spendingLimit: 'Off',
            },
            authorizationSource: 'RoleBased',
          });
          return;
        }
        if (
          req.method === 'GET' &&
          u.pathname === `/subscriptions/${sub}/providers/Microsoft.DataBox`
        ) {
          if (!u.searchParams.get('api-version'))
            specViolations.push(`${seen.path}: no api-version`);
          if (!armAuth()) return;
          json(200, {
            id: `/subscriptions/${sub}/providers/Microsoft.DataBox`,
            namespace: 'Microsoft.DataBox',
            registrationState: state.registrationState,
            resourceTypes: [],
          });
          return;
        }
        const sku = new RegExp(
          `^/subscriptions/${sub}/resourceGroups/([^/]+)/providers/Microsoft\\.DataBox/locations/([^/]+)/availableSkus$`,
        ).exec(u.pathname);
        if (req.method === 'POST' && sku) {
          if (u.searchParams.get('api-version') !== '2025-07-01')
            specViolations.push(`${seen.path}: api-version must be 2025-07-01`);
          if (!armAuth()) return;
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            specViolations.push(`${seen.path}: body is not JSON`);
          }
          const v = specValidator('databox-2025-07-01.json').validateRequest({
            method: 'POST',
            url: u,
            headers: req.headers,
            body: parsed,
          });
          if (!v.ok) {
            specViolations.push(`${seen.path}: ${v.errors.join('; ')}`);
            json(400, { error: { code: 'InvalidRequestContent', message: v.errors.join('; ') } });
            return;
          }
          json(200, {
            value: [
              {
                sku: {
                  name: 'DataBoxCustomerDisk',
                  displayName: 'Import/Export',
                  family: 'DataBoxCustomerDisk',
                },
                enabled: state.skuEnabled,
                properties: state.skuEnabled
                  ? {
                      dataLocationToServiceLocationMap: [
                        { dataLocation: sku[2], serviceLocation: sku[2] },
                      ],
                      apiVersions: ['2025-07-01'],
                    }
                  : {
                      disabledReason: 'Region',
                      disabledReasonMessage: 'The SKU is not available in this region.',
                    },
              },
            ],
          });
          return;
        }
        // Blob service: no credentials → 403, as the real service answers.
        if (u.searchParams.get('comp') === 'list') {
          res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' }).end();
          return;
        }
        json(404, { error: { code: 'NotFound', message: `no route ${req.method} ${u.pathname}` } });
      });
    },
  );
  server.on('secureConnection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    state,
    requests,
    specViolations,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** SHA-1 thumbprint of a PEM certificate, uppercase hex. */
export function thumbprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint.replaceAll(':', '').toUpperCase();
}
