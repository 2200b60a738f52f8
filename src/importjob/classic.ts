/**
 * The `classic` service: Azure Service Management Import/Export (x-ms-version 2014-11-01), the
 * seed's path. Mutual TLS with the publish settings' management certificate, JSON Light
 * PascalCase bodies, base URL `<ServiceManagementUrl>/<subscription>/services/importexport/`.
 * Reference: reference/azure-importexport.md §3.2, §4.
 */
import { z } from 'zod';
import { IMPORT_EXPORT_JOB_STATES, IMPORTEXPORT_DRIVE_STATES } from './importExportStates.ts';
import type { HttpResponse } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { containerSasValue } from '../model/containerSas.ts';
import {
  jobProbe,
  joinUrl,
  parseInput,
  parseReturnDetails,
  RestClient,
  type RestDeps,
} from './restClient.ts';
import {
  addressLines,
  type CreatedJob,
  manifestOf,
  type CreateJobRequest,
  CreateJobRequestSchema,
  type ImportJobService,
  type JobStatus,
  type JobSummary,
  type ReturnAddress,
  type ReturnShipping,
  type Shipment,
  ShipmentSchema,
  type ShippingInfo,
} from '../model/importJob.ts';

/** The x-ms-version this adapter speaks. */
export const CLASSIC_API_VERSION = '2014-11-01';

/** A subscription of a publish-settings file, as the classic adapter needs it. */
export interface ClassicCredentials {
  subscriptionId: string;
  /** From the publish settings (`ServiceManagementUrl`), or `--endpoint`. */
  serviceManagementUrl: string;
  certificate: { keyPem: string; certPem: string };
  /** Per-attempt timeout of each call (default 60 s). */
  timeoutMs?: number;
}

const AddressSchema = z.object({
  RecipientName: z.string().optional(),
  Name: z.string().optional(),
  StreetAddress1: z.string().optional(),
  StreetAddress2: z.string().optional(),
  Address: z.string().optional(),
  City: z.string().optional(),
  StateOrProvince: z.string().optional(),
  PostalCode: z.string().optional(),
  CountryOrRegion: z.string().optional(),
  Phone: z.string().optional(),
  AdditionalShippingInformation: z.string().optional(),
  AdditionalInformation: z.string().optional(),
});

const DriveSchema = z.object({
  DriveId: z.string(),
  ManifestFile: z.string().optional(),
  ManifestHash: z.string().optional(),
  State: z.string().optional(),
  CopyStatus: z.string().optional(),
  PercentComplete: z.number().optional(),
  BytesSucceeded: z.number().optional(),
  ErrorLogUri: z.string().optional(),
  VerboseLogUri: z.string().optional(),
});

const PackageSchema = z.object({
  CarrierName: z.string().optional(),
  TrackingNumber: z.string().optional(),
});

/** Get Job answer. `DriveList` sits beside `Properties` (as in Put Job); accepted inside too. */
export const ClassicJobSchema = z.object({
  Name: z.string(),
  Properties: z.object({
    State: z.string(),
    Location: z.string().optional(),
    StorageAccountName: z.string().optional(),
    CancelRequested: z.boolean().optional(),
    PercentComplete: z.number().optional(),
    ShippingInformation: AddressSchema.optional(),
    DeliveryPackage: PackageSchema.optional(),
    ReturnPackage: PackageSchema.optional(),
    DriveList: z.array(DriveSchema).optional(),
  }),
  DriveList: z.array(DriveSchema).optional(),
});
type ClassicJob = z.infer<typeof ClassicJobSchema>;

const LocationSchema = z.object({
  Name: z.string(),
  Properties: AddressSchema.extend({
    SupportedCarriers: z.array(z.string()).optional(),
    AlternateLocations: z.array(z.string()).optional(),
  }).optional(),
  SupportedCarriers: z.array(z.string()).optional(),
  AlternateLocations: z.array(z.string()).optional(),
});
const LocationListSchema = z.object({
  value: z.array(LocationSchema.extend({ ...AddressSchema.omit({ Name: true }).shape })),
});
const JobListSchema = z.object({
  value: z.array(ClassicJobSchema),
  'odata.nextLink': z.string().optional(),
});

/** Lines of a classic (PascalCase) address block. */
function lines(a: z.infer<typeof AddressSchema>): string[] {
  return addressLines({
    recipient: a.RecipientName ?? a.Name,
    street: [a.StreetAddress1, a.StreetAddress2, a.Address],
    city: a.City,
    stateOrProvince: a.StateOrProvince,
    postalCode: a.PostalCode,
    country: a.CountryOrRegion,
    phone: a.Phone,
    extra: a.AdditionalShippingInformation ?? a.AdditionalInformation,
  });
}

