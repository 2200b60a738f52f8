/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- fakes and tests handle free-form service JSON */
/**
 * A loopback HTTPS Azure Resource Manager that behaves like Microsoft.DataBox (2025-07-01) and
 * Microsoft.ImportExport (2020-08-01) for customer-disk import jobs. Every request is validated
 * against the official OpenAPI spec (test/fixtures/specs); a request that does not conform is
 * answered 400 and recorded in `violations`, and so is an answer of the fake that does not
 * conform to the spec's response schema. State rules: PUT creates only (202 + Location, polled
 * to the job), markDevicesShipped only while AwaitingShipmentDetails, cancel only while
 * cancellable, ImportExport `state: Shipping` only from Creating with a return address and
 * delivery package.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, FaultQueue, readBody } from './faults.ts';
import { type SpecValidator, specValidator } from './specValidator.ts';

type Json = Record<string, any>;

let databoxSpec: SpecValidator | undefined;
let importExportSpec: SpecValidator | undefined;
/** Microsoft.Resources subscriptions, resource groups, Microsoft.Storage accounts. */
let discoverySpecs:
  { subscriptions: SpecValidator; resources: SpecValidator; storage: SpecValidator } | undefined;

/** A storage account of the fake subscription(s). */
export interface FakeStorageAccount {
  subscription: string;
  name: string;
  resourceGroup: string;
  kind: string;
  location: string;
}

/** What the fake's subscriptions hold, for init's discovery. */
export interface FakeDirectory {
  subscriptions: { id: string; name: string; state: string }[];
  resourceGroups: { subscription: string; name: string; location: string }[];
  storageAccounts: FakeStorageAccount[];
}

/** The default directory: two subscriptions, the first holding the accounts. */
export const FAKE_DIRECTORY: FakeDirectory = {
  subscriptions: [
    { id: '00000000-1111-2222-3333-444444444444', name: 'Contoso Backup', state: 'Enabled' },
    { id: '99999999-8888-7777-6666-555555555555', name: 'Contoso Dev', state: 'Enabled' },
  ],
  resourceGroups: [
    {
      subscription: '00000000-1111-2222-3333-444444444444',
      name: 'rg-archive',
      location: 'northeurope',
    },
    {
      subscription: '00000000-1111-2222-3333-444444444444',
      name: 'rg-backup',
      location: 'westeurope',
    },
    {
      subscription: '00000000-1111-2222-3333-444444444444',
      name: 'rg-network',
      location: 'westeurope',
    },
  ],
  storageAccounts: [
    {
      subscription: '00000000-1111-2222-3333-444444444444',
      name: 'contosobackup',
      resourceGroup: 'rg-backup',
      kind: 'StorageV2',
      location: 'westeurope',
    },
    {
      subscription: '00000000-1111-2222-3333-444444444444',
      name: 'contosoarchive',
      resourceGroup: 'rg-archive',
      kind: 'BlobStorage',
      location: 'northeurope',
    },
  ],
};

/** One recorded request. */
export interface ArmRequest {
  method: string;
  path: string;
  query: string;
  operationId?: string;
  authorization?: string;
  body?: unknown;
  rawBody: string;
}

/** Options of {@link FakeArm}. */
export interface FakeArmOptions {
  tls: { key: string; cert: string };
  /** The bearer token the fake accepts. */
  token: string;
  /** False: every Microsoft.DataBox call fails with MissingSubscriptionRegistration. */
  providerRegistered?: boolean;
  /** What availableSkus says about DataBoxCustomerDisk. */
  sku?: { enabled: boolean; disabledReason?: string; disabledReasonMessage?: string };
  /**
   * How a Data Box create is followed: `location` (default: 202 + Location, polled until the
   * job answers) or ARM's other protocol, `azure-async-operation` (202 + Azure-AsyncOperation,
   * a status document that says InProgress, then `asyncOutcome`).
   */
  lro?: 'location' | 'azure-async-operation';
  /** The Retry-After of a Data Box create's Location polls (default 10 s, as ARM says). */
  retryAfterSeconds?: number;
  /** The final status of an Azure-AsyncOperation (default Succeeded; Failed removes the job). */
  asyncOutcome?: 'Succeeded' | 'Failed' | 'Canceled';
  /** Jobs per page of a Data Box list (default: all on one page); further pages by `$skipToken`. */
  listPageSize?: number;
  /** Subscriptions, resource groups and storage accounts (default {@link FAKE_DIRECTORY}). */
  directory?: FakeDirectory;
}

