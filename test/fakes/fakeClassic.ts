/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call -- fakes and tests handle free-form service JSON */
/**
 * A loopback classic Service Management Import/Export endpoint: HTTPS that demands a client
 * certificate signed by the test CA and matching the subscription's management certificate,
 * `x-ms-version: 2014-11-01`, JSON Light PascalCase bodies, `odata.error` answers, and the state
 * rules of Update Job Properties (State=Shipping only from Creating, with ReturnAddress and
 * DeliveryPackage). There is no OpenAPI spec for this API; the checks follow
 * reference/azure-importexport.md §3.2.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { applyFault, FaultQueue, readBody } from './faults.ts';

type Json = Record<string, any>;

/** One recorded request. */
export interface ClassicRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: Json;
}

/** The fake. */
export class FakeClassic {
  readonly requests: ClassicRequest[] = [];
  readonly violations: string[] = [];
  readonly faults = new FaultQueue();
  readonly jobs = new Map<string, Json>();
  created = 0;
  url = '';
  private server: Server | undefined;
  private readonly tls: { key: string; cert: string; ca: string };
  private readonly subscription: string;
  /** Fingerprint of the management certificate the subscription accepts. */
  private readonly managementFingerprint: string;

  constructor(options: {
    tls: { key: string; cert: string; ca: string };
    subscription: string;
    managementCert: string;
  }) {
    this.tls = options.tls;
    this.subscription = options.subscription;
    this.managementFingerprint = new X509Certificate(options.managementCert).fingerprint256;
  }

  async start(): Promise<this> {
    this.server = createServer(
      {
        key: this.tls.key,
        cert: this.tls.cert,
        ca: this.tls.ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => {
          this.violations.push(`fake crashed: ${String(err)}`);
          if (!res.headersSent) res.writeHead(500).end();
        });
      },
    );
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private odataError(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json;odata=minimalmetadata' });
    res.end(
      JSON.stringify({
        'odata.error': {
          code: String(status),
          message: { lang: 'en-US', value: message },
          'azure.values': [{ ExtendedCode: code }],
        },
      }),
    );
  }

  private json(res: ServerResponse, status: number, body?: unknown): void {
    res.writeHead(
      status,
      body === undefined ? {} : { 'content-type': 'application/json;odata=minimalmetadata' },
    );
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private view(job: Json): Json {
    const v = structuredClone(job);
    delete v.Properties.StorageAccountKey;
    delete v.Properties.ContainerSas;
    if (v.Properties.ReturnShipping) delete v.Properties.ReturnShipping.CarrierAccountNumber;
    for (const d of v.DriveList ?? []) delete d.BitLockerKey;
    return v;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    const body = raw ? (JSON.parse(raw) as Json) : undefined;
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, headers: req.headers, body });