function toStatus(job: ClassicJob): JobStatus {
  const p = job.Properties;
  const drives = job.DriveList ?? p.DriveList ?? [];
  const pkg = (x: z.infer<typeof PackageSchema> | undefined) =>
    x ? { carrierName: x.CarrierName, trackingNumber: x.TrackingNumber } : undefined;
  return {
    name: job.Name,
    service: 'classic',
    state: IMPORT_EXPORT_JOB_STATES[p.State] ?? 'unknown',
    serviceState: p.State,
    location: p.Location,
    ...(p.PercentComplete !== undefined ? { percentComplete: p.PercentComplete } : {}),
    ...(p.CancelRequested !== undefined ? { cancelRequested: p.CancelRequested } : {}),
    drives: drives.map((d) => ({
      driveId: d.DriveId,
      ...manifestOf(d.ManifestFile, d.ManifestHash),
      state: IMPORTEXPORT_DRIVE_STATES[d.State ?? 'Specified'] ?? 'unknown',
      serviceState: d.CopyStatus
        ? `${d.State ?? 'Specified'} (${d.CopyStatus})`
        : (d.State ?? 'Specified'),
      ...(d.PercentComplete !== undefined ? { percentComplete: d.PercentComplete } : {}),
      ...(d.BytesSucceeded !== undefined ? { bytesSucceeded: d.BytesSucceeded } : {}),
      ...(d.ErrorLogUri ? { errorLogUri: d.ErrorLogUri } : {}),
      ...(d.VerboseLogUri ? { verboseLogUri: d.VerboseLogUri } : {}),
    })),
    ...(p.ShippingInformation ? { shipTo: { lines: lines(p.ShippingInformation) } } : {}),
    ...(p.DeliveryPackage ? { deliveryPackage: pkg(p.DeliveryPackage) } : {}),
    ...(p.ReturnPackage ? { returnPackage: pkg(p.ReturnPackage) } : {}),
  };
}

/** The classic API's return address: one free-text address line. */
function returnAddressBody(a: ReturnAddress) {
  const address = [
    a.companyName,
    a.streetAddress1,
    a.streetAddress2,
    a.city,
    a.stateOrProvince,
    a.postalCode,
    a.countryOrRegion,
  ]
    .filter(Boolean)
    .join(', ');
  return { Name: a.recipientName, Address: address, Phone: a.phone, Email: a.email };
}

/** The classic Service Management adapter, bound to one storage account. */
export class ClassicService implements ImportJobService {
  readonly kind = 'classic' as const;
  private readonly client: RestClient;
  private readonly base: string;

  private readonly storageAccount: string;
  private readonly deps: RestDeps;

  constructor(credentials: ClassicCredentials, storageAccount: string, deps: RestDeps) {
    this.storageAccount = storageAccount;
    this.deps = deps;
    deps.redactor.add(credentials.certificate.keyPem);
    this.base = joinUrl(
      credentials.serviceManagementUrl,
      `${encodeURIComponent(credentials.subscriptionId)}/services/importexport/`,
    );
    this.client = new RestClient({
      service: 'classic',
      deps,
      clientCert: { key: credentials.certificate.keyPem, cert: credentials.certificate.certPem },
      timeoutMs: credentials.timeoutMs,
      headers: async () => ({
        'x-ms-version': CLASSIC_API_VERSION,
        accept: 'application/json;odata=minimalmetadata',
        dataserviceversion: '3.0;',
        'accept-language': 'en-US',
      }),
    });
  }

  private jobUrl(name: string): string {
    return `${this.base}storageaccounts/${encodeURIComponent(this.storageAccount)}/jobs/${encodeURIComponent(name)}`;
  }

  private async probeJob(name: string): Promise<HttpResponse | undefined> {
    const res = await this.client.send({
      op: `look up job ${name}`,
      method: 'GET',
      url: this.jobUrl(name),
      allow: [404],
    });
    return res.status === 404 ? undefined : res;
  }

  async createJob(request: CreateJobRequest): Promise<CreatedJob> {
    const req = parseInput('import job', CreateJobRequestSchema, request);
    for (const d of req.drives) this.deps.redactor.add(d.bitLockerKey);
    this.deps.redactor.add(req.returnShipping.carrierAccountNumber);
    const cred = req.storageCredential;
    if (!cred) {
      throw new UsageError('the classic service needs the storage account key or a container SAS', {
        hint: 'record it with diskprep init (--storage-account-key <key> or --container-sas <sas>)',
      });
    }
    const secret = 'storageAccountKey' in cred ? cred.storageAccountKey : cred.containerSas;
    this.deps.redactor.add(secret);
    // The same `<container>?<token>` the drive manifest carries.
    const containerSas =
      'containerSas' in cred ? containerSasValue(req.container, cred.containerSas) : undefined;
    const body = {
      Name: req.name,
      Properties: {
        StorageAccountName: req.storageAccount,
        ...('storageAccountKey' in cred
          ? { StorageAccountKey: cred.storageAccountKey }
          : { ContainerSas: containerSas }),
        Location: req.location,
        Type: 'Import',
        ReturnAddress: returnAddressBody(req.returnAddress),
        ReturnShipping: {
          CarrierName: req.returnShipping.carrierName,
          CarrierAccountNumber: req.returnShipping.carrierAccountNumber,
        },
        ImportExportStatesPath: req.diagnosticsPath ?? 'waimportexport',
        EnableVerboseLog: req.verboseLog,
        BackupDriveManifest: req.backupDriveManifest,
      },
      DriveList: req.drives.map((d) => ({
        DriveId: d.driveId,
        BitLockerKey: d.bitLockerKey,
        ManifestFile: d.manifestFile,
        ManifestHash: d.manifestHash.toUpperCase(),
      })),
    };
    await this.client.send({
      op: `create job ${req.name}`,
      method: 'PUT',
      url: this.jobUrl(req.name),
      body,
      probe: () => this.probeJob(req.name),
    });
    const job = await this.getJob(req.name);
    return {
      created: true,
      job,
      message: `created classic import job ${req.name} (${job.serviceState})`,
    };
  }

