/**
 * The `importexport` service: Microsoft.ImportExport jobs (api 2020-08-01), for older ARM
 * tenants. Reference: reference/azure-importexport.md §3.1.
 */
import { z } from 'zod';
import { IMPORT_EXPORT_JOB_STATES, IMPORTEXPORT_DRIVE_STATES } from './importExportStates.ts';
import { type ArmContext, ArmJobAdapter, seg } from './arm.ts';
import {
  jobProbe,
  parseBody,
  parseInput,
  parseReturnDetails,
  type RestCall,
  type RestDeps,
} from './restClient.ts';
import type { TokenSource } from './token.ts';
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

/** The api-version this adapter speaks. */
export const IMPORTEXPORT_API_VERSION = '2020-08-01';
const NAMESPACE = 'Microsoft.ImportExport';

const AddressSchema = z.object({
  recipientName: z.string().optional(),
  streetAddress1: z.string().optional(),
  streetAddress2: z.string().optional(),
  city: z.string().optional(),
  stateOrProvince: z.string().optional(),
  postalCode: z.string().optional(),
  countryOrRegion: z.string().optional(),
  phone: z.string().optional(),
  additionalInformation: z.string().optional(),
  additionalShippingInformation: z.string().optional(),
});

/** A job as GET returns it (unknown fields tolerated). */
export const ImportExportJobSchema = z.object({
  name: z.string(),
  location: z.string().optional(),
  properties: z.object({
    state: z.string(),
    cancelRequested: z.boolean().optional(),
    percentComplete: z.number().optional(),
    shippingInformation: AddressSchema.optional(),
    deliveryPackage: z.object({ carrierName: z.string(), trackingNumber: z.string() }).optional(),
    returnPackage: z.object({ carrierName: z.string(), trackingNumber: z.string() }).optional(),
    driveList: z
      .array(
        z.object({
          driveId: z.string(),
          manifestFile: z.string().optional(),
          manifestHash: z.string().optional(),
          state: z.string().optional(),
          copyStatus: z.string().optional(),
          percentComplete: z.number().optional(),
          bytesSucceeded: z.number().optional(),
          errorLogUri: z.string().optional(),
          verboseLogUri: z.string().optional(),
        }),
      )
      .optional(),
  }),
});
type ImportExportJob = z.infer<typeof ImportExportJobSchema>;

const LocationSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  properties: AddressSchema.extend({
    supportedCarriers: z.array(z.string()).optional(),
    alternateLocations: z.array(z.string()).optional(),
  }).optional(),
});

const JobListSchema = z.object({
  value: z.array(ImportExportJobSchema),
  nextLink: z.string().optional(),
});
const BitLockerKeysSchema = z.object({
  value: z.array(z.object({ driveId: z.string(), bitLockerKey: z.string() })),
});

/** Lines of a Microsoft.ImportExport address block. */
function lines(a: z.infer<typeof AddressSchema>): string[] {
  return addressLines({
    recipient: a.recipientName,
    street: [a.streetAddress1, a.streetAddress2],
    city: a.city,
    stateOrProvince: a.stateOrProvince,
    postalCode: a.postalCode,
    country: a.countryOrRegion,
    phone: a.phone,
    extra: a.additionalInformation ?? a.additionalShippingInformation,
  });
}

function toStatus(job: ImportExportJob): JobStatus {
  const p = job.properties;
  return {
    name: job.name,
    service: 'importexport',
    state: IMPORT_EXPORT_JOB_STATES[p.state] ?? 'unknown',
    serviceState: p.state,
    location: job.location,
    ...(p.percentComplete !== undefined ? { percentComplete: p.percentComplete } : {}),
    ...(p.cancelRequested !== undefined ? { cancelRequested: p.cancelRequested } : {}),
    drives: (p.driveList ?? []).map((d) => ({
      driveId: d.driveId,
      ...manifestOf(d.manifestFile, d.manifestHash),
      state: IMPORTEXPORT_DRIVE_STATES[d.state ?? 'Specified'] ?? 'unknown',
      serviceState: d.copyStatus
        ? `${d.state ?? 'Specified'} (${d.copyStatus})`
        : (d.state ?? 'Specified'),
      ...(d.percentComplete !== undefined ? { percentComplete: d.percentComplete } : {}),
      ...(d.bytesSucceeded !== undefined ? { bytesSucceeded: d.bytesSucceeded } : {}),
      ...(d.errorLogUri ? { errorLogUri: d.errorLogUri } : {}),
      ...(d.verboseLogUri ? { verboseLogUri: d.verboseLogUri } : {}),
    })),
    ...(p.shippingInformation ? { shipTo: { lines: lines(p.shippingInformation) } } : {}),
    ...(p.deliveryPackage ? { deliveryPackage: { ...p.deliveryPackage } } : {}),
    ...(p.returnPackage ? { returnPackage: { ...p.returnPackage } } : {}),
  };
}

function returnAddressBody(a: ReturnAddress) {
  // The 2020-08-01 ReturnAddress has no company field.
  const rest: Partial<ReturnAddress> = { ...a };
  delete rest.companyName;
  return rest;
}

/** The Microsoft.ImportExport adapter. */
export class ImportExportService extends ArmJobAdapter implements ImportJobService {
  readonly kind = 'importexport' as const;

  constructor(ctx: ArmContext, deps: RestDeps, tokens: TokenSource) {
    super(
      { service: 'importexport', namespace: NAMESPACE, apiVersion: IMPORTEXPORT_API_VERSION },
      ctx,
      deps,
      tokens,
    );
  }