    const peer = (req.socket as TLSSocket).getPeerX509Certificate();
    if (!peer || peer.fingerprint256 !== this.managementFingerprint)
      return this.odataError(
        res,
        403,
        'ForbiddenError',
        'The server failed to authenticate the request. Verify that the certificate is valid and is associated with this subscription.',
      );
    const before = this.faults.take(method, url.pathname, 'before', raw);
    if (before && (await applyFault(before, req, res))) return;
    if (method === 'GET' && url.pathname === `/${this.subscription}`) {
      // Get Subscription (XML), which `check` and prepare's preflight read the state from.
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<Subscription xmlns="http://schemas.microsoft.com/windowsazure"><SubscriptionID>${this.subscription}</SubscriptionID><SubscriptionName>Pay-As-You-Go</SubscriptionName><SubscriptionStatus>Active</SubscriptionStatus></Subscription>`,
      );
      return;
    }
    if (req.headers['x-ms-version'] !== '2014-11-01') {
      this.violations.push(`x-ms-version ${String(req.headers['x-ms-version'])}`);
      return this.odataError(
        res,
        400,
        'MissingOrIncorrectVersionHeader',
        'The versioning header is not specified or was specified incorrectly.',
      );
    }
    if (!String(req.headers.accept ?? '').startsWith('application/json')) {
      this.violations.push(`accept ${String(req.headers.accept)}`);
      return this.odataError(res, 406, 'NotAcceptable', 'Accept must be application/json');
    }
    const prefix = `/${this.subscription}/services/importexport/`;
    if (!url.pathname.startsWith(prefix))
      return this.odataError(
        res,
        404,
        'ResourceNotFound',
        'The requested subscription or resource was not found.',
      );
    const rest = url.pathname.slice(prefix.length);

    const result = this.route(method, rest, body);
    const after = this.faults.take(method, url.pathname, 'after', raw);
    if (after && (await applyFault(after, req, res))) return;
    if (result.error)
      return this.odataError(res, result.status, result.error.code, result.error.message);
    this.json(res, result.status, result.body);
  }

  private route(
    method: string,
    rest: string,
    body: Json | undefined,
  ): { status: number; body?: unknown; error?: { code: string; message: string } } {
    const fail = (status: number, code: string, message: string) => ({
      status,
      error: { code, message },
    });
    if (method === 'GET' && rest === 'locations') {
      return {
        status: 200,
        body: {
          value: [
            {
              Name: 'West US',
              Properties: {
                RecipientName: 'Microsoft Azure Import/Export Service',
                StreetAddress1: '3020 Coronado',
                City: 'Santa Clara',
                StateOrProvince: 'CA',
                PostalCode: '95054',
                CountryOrRegion: 'USA',
                Phone: '4085550100',
                SupportedCarriers: ['FedEx', 'DHL'],
                AlternateLocations: ['West US'],
              },
            },
            { Name: 'Australia East', Properties: { City: 'Sydney', SupportedCarriers: ['DHL'] } },
          ],
        },
      };
    }
    const m = /^storageaccounts\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(rest);
    if (!m) return fail(404, 'ResourceNotFound', 'no such resource');
    const [, account, name] = m;
    if (!name) {
      if (method !== 'GET') return fail(405, 'MethodNotAllowed', 'method');
      return {
        status: 200,
        body: {
          value: [...this.jobs.values()]
            .filter((j) => j.Properties.StorageAccountName === account)
            .map((j) => this.view(j)),
        },
      };
    }
    const job = this.jobs.get(name);
    if (method === 'GET')
      return job
        ? { status: 200, body: this.view(job) }
        : fail(404, 'ResourceNotFound', `The job ${name} does not exist.`);
    if (method === 'PUT') {
      const p = body?.Properties ?? {};
      const problems: string[] = [];
      if (body?.Name !== name) problems.push('Name must equal the job name in the URL');
      for (const k of ['StorageAccountName', 'Location', 'Type', 'ReturnAddress', 'ReturnShipping'])
        if (p[k] === undefined) problems.push(`Properties.${k} is required`);
      if ((p.StorageAccountKey === undefined) === (p.ContainerSas === undefined))
        problems.push('exactly one of StorageAccountKey and ContainerSas');
      for (const k of ['Name', 'Address', 'Phone', 'Email'])
        if (!p.ReturnAddress?.[k]) problems.push(`ReturnAddress.${k} is required`);
      const drives = body?.DriveList;
      if (!Array.isArray(drives) || drives.length < 1 || drives.length > 10)
        problems.push('DriveList must hold 1 to 10 drives');
      for (const d of drives ?? [])
        for (const k of ['DriveId', 'BitLockerKey', 'ManifestFile', 'ManifestHash'])
          if (!d[k]) problems.push(`DriveList[].${k} is required`);
      if (problems.length) {
        this.violations.push(...problems);
        return fail(400, 'InvalidRequestBody', problems.join('; '));
      }
      if (job && job.Properties.State !== 'Creating')
        return fail(
          409,
          'JobNameInUse',
          `A job named ${name} already exists in state ${job.Properties.State}.`,
        );
      if (job) return fail(409, 'JobAlreadyExists', `The job ${name} already exists.`);
      this.jobs.set(name, {
        ...body,
        Properties: {
          ...p,
          State: 'Creating',
          ShippingInformation: {
            Name: 'Microsoft Azure Import/Export Service',
            Address: '3020 Coronado, Santa Clara, CA 95054, USA',
          },
        },
        DriveList: drives.map((d: Json) => ({ ...d, State: 'Specified' })),
      });
      this.created++;
      return { status: 201 };
    }
    if (method === 'PATCH') {
      if (!job) return fail(404, 'ResourceNotFound', `The job ${name} does not exist.`);
      const u = body?.Properties ?? {};
      const state = job.Properties.State as string;
      if (u.State !== undefined) {
        if (u.State !== 'Shipping')
          return fail(400, 'InvalidState', 'State may only be set to Shipping.');
        if (state !== 'Creating')
          return fail(
            409,
            'InvalidJobState',
            `The job state can be changed to Shipping only from Creating (it is ${state}).`,
          );
        if (
          !(u.DeliveryPackage ?? job.Properties.DeliveryPackage) ||
          !(u.ReturnAddress ?? job.Properties.ReturnAddress)
        )
          return fail(
            400,
            'MissingShippingInformation',
            'ReturnAddress and DeliveryPackage are required to ship.',
          );
      }
      if (u.CancelRequested === true && !['Creating', 'Shipping', 'Transferring'].includes(state))
        return fail(409, 'InvalidJobState', `The job cannot be cancelled in state ${state}.`);
      if ((u.ReturnAddress || u.ReturnShipping) && ['Packaging', 'Completed'].includes(state))
        return fail(409, 'InvalidJobState', `Return details cannot change in state ${state}.`);
      Object.assign(job.Properties, u);
      return { status: 204 };
    }
    return fail(405, 'MethodNotAllowed', method);
  }
}