/** The fake. */
export class FakeArm {
  readonly requests: ArmRequest[] = [];
  readonly violations: string[] = [];
  readonly faults = new FaultQueue();
  /** Data Box jobs by name, as stored (secrets included, like the service keeps them). */
  readonly databoxJobs = new Map<string, Json>();
  readonly importExportJobs = new Map<string, Json>();
  /** Count of jobs created (each PUT that made a job). */
  created = 0;
  /** Every storage account key and SAS handed out (listKeys, listServiceSas). */
  readonly issuedSecrets: string[] = [];
  private server: Server | undefined;
  private readonly opResults = new Map<string, { jobUrl: string; polls: number }>();
  private readonly opStatuses = new Map<string, { jobName: string; polls: number }>();
  url = '';

  private readonly options: FakeArmOptions;

  constructor(options: FakeArmOptions) {
    this.options = options;
    databoxSpec ??= specValidator('databox-2025-07-01.json');
    importExportSpec ??= specValidator('storageimportexport-2020-08-01.json');
  }

  async start(): Promise<this> {
    this.server = createServer(
      { key: this.options.tls.key, cert: this.options.tls.cert },
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

  /**
   * Stores a Data Box customer-disk job as the portal or Azure Backup's agent would have created
   * it (AwaitingShipmentDetails, cancellable, the given drives), in `resourceGroup` of `subscription`.
   */
  addExternalDataBoxJob(
    subscription: string,
    resourceGroup: string,
    name: string,
    options: { drives?: string[]; location?: string; startTime?: string } = {},
  ): void {
    this.databoxJobs.set(name, {
      id: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.DataBox/jobs/${name}`,
      name,
      type: 'Microsoft.DataBox/jobs',
      location: options.location ?? 'westus',
      sku: { name: 'DataBoxCustomerDisk' },
      properties: {
        transferType: 'ImportToAzure',
        status: 'AwaitingShipmentDetails',
        isCancellable: true,
        startTime: options.startTime ?? '2026-11-20T08:30:00Z',
        details: {
          jobDetailsType: 'DataBoxCustomerDisk',
          contactDetails: {
            contactName: 'Backup Ops',
            phone: '4255550100',
            emailList: ['ops@example.org'],
          },
          importDiskDetailsCollection: Object.fromEntries(
            (options.drives ?? ['WD-EXT0001']).map((d) => [
              d,
              {
                manifestFile: '\\DriveManifest.xml',
                manifestHash: '4492E3B626299FA16AD7409632025187',
              },
            ]),
          ),
          returnToCustomerPackageDetails: {
            carrierName: 'FedEx',
            carrierAccountNumber: '123450000',
          },
          datacenterAddress: {
            datacenterAddressType: 'DatacenterAddressLocation',
            supportedCarriersForReturnShipment: ['FedEx', 'DHL'],
            street1: '1 Datacenter Way',
            city: 'Quincy',
            country: 'US',
          },
        },
      },
    });
  }

  /** Changes a stored Data Box job (the datacenter's side of the story). */
  updateDataBoxJob(name: string, fn: (job: Json) => void): void {
    const job = this.databoxJobs.get(name);
    if (!job) throw new Error(`no job ${name}`);
    fn(job);
  }

  private send(
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      'x-ms-request-id': randomUUID(),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private armError(res: ServerResponse, status: number, code: string, message: string): void {
    this.send(res, status, { error: { code, message } });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const rawBody = await readBody(req);
    let body: unknown;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        this.violations.push(`${req.method} ${url.pathname}: body is not JSON`);
        return this.armError(res, 400, 'InvalidRequestContent', 'not JSON');
      }
    }
    const method = req.method ?? 'GET';
    const record: ArmRequest = {
      method,
      path: url.pathname,
      query: url.search,
      authorization: req.headers.authorization,
      body,
      rawBody,
    };
    this.requests.push(record);

    const before = this.faults.take(method, url.pathname, 'before', rawBody);
    if (before && (await applyFault(before, req, res))) return;

    if (req.headers.authorization !== `Bearer ${this.options.token}`) {
      return this.armError(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    }

    // Long-running operation status (a Location URL, not part of the spec).
    const op = /\/operationResults\/([^/]+)$/.exec(url.pathname);
    if (op && method === 'GET') {
      const state = this.opResults.get(op[1]!);
      if (!state) return this.armError(res, 404, 'NotFound', 'no such operation');
      state.polls++;
      return this.send(res, 202, undefined, {
        location: state.jobUrl,
        'retry-after': String(this.options.retryAfterSeconds ?? 10),
      });
    }

    // Azure-AsyncOperation status documents (ARM's LRO protocol, not part of the spec).
    const status = /\/operationStatuses\/([^/]+)$/.exec(url.pathname);
    if (status && method === 'GET') {
      const state = this.opStatuses.get(status[1]!);
      if (!state) return this.armError(res, 404, 'NotFound', 'no such operation');
      state.polls++;
      const name = status[1]!;
      if (state.polls < 2)
        return this.send(res, 200, { id: url.pathname, name, status: 'InProgress' });
      const outcome = this.options.asyncOutcome ?? 'Succeeded';
      if (outcome !== 'Succeeded') this.databoxJobs.delete(state.jobName);
      return this.send(res, 200, {
        id: url.pathname,
        name,
        status: outcome,
        ...(outcome === 'Failed'
          ? {
              error: {
                code: 'InvalidReturnAddress',
                message: 'The return address could not be validated by the carrier.',
              },
            }
          : {}),
      });
    }

    const listing = this.discoverySpec(url.pathname);
    if (listing) {
      const v = listing.validateRequest({ method, url, headers: req.headers, body });
      if (!v.ok) {
        this.violations.push(...v.errors);
        return this.armError(res, 400, 'InvalidRequestContent', v.errors.join('; '));
      }
      record.operationId = v.matched.operationId;
      const [status, payload] = this.directoryAnswer(
        v.matched.operationId,
        v.matched.pathParams,
        body as Json,
      );
      const problems = listing.validateResponse(v.matched.operationId, status, payload);
      if (problems.length) this.violations.push(...problems.map((p) => `fake answer: ${p}`));
      return this.send(res, status, payload);
    }

    // Get Subscription and the provider registration (Microsoft.Resources, not in these specs),
    // which `check` and prepare's preflight read before anything else.
    const sub = /^\/subscriptions\/([^/]+)(\/providers\/Microsoft\.DataBox)?$/.exec(url.pathname);
    if (sub && method === 'GET') {
      return this.send(
        res,
        200,
        sub[2]
          ? { id: url.pathname, namespace: 'Microsoft.DataBox', registrationState: 'Registered' }
          : {
              id: url.pathname,
              subscriptionId: sub[1],
              displayName: 'Pay-As-You-Go',
              state: 'Enabled',
            },
      );
    }

    const isDataBox = url.pathname.includes('/Microsoft.DataBox/');
    const spec = isDataBox ? databoxSpec! : importExportSpec!;
    const v = spec.validateRequest({ method, url, headers: req.headers, body });
    if (!v.ok) {
      this.violations.push(...v.errors);
      return this.armError(res, 400, 'InvalidRequestContent', v.errors.join('; '));
    }
    record.operationId = v.matched.operationId;

    const answer = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      const problems = spec.validateResponse(v.matched.operationId, status, payload);
      if (problems.length) this.violations.push(...problems.map((p) => `fake answer: ${p}`));
      return { status, payload, headers };
    };
    const result = isDataBox
      ? this.dataBox(v.matched.operationId, v.matched.pathParams, body as Json, url, answer)
      : this.importExport(v.matched.operationId, v.matched.pathParams, body as Json, answer);

    const after = this.faults.take(method, url.pathname, 'after', rawBody);
    if (after && (await applyFault(after, req, res))) return;
    this.send(res, result.status, result.payload, result.headers);
  }

  /** The spec of a discovery call (subscriptions, resource groups, storage), or undefined. */
  private discoverySpec(pathname: string): SpecValidator | undefined {
    discoverySpecs ??= {
      subscriptions: specValidator('subscriptions-2022-12-01.json'),
      resources: specValidator('resources-2025-04-01.json'),
      storage: specValidator('storage-2026-09-01-trimmed.json', { extensibleEnums: true }),
    };
    if (pathname === '/subscriptions') return discoverySpecs.subscriptions;
    if (/^\/subscriptions\/[^/]+\/resourcegroups$/i.test(pathname)) return discoverySpecs.resources;
    if (/\/providers\/Microsoft\.Storage\//i.test(pathname)) return discoverySpecs.storage;
    return undefined;
  }

  /** Answers a discovery call from the directory. */
  private directoryAnswer(opId: string, p: Record<string, string>, body: Json): [number, unknown] {
    const dir = this.options.directory ?? FAKE_DIRECTORY;
    const accountId = (a: FakeStorageAccount) =>
      `/subscriptions/${a.subscription}/resourceGroups/${a.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${a.name}`;
    const account = dir.storageAccounts.find(
      (a) =>
        a.subscription === p.subscriptionId &&
        a.name === p.accountName &&
        a.resourceGroup.toLowerCase() === p.resourceGroupName?.toLowerCase(),
    );
    const notFound: [number, unknown] = [
      404,
      {
        error: { code: 'ResourceNotFound', message: `storage account ${p.accountName} not found` },
      },
    ];
    switch (opId) {
      case 'Subscriptions_List':
        return [
          200,
          {
            value: dir.subscriptions.map((s) => ({
              id: `/subscriptions/${s.id}`,
              subscriptionId: s.id,
              displayName: s.name,
              state: s.state,
              tenantId: '7fe81447-da57-4385-becb-6de57f21477e',
            })),
          },
        ];
      case 'ResourceGroups_List':
        return [
          200,
          {
            value: dir.resourceGroups
              .filter((g) => g.subscription === p.subscriptionId)
              .map((g) => ({
                id: `/subscriptions/${g.subscription}/resourceGroups/${g.name}`,
                name: g.name,
                type: 'Microsoft.Resources/resourceGroups',
                location: g.location,
                properties: { provisioningState: 'Succeeded' },
              })),
          },
        ];
      case 'StorageAccounts_List':
        return [
          200,
          {
            value: dir.storageAccounts
              .filter((a) => a.subscription === p.subscriptionId)
              .map((a) => ({
                id: accountId(a),
                name: a.name,
                type: 'Microsoft.Storage/storageAccounts',
                location: a.location,
                kind: a.kind,
                sku: { name: 'Standard_LRS', tier: 'Standard' },
                properties: { provisioningState: 'Succeeded' },
              })),
          },
        ];
      case 'StorageAccounts_ListKeys': {
        if (!account) return notFound;
        const keys = ['key1', 'key2'].map((keyName) => ({
          keyName,
          value: Buffer.from(`${account.name}/${keyName}/${randomUUID()}`).toString('base64'),
          permissions: 'Full',
        }));
        this.issuedSecrets.push(...keys.map((k) => k.value));
        return [200, { keys }];
      }
      case 'StorageAccounts_ListServiceSAS': {
        if (!account) return notFound;
        const resource = /^\/blob\/([^/]+)\/([^/]+)$/.exec(String(body.canonicalizedResource));
        if (resource?.[1] !== account.name)
          return [
            400,
            {
              error: {
                code: 'InvalidValuesForRequestParameters',
                message: `canonicalizedResource must be /blob/${account.name}/<container>`,
              },
            },
          ];
        const sig = Buffer.from(randomUUID()).toString('base64');
        const q = new URLSearchParams({
          sv: '2026-02-06',
          sr: String(body.signedResource),
          se: new Date(String(body.signedExpiry)).toISOString().replace(/\.\d+Z$/, 'Z'),
          sp: String(body.signedPermission),
          ...(body.signedProtocol ? { spr: String(body.signedProtocol) } : {}),
          sig,
        });
        const token = q.toString();
        this.issuedSecrets.push(token, sig);
        return [200, { serviceSasToken: token }];
      }
      default:
        return [
          501,
          { error: { code: 'NotImplemented', message: `${opId} is not implemented by the fake` } },
        ];
    }
  }

  private dataBoxView(job: Json): Json {
    const view = structuredClone(job);
    const d = view.properties.details;
    for (const disk of Object.values<Json>(d.importDiskDetailsCollection ?? {}))
      delete disk.bitLockerKey;
    if (d.returnToCustomerPackageDetails)
      delete d.returnToCustomerPackageDetails.carrierAccountNumber;
    return view;
  }

  private dataBox(
    opId: string,
    p: Record<string, string>,
    body: Json,
    url: URL,
    answer: (
      s: number,
      b?: unknown,
      h?: Record<string, string>,
    ) => { status: number; payload?: unknown; headers: Record<string, string> },
  ) {
    if (this.options.providerRegistered === false) {
      return answer(409, {
        error: {
          code: 'MissingSubscriptionRegistration',
          message: "The subscription is not registered to use namespace 'Microsoft.DataBox'.",
        },
      });
    }
    const err = (status: number, code: string, message: string) =>
      answer(status, { error: { code, message } });
    const job = p.jobName ? this.databoxJobs.get(p.jobName) : undefined;
    switch (opId) {
      case 'Service_ListAvailableSkusByResourceGroup': {
        const sku = this.options.sku ?? { enabled: true };
        return answer(200, {
          value: [
            {
              sku: { name: 'DataBoxCustomerDisk' },
              enabled: sku.enabled,
              properties: {
                ...(sku.disabledReason ? { disabledReason: sku.disabledReason } : {}),
                ...(sku.disabledReasonMessage
                  ? { disabledReasonMessage: sku.disabledReasonMessage }
                  : {}),
              },
            },
          ],
        });
      }
      case 'Service_RegionConfiguration':
      case 'Service_RegionConfigurationByResourceGroup':
        return answer(200, {
          datacenterAddressResponse: {
            datacenterAddressType: 'DatacenterAddressLocation',
            supportedCarriersForReturnShipment: ['FedEx', 'DHL'],
            dataCenterAzureLocation: p.location,
            contactPersonName: 'Azure Import/Export',
            company: 'Microsoft',
            street1: '1 Datacenter Way',
            city: 'Quincy',
            state: 'WA',
            zip: '98848',
            country: 'US',
            phone: '5095550100',
          },
        });
      case 'Jobs_Create': {
        if (job) return err(409, 'JobAlreadyExists', `A job named ${p.jobName} already exists.`);
        if (body.sku?.name !== 'DataBoxCustomerDisk') return err(400, 'InvalidSku', 'sku');
        const stored: Json = {
          id: url.pathname,
          name: p.jobName,
          type: 'Microsoft.DataBox/jobs',
          location: body.location,
          sku: body.sku,
          properties: {
            ...body.properties,
            status: 'AwaitingShipmentDetails',
            isCancellable: true,
            startTime: new Date().toISOString(),
            details: {
              ...body.properties.details,
              datacenterAddress: {
                datacenterAddressType: 'DatacenterAddressLocation',
                supportedCarriersForReturnShipment: ['FedEx', 'DHL'],
                street1: '1 Datacenter Way',
                city: 'Quincy',
                country: 'US',
              },
            },
          },
        };
        this.databoxJobs.set(p.jobName!, stored);
        this.created++;
        const id = randomUUID();
        if (this.options.lro === 'azure-async-operation') {
          this.opStatuses.set(id, { jobName: p.jobName!, polls: 0 });
          const statusUrl = new URL(
            `/subscriptions/${p.subscriptionId}/providers/Microsoft.DataBox/locations/${body.location}/operationStatuses/${id}?api-version=2025-07-01`,
            this.url,
          ).toString();
          return answer(202, undefined, { 'azure-asyncoperation': statusUrl, 'retry-after': '5' });
        }
        const jobUrl = new URL(url.pathname + url.search, this.url).toString();
        this.opResults.set(id, { jobUrl, polls: 0 });
        const location = new URL(
          `/subscriptions/${p.subscriptionId}/providers/Microsoft.DataBox/locations/${body.location}/operationResults/${id}?api-version=2025-07-01`,
          this.url,
        ).toString();
        return answer(202, undefined, {
          location,
          'retry-after': String(this.options.retryAfterSeconds ?? 10),
        });
      }
      case 'Jobs_Get':
        if (!job)
          return err(
            404,
            'ResourceNotFound',
            `The Resource 'Microsoft.DataBox/jobs/${p.jobName}' was not found.`,
          );
        return answer(200, this.dataBoxView(job));
      case 'Jobs_List':
      case 'Jobs_ListByResourceGroup': {
        const inScope = [...this.databoxJobs.values()].filter((j) =>
          String(j.id).startsWith(
            `/subscriptions/${p.subscriptionId}/${p.resourceGroupName ? `resourceGroups/${p.resourceGroupName}/` : ''}`,
          ),
        );
        const size = this.options.listPageSize ?? (inScope.length || 1);
        const from = Number(url.searchParams.get('$skipToken') ?? '0');
        const next = new URL(url.pathname, this.url);
        next.searchParams.set('api-version', '2025-07-01');
        next.searchParams.set('$skipToken', String(from + size));
        return answer(200, {
          value: inScope.slice(from, from + size).map((j) => this.dataBoxView(j)),
          ...(from + size < inScope.length ? { nextLink: next.toString() } : {}),
        });
      }
      case 'Jobs_Update': {
        if (!job) return err(404, 'ResourceNotFound', 'not found');
        const d = body.properties?.details ?? {};
        if (['Completed', 'Cancelled', 'ShippedToCustomer'].includes(job.properties.status))
          return err(
            409,
            'InvalidJobState',
            `The job cannot be updated in status ${job.properties.status}.`,
          );
        Object.assign(job.properties.details, d);
        return answer(200, this.dataBoxView(job));
      }
      case 'Jobs_MarkDevicesShipped': {
        if (!job) return err(404, 'ResourceNotFound', 'not found');
        if (job.properties.status !== 'AwaitingShipmentDetails')
          return err(
            409,
            'InvalidJobState',
            `Devices can be marked shipped only while awaiting shipment details (status is ${job.properties.status}).`,
          );
        job.properties.details.deliverToDcPackageDetails = body.deliverToDcPackageDetails;
        job.properties.status = 'ShippedToAzureDC';
        job.properties.isCancellable = false;
        return answer(204);
      }
      case 'Jobs_Cancel': {
        if (!job) return err(404, 'ResourceNotFound', 'not found');
        if (!job.properties.isCancellable)
          return err(
            409,
            'JobNotCancellable',
            'The job cannot be cancelled after the devices were shipped.',
          );
        job.properties.status = 'Cancelled';
        job.properties.isCancellable = false;
        job.properties.cancellationReason = body.reason;
        return answer(204);
      }
      default:
        return err(501, 'NotImplemented', `${opId} is not implemented by the fake`);
    }
  }

  private importExportView(job: Json): Json {
    const view = structuredClone(job);
    for (const d of view.properties.driveList ?? []) delete d.bitLockerKey;
    return view;
  }

  private importExport(
    opId: string,
    p: Record<string, string>,
    body: Json,
    answer: (
      s: number,
      b?: unknown,
      h?: Record<string, string>,
    ) => { status: number; payload?: unknown; headers: Record<string, string> },
  ) {
    const err = (status: number, code: string, message: string) =>
      answer(status, { error: { code, message } });
    const job = p.jobName ? this.importExportJobs.get(p.jobName) : undefined;
    switch (opId) {
      case 'Locations_Get':
        return answer(200, {
          id: `/providers/Microsoft.ImportExport/locations/${p.locationName}`,
          name: 'West US',
          type: 'Microsoft.ImportExport/locations',
          properties: {
            recipientName: 'Microsoft Azure Import/Export Service',
            streetAddress1: '3020 Coronado',
            city: 'Santa Clara',
            stateOrProvince: 'CA',
            postalCode: '95054',
            countryOrRegion: 'USA',
            phone: '4085550100',
            supportedCarriers: ['FedEx', 'DHL'],
            alternateLocations: ['/providers/Microsoft.ImportExport/locations/westus'],
          },
        });
      case 'Jobs_Create': {
        if (job && job.properties.state !== 'Creating')
          return err(
            409,
            'JobNameInUse',
            `Job ${p.jobName} exists in state ${job.properties.state}.`,
          );
        if (job) return answer(200, this.importExportView(job));
        const stored: Json = {
          id: `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ImportExport/jobs/${p.jobName}`,
          name: p.jobName,
          type: 'Microsoft.ImportExport/jobs',
          location: body.location,
          properties: {
            ...body.properties,
            state: 'Creating',
            driveList: (body.properties?.driveList ?? []).map((d: Json) => ({
              ...d,
              state: 'Specified',
            })),
            shippingInformation: {
              recipientName: 'Microsoft Azure Import/Export Service',
              streetAddress1: '3020 Coronado',
              city: 'Santa Clara',
              postalCode: '95054',
              countryOrRegion: 'USA',
            },
          },
        };
        this.importExportJobs.set(p.jobName!, stored);
        this.created++;
        return answer(201, this.importExportView(stored));
      }
      case 'Jobs_Get':
        if (!job) return err(404, 'ResourceNotFound', `Job ${p.jobName} not found.`);
        return answer(200, this.importExportView(job));
      case 'Jobs_ListByResourceGroup':
        return answer(200, {
          value: [...this.importExportJobs.values()].map((j) => this.importExportView(j)),
        });
      case 'Jobs_Update': {
        if (!job) return err(404, 'ResourceNotFound', 'not found');
        const u = body.properties ?? {};
        if (u.state !== undefined) {
          if (u.state !== 'Shipping')
            return err(400, 'InvalidState', 'state may only be set to Shipping');
          if (job.properties.state !== 'Creating')
            return err(
              409,
              'InvalidJobState',
              `State can change to Shipping only from Creating (it is ${job.properties.state}).`,
            );
          if (
            !(u.deliveryPackage ?? job.properties.deliveryPackage) ||
            !(u.returnAddress ?? job.properties.returnAddress)
          )
            return err(
              400,
              'MissingShippingInformation',
              'ReturnAddress and DeliveryPackage must be set to ship.',
            );
        }
        if (u.cancelRequested !== undefined && u.cancelRequested !== true)
          return err(400, 'Invalid', 'cancelRequested must be true');
        Object.assign(job.properties, u);
        return answer(200, this.importExportView(job));
      }
      case 'BitLockerKeys_List':
        if (!job) return err(404, 'ResourceNotFound', 'not found');
        return answer(200, {
          value: job.properties.driveList.map((d: Json) => ({
            driveId: d.driveId,
            bitLockerKey: d.bitLockerKey,
          })),
        });
      default:
        return err(501, 'NotImplemented', `${opId} is not implemented by the fake`);
    }
  }
}