  async createJob(request: CreateJobRequest): Promise<CreatedJob> {
    const req = parseInput('import job', CreateJobRequestSchema, request);
    for (const d of req.drives) this.deps.redactor.add(d.bitLockerKey);
    this.deps.redactor.add(req.returnShipping.carrierAccountNumber);
    return this.run(async () => {
      const storageAccountId =
        req.storageAccountId ??
        `/subscriptions/${this.ctx.subscription}/resourceGroups/${req.storageResourceGroup ?? this.ctx.storageResourceGroup ?? this.ctx.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${req.storageAccount}`;
      const body = {
        location: req.location,
        properties: {
          storageAccountId,
          jobType: 'Import',
          returnAddress: returnAddressBody(req.returnAddress),
          returnShipping: { ...req.returnShipping },
          diagnosticsPath: req.diagnosticsPath ?? 'waimportexport',
          logLevel: req.verboseLog ? 'Verbose' : 'Error',
          backupDriveManifest: req.backupDriveManifest,
          driveList: req.drives.map((d) => ({
            driveId: d.driveId,
            bitLockerKey: d.bitLockerKey,
            manifestFile: d.manifestFile,
            manifestHash: d.manifestHash.toUpperCase(),
            driveHeaderHash: '',
          })),
        },
      };
      const res = await this.client.send({
        op: `create job ${req.name}`,
        method: 'PUT',
        url: this.url(this.jobPath(req.name)),
        body,
        probe: () => this.probeJob(req.name),
      });
      const job = toStatus(
        parseBody('importexport', `create job ${req.name}`, res, ImportExportJobSchema),
      );
      return {
        created: true,
        job,
        message: `created Import/Export job ${req.name} (${job.serviceState})`,
      };
    });
  }

  async getJob(name: string): Promise<JobStatus> {
    return this.run(async () =>
      toStatus(
        await this.client.json(
          { op: `get job ${name}`, method: 'GET', url: this.url(this.jobPath(name)) },
          ImportExportJobSchema,
        ),
      ),
    );
  }

  async getShippingInfo(location: string): Promise<ShippingInfo> {
    return this.run(async () => {
      const loc = await this.client.json(
        {
          op: `get location ${location}`,
          method: 'GET',
          url: this.url(`/providers/${NAMESPACE}/locations/${seg(location)}`),
        },
        LocationSchema,
      );
      const p = loc.properties ?? {};
      return {
        location: loc.name,
        address: { lines: lines(p) },
        carriers: p.supportedCarriers ?? [],
        ...(p.alternateLocations ? { alternateLocations: p.alternateLocations } : {}),
      };
    });
  }

  private async patch(
    name: string,
    op: string,
    properties: Record<string, unknown>,
    probe?: RestCall['probe'],
  ): Promise<void> {
    await this.run(async () => {
      await this.client.send({
        op,
        method: 'PATCH',
        url: this.url(this.jobPath(name)),
        body: { properties },
        ...(probe ? { probe } : {}),
      });
    });
  }

  async setReturnDetails(
    name: string,
    details: { returnAddress?: ReturnAddress; returnShipping?: ReturnShipping },
  ): Promise<void> {
    const { address, shipping } = parseReturnDetails(details, this.deps.redactor);
    await this.patch(name, `update the return details of job ${name}`, {
      ...(address ? { returnAddress: returnAddressBody(address) } : {}),
      ...(shipping ? { returnShipping: { ...shipping } } : {}),
    });
  }

  async markShipped(name: string, shipment: Shipment): Promise<void> {
    const s = parseInput('shipment', ShipmentSchema, shipment);
    await this.patch(
      name,
      `record the shipment of job ${name}`,
      {
        state: 'Shipping',
        deliveryPackage: {
          carrierName: s.carrierName,
          trackingNumber: s.trackingNumber,
          ...(s.driveCount !== undefined ? { driveCount: s.driveCount } : {}),
          ...(s.shipDate ? { shipDate: s.shipDate } : {}),
        },
      },
      // Before sending again after an answer was lost: a job already Shipping with this
      // tracking number took the first PATCH (a second would be refused: Shipping only from
      // Creating).
      jobProbe(
        'importexport',
        name,
        () => this.probeJob(name),
        ImportExportJobSchema,
        (job) =>
          job.properties.state === 'Shipping' &&
          job.properties.deliveryPackage?.trackingNumber === s.trackingNumber,
      ),
    );
  }

  async cancel(name: string, _reason: string): Promise<void> {
    await this.patch(name, `cancel job ${name}`, { cancelRequested: true });
  }

  async listJobs(): Promise<JobSummary[]> {
    return this.run(async () =>
      (await this.listAllJobs(JobListSchema)).map((j) => ({
        name: j.name,
        state: IMPORT_EXPORT_JOB_STATES[j.properties.state] ?? 'unknown',
        serviceState: j.properties.state,
        location: j.location,
        resourceGroup: this.ctx.resourceGroup,
      })),
    );
  }

  /** The BitLocker keys the service holds for the job's drives (secrets: registered for redaction). */
  async listBitLockerKeys(name: string): Promise<{ driveId: string; bitLockerKey: string }[]> {
    return this.run(async () => {
      const r = await this.client.json(
        {
          op: `list the BitLocker keys of job ${name}`,
          method: 'POST',
          url: this.url(`${this.jobPath(name)}/listBitLockerKeys`),
        },
        BitLockerKeysSchema,
      );
      for (const k of r.value) this.deps.redactor.add(k.bitLockerKey);
      return r.value;
    });
  }
}