  async getJob(name: string): Promise<JobStatus> {
    return toStatus(
      await this.client.json(
        { op: `get job ${name}`, method: 'GET', url: this.jobUrl(name) },
        ClassicJobSchema,
      ),
    );
  }

  async getShippingInfo(location: string): Promise<ShippingInfo> {
    const list = await this.client.json(
      { op: 'list locations', method: 'GET', url: `${this.base}locations` },
      LocationListSchema,
    );
    const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();
    const loc = list.value.find((l) => norm(l.Name) === norm(location));
    if (!loc) {
      throw new UsageError(`"${location}" is not an Import/Export location`, {
        hint: `use one of: ${list.value.map((l) => l.Name).join(', ')}`,
      });
    }
    const p = { ...loc, ...(loc.Properties ?? {}) };
    return {
      location: loc.Name,
      address: { lines: lines(p) },
      carriers: p.SupportedCarriers ?? loc.SupportedCarriers ?? [],
      ...((p.AlternateLocations ?? loc.AlternateLocations)
        ? { alternateLocations: p.AlternateLocations ?? loc.AlternateLocations }
        : {}),
    };
  }

  private async update(
    name: string,
    op: string,
    properties: Record<string, unknown>,
    probe?: () => Promise<HttpResponse | undefined>,
  ) {
    await this.client.send({
      op,
      method: 'PATCH',
      url: this.jobUrl(name),
      body: { Properties: properties },
      probe,
    });
  }

  async setReturnDetails(
    name: string,
    details: { returnAddress?: ReturnAddress; returnShipping?: ReturnShipping },
  ): Promise<void> {
    const { address, shipping } = parseReturnDetails(details, this.deps.redactor);
    await this.update(name, `update the return details of job ${name}`, {
      ...(address ? { ReturnAddress: returnAddressBody(address) } : {}),
      ...(shipping
        ? {
            ReturnShipping: {
              CarrierName: shipping.carrierName,
              CarrierAccountNumber: shipping.carrierAccountNumber,
            },
          }
        : {}),
    });
  }

  async markShipped(name: string, shipment: Shipment): Promise<void> {
    const s = parseInput('shipment', ShipmentSchema, shipment);
    await this.update(
      name,
      `record the shipment of job ${name}`,
      {
        State: 'Shipping',
        DeliveryPackage: {
          CarrierName: s.carrierName,
          TrackingNumber: s.trackingNumber,
          ...(s.driveCount !== undefined ? { DriveCount: s.driveCount } : {}),
          ...(s.shipDate ? { ShipDate: s.shipDate } : {}),
        },
      },
      jobProbe(
        'classic',
        name,
        () => this.probeJob(name),
        ClassicJobSchema,
        (job) =>
          job.Properties.State === 'Shipping' &&
          job.Properties.DeliveryPackage?.TrackingNumber === s.trackingNumber,
      ),
    );
  }

  async cancel(name: string, _reason: string): Promise<void> {
    await this.update(name, `cancel job ${name}`, { CancelRequested: true });
  }

  async listJobs(): Promise<JobSummary[]> {
    const out: JobSummary[] = [];
    let url: string | undefined =
      `${this.base}storageaccounts/${encodeURIComponent(this.storageAccount)}/jobs?type=import`;
    while (url) {
      const page: z.infer<typeof JobListSchema> = await this.client.json(
        { op: 'list jobs', method: 'GET', url },
        JobListSchema,
      );
      for (const j of page.value) {
        out.push({
          name: j.Name,
          state: IMPORT_EXPORT_JOB_STATES[j.Properties.State] ?? 'unknown',
          serviceState: j.Properties.State,
          location: j.Properties.Location,
          storageAccount: this.storageAccount,
        });
      }
      const next: string | undefined = page['odata.nextLink'];
      url = next ? new URL(next, this.base).toString() : undefined;
    }
    return out;
  }
}
