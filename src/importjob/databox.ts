/**
 * The `databox` service: Microsoft.DataBox jobs with sku `DataBoxCustomerDisk` (api 2025-07-01),
 * what Azure runs today for customer-disk imports. Reference: reference/databox-customer-disk.md.
 */
import { z } from 'zod';
import type { HttpResponse } from '../deps/types.ts';
import { AzureError } from '../errors.ts';
import {
  type ArmContext,
  ArmJobAdapter,
  pollLongRunning,
  seg,
  unregisteredProvider,
} from './arm.ts';
import {
  jobProbe,
  parseBody,
  parseInput,
  parseReturnDetails,
  type RestDeps,
} from './restClient.ts';
import type { TokenSource } from './token.ts';
import {
  addressLines,
  type CreatedJob,
  manifestOf,
  type CreateJobRequest,
  CreateJobRequestSchema,
  type DatacenterAddress,
  type DriveState,
  type DriveStatus,
  type ImportJobService,
  type JobState,
  type JobStatus,
  type JobSummary,
  type ReturnAddress,
  type ReturnShipping,
  type Shipment,
  ShipmentSchema,
  type ShippingInfo,
} from '../model/importJob.ts';

/** The api-version this adapter speaks. */
export const DATABOX_API_VERSION = '2025-07-01';
const SKU = 'DataBoxCustomerDisk';
const NAMESPACE = 'Microsoft.DataBox';

/**
 * The availableSkus call that says whether the customer-disk SKU can be ordered for a country and
 * region: its path (under ARM, without the api-version) and body. The create step and
 * `diskprep check` both make it.
 */
export function availableSkusCall(
  place: { subscription: string; resourceGroup: string },
  location: string,
  country: string,
): { path: string; body: Record<string, unknown> } {
  return {
    path: `/subscriptions/${seg(place.subscription)}/resourceGroups/${seg(place.resourceGroup)}/providers/${NAMESPACE}/locations/${seg(location)}/availableSkus`,
    body: { transferType: 'ImportToAzure', country, location, skuNames: [SKU] },
  };
}

const CloudErrorSchema = z.object({ code: z.string().optional(), message: z.string().optional() });

const DatacenterAddressSchema = z.object({
  datacenterAddressType: z.string(),
  supportedCarriersForReturnShipment: z.array(z.string()).optional(),
  dataCenterAzureLocation: z.string().optional(),
  contactPersonName: z.string().optional(),
  company: z.string().optional(),
  street1: z.string().optional(),
  street2: z.string().optional(),
  street3: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  zip: z.string().optional(),
  country: z.string().optional(),
  phone: z.string().optional(),
  phoneExtension: z.string().optional(),
  additionalShippingInformation: z.string().optional(),
  communicationInstruction: z.string().optional(),
});

const CarrierInfoSchema = z.object({
  carrierName: z.string().optional(),
  trackingId: z.string().optional(),
});

/** A job as GET returns it (unknown fields tolerated). */
export const DataBoxJobSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  location: z.string().optional(),
  sku: z.object({ name: z.string() }),
  properties: z.object({
    transferType: z.string().optional(),
    status: z.string(),
    isCancellable: z.boolean().optional(),
    startTime: z.string().optional(),
    error: CloudErrorSchema.optional(),
    details: z
      .object({
        jobDetailsType: z.string(),
        importDiskDetailsCollection: z
          .record(
            z.string(),
            z.object({ manifestFile: z.string().optional(), manifestHash: z.string().optional() }),
          )
          .optional(),
        copyProgress: z
          .array(
            z.object({
              serialNumber: z.string().optional(),
              copyStatus: z.string().optional(),
              bytesProcessed: z.number().optional(),
              totalBytesToProcess: z.number().optional(),
              error: CloudErrorSchema.optional(),
            }),
          )
          .optional(),
        copyLogDetails: z
          .array(
            z.object({
              copyLogDetailsType: z.string(),
              serialNumber: z.string().optional(),
              errorLogLink: z.string().optional(),
              verboseLogLink: z.string().optional(),
            }),
          )
          .optional(),
        deliverToDcPackageDetails: CarrierInfoSchema.optional(),
        returnToCustomerPackageDetails: CarrierInfoSchema.optional(),
        datacenterAddress: DatacenterAddressSchema.optional(),
      })
      .optional(),
  }),
});
type DataBoxJob = z.infer<typeof DataBoxJobSchema>;

const JobListSchema = z.object({
  value: z.array(DataBoxJobSchema),
  nextLink: z.string().optional(),
});

const AvailableSkusSchema = z.object({
  value: z.array(
    z.object({
      sku: z.object({ name: z.string() }),
      enabled: z.boolean().optional(),
      properties: z
        .object({
          disabledReason: z.string().optional(),
          disabledReasonMessage: z.string().optional(),
          requiredFeature: z.string().optional(),
          dataLocationToServiceLocationMap: z
            .array(
              z.object({
                dataLocation: z.string().optional(),
                serviceLocation: z.string().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    }),
  ),
  nextLink: z.string().optional(),
});

const RegionConfigurationSchema = z.object({
  datacenterAddressResponse: DatacenterAddressSchema.optional(),
});

/** Stage names (StageName) → our job states. */
const STAGE_STATES: Record<string, JobState> = {
  DeviceOrdered: 'creating',
  DevicePrepared: 'creating',
  Created: 'creating',
  AwaitingShipmentDetails: 'creating',
  Dispatched: 'shipping',
  ShippedToAzureDC: 'shipping',
  Delivered: 'received',
  PickedUp: 'shipping',
  AtAzureDC: 'received',
  ReadyToReceiveAtAzureDC: 'received',
  DataCopy: 'transferring',
  PreparingToShipFromAzureDC: 'packaging',
  ReadyToDispatchFromAzureDC: 'packaging',
  ShippedToCustomer: 'returning',
  Completed: 'completed',
  CompletedWithErrors: 'completed-with-errors',
  CompletedWithWarnings: 'completed-with-errors',
  Cancelled: 'cancelled',
  Aborted: 'failed',
  Failed_IssueReportedAtCustomer: 'failed',
  Failed_IssueDetectedAtAzureDC: 'failed',
};

/** CopyStatus → our drive states. */
const COPY_STATES: Record<string, DriveState> = {
  NotStarted: 'received',
  InProgress: 'transferring',
  Completed: 'completed',
  CompletedWithErrors: 'completed-with-errors',
  NotReturned: 'shipped-back',
  DriveNotReceived: 'never-received',
};

/** Formats a datacenter address answer into printable lines. */
export function datacenterAddressLines(
  a: z.infer<typeof DatacenterAddressSchema>,
): DatacenterAddress {
  if (a.datacenterAddressType === 'DatacenterAddressInstruction')
    return { lines: [], instructions: a.communicationInstruction };
  return {
    lines: addressLines({
      recipient: a.contactPersonName,
      street: [a.company, a.street1, a.street2, a.street3],
      city: a.city,
      stateOrProvince: a.state,
      postalCode: a.zip,
      country: a.country,
      phone: a.phone && `${a.phone}${a.phoneExtension ? ` ext. ${a.phoneExtension}` : ''}`,
      extra: a.additionalShippingInformation,
    }),
  };
}

function toStatus(job: DataBoxJob): JobStatus {
  const d = job.properties.details;
  const serials = new Set<string>(Object.keys(d?.importDiskDetailsCollection ?? {}));
  for (const p of d?.copyProgress ?? []) if (p.serialNumber) serials.add(p.serialNumber);
  const drives: DriveStatus[] = [...serials].map((driveId) => {
    const p = d?.copyProgress?.find((c) => c.serialNumber === driveId);
    const log = d?.copyLogDetails?.find((c) => c.serialNumber === driveId);
    const disk = d?.importDiskDetailsCollection?.[driveId];
    const serviceState = p?.copyStatus ?? 'NotStarted';
    const state: DriveState = p?.copyStatus ? (COPY_STATES[p.copyStatus] ?? 'failed') : 'specified';
    const percent =
      p?.bytesProcessed !== undefined && p.totalBytesToProcess
        ? Math.floor((p.bytesProcessed / p.totalBytesToProcess) * 100)
        : undefined;
    return {
      driveId,
      ...manifestOf(disk?.manifestFile, disk?.manifestHash),
      state,
      serviceState,
      ...(percent !== undefined ? { percentComplete: percent } : {}),
      ...(p?.bytesProcessed !== undefined ? { bytesSucceeded: p.bytesProcessed } : {}),
      ...(p?.totalBytesToProcess !== undefined ? { totalBytes: p.totalBytesToProcess } : {}),
      ...(log?.errorLogLink ? { errorLogUri: log.errorLogLink } : {}),
      ...(log?.verboseLogLink ? { verboseLogUri: log.verboseLogLink } : {}),
    };
  });
  const err = job.properties.error;
  return {
    name: job.name,
    service: 'databox',
    state: STAGE_STATES[job.properties.status] ?? 'unknown',
    serviceState: job.properties.status,
    location: job.location,
    ...(job.properties.isCancellable !== undefined
      ? { cancellable: job.properties.isCancellable }
      : {}),
    drives,
    ...(d?.datacenterAddress ? { shipTo: datacenterAddressLines(d.datacenterAddress) } : {}),
    ...(d?.deliverToDcPackageDetails
      ? {
          deliveryPackage: {
            carrierName: d.deliverToDcPackageDetails.carrierName,
            trackingNumber: d.deliverToDcPackageDetails.trackingId,
          },
        }
      : {}),
    ...(err?.message && err.code !== 'Success'
      ? { error: `${err.code ? `${err.code}: ` : ''}${err.message}` }
      : {}),
  };
}

/** A listed job: its state, drives, creation time and resource group (from its id). */
function summaryOf(job: DataBoxJob, resourceGroup: string): JobSummary {
  const rg = /\/resourceGroups\/([^/]+)\//i.exec(job.id ?? '')?.[1];
  const p = job.properties;
  return {
    name: job.name,
    state: STAGE_STATES[p.status] ?? 'unknown',
    serviceState: p.status,
    ...(job.location ? { location: job.location } : {}),
    ...(rg || resourceGroup ? { resourceGroup: rg ? decodeURIComponent(rg) : resourceGroup } : {}),
    ...(p.details?.importDiskDetailsCollection
      ? { driveCount: Object.keys(p.details.importDiskDetailsCollection).length }
      : {}),
    ...(p.startTime ? { createdAt: p.startTime } : {}),
    ...(p.isCancellable !== undefined ? { cancellable: p.isCancellable } : {}),
  };
}

function contactFrom(a: ReturnAddress) {
  return { contactName: a.recipientName, phone: a.phone, emailList: [a.email] };
}

function shippingAddressFrom(a: ReturnAddress) {
  return {
    streetAddress1: a.streetAddress1,
    ...(a.streetAddress2 ? { streetAddress2: a.streetAddress2 } : {}),
    city: a.city,
    ...(a.stateOrProvince ? { stateOrProvince: a.stateOrProvince } : {}),
    country: a.countryOrRegion,
    postalCode: a.postalCode,
    ...(a.companyName ? { companyName: a.companyName } : {}),
    addressType: a.companyName ? 'Commercial' : 'None',
  };
}

/** The Data Box customer-disk adapter. */
export class DataBoxService extends ArmJobAdapter implements ImportJobService {
  readonly kind = 'databox' as const;

  constructor(ctx: ArmContext, deps: RestDeps, tokens: TokenSource) {
    super(
      { service: 'databox', namespace: NAMESPACE, apiVersion: DATABOX_API_VERSION },
      ctx,
      deps,
      tokens,
    );
  }

  /** The job with its details (drives, keys' status), or undefined when there is none. */
  private probeJobWithDetails(name: string): Promise<HttpResponse | undefined> {
    return this.probeJob(name, { $expand: 'details' });
  }

  /** Fails unless DataBoxCustomerDisk is enabled for this subscription, country and region. */
  async checkAvailable(location: string, country: string): Promise<void> {
    const call = availableSkusCall(this.ctx, location, country);
    const skus = await this.client.json(
      {
        op: `check that ${SKU} is available in ${location}`,
        method: 'POST',
        url: this.url(call.path),
        body: call.body,
      },
      AvailableSkusSchema,
    );
    const mine = skus.value.find((s) => s.sku.name === SKU);
    if (mine?.enabled) return;
    const reason = mine?.properties?.disabledReason;
    if (reason === 'NoSubscriptionInfo')
      throw unregisteredProvider(NAMESPACE, this.ctx.subscription);
    const why =
      mine?.properties?.disabledReasonMessage ??
      (mine ? `disabled (${reason ?? 'no reason given'})` : 'not offered');
    throw new AzureError(
      `Data Box customer disk import is not available for ${country} → ${location}: ${why}`,
      {
        code: 'ERR_DISKPREP_SKU_UNAVAILABLE',
        hint: mine?.properties?.requiredFeature
          ? `register the feature: az feature register --namespace ${NAMESPACE} --name ${mine.properties.requiredFeature}`
          : 'pick another region (--location) or ask Azure support to enable Import/Export for the subscription',
        details: { location, country, ...(reason ? { disabledReason: reason } : {}) },
      },
    );
  }

  async createJob(request: CreateJobRequest): Promise<CreatedJob> {
    const req = parseInput('import job', CreateJobRequestSchema, request);
    for (const d of req.drives) this.deps.redactor.add(d.bitLockerKey);
    this.deps.redactor.add(req.returnShipping.carrierAccountNumber);
    return this.run(async () => {
      await this.checkAvailable(
        req.location,
        req.shipFromCountry ?? req.returnAddress.countryOrRegion,
      );
      const storageAccountId =
        req.storageAccountId ??
        `/subscriptions/${this.ctx.subscription}/resourceGroups/${req.storageResourceGroup ?? this.ctx.storageResourceGroup ?? this.ctx.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${req.storageAccount}`;
      const body = {
        location: req.location,
        sku: { name: SKU },
        properties: {
          transferType: 'ImportToAzure',
          details: {
            jobDetailsType: SKU,
            contactDetails: contactFrom(req.returnAddress),
            shippingAddress: shippingAddressFrom(req.returnAddress),
            dataImportDetails: [
              {
                accountDetails: { dataAccountType: 'StorageAccount', storageAccountId },
                logCollectionLevel: req.verboseLog ? 'Verbose' : 'Error',
              },
            ],
            importDiskDetailsCollection: Object.fromEntries(
              req.drives.map((d) => [
                d.driveId,
                {
                  manifestFile: d.manifestFile,
                  manifestHash: d.manifestHash.toUpperCase(),
                  bitLockerKey: d.bitLockerKey,
                },
              ]),
            ),
            returnToCustomerPackageDetails: {
              carrierName: req.returnShipping.carrierName,
              carrierAccountNumber: req.returnShipping.carrierAccountNumber,
            },
            enableManifestBackup: req.backupDriveManifest,
          },
        },
      };
      const op = `create job ${req.name}`;
      const res = await this.client.send({
        op,
        method: 'PUT',
        url: this.url(this.jobPath(req.name)),
        body,
        probe: () => this.probeJobWithDetails(req.name),
      });
      if (res.status === 202) await pollLongRunning(this.client, this.deps, op, res);
      const job = await this.getJob(req.name);
      return {
        created: true,
        job,
        message: `created Data Box import job ${req.name} (${job.serviceState})`,
      };
    });
  }

  async getJob(name: string): Promise<JobStatus> {
    return this.run(async () => {
      const res = await this.client.send({
        op: `get job ${name}`,
        method: 'GET',
        url: this.url(this.jobPath(name), { $expand: 'details' }),
      });
      return toStatus(parseBody('databox', `get job ${name}`, res, DataBoxJobSchema));
    });
  }

  async getShippingInfo(location: string): Promise<ShippingInfo> {
    return this.run(async () => {
      const path = `/subscriptions/${seg(this.ctx.subscription)}/providers/${NAMESPACE}/locations/${seg(location)}/regionConfiguration`;
      const r = await this.client.json(
        {
          op: `get the datacenter address for ${location}`,
          method: 'POST',
          url: this.url(path),
          body: { datacenterAddressRequest: { storageLocation: location, skuName: SKU } },
        },
        RegionConfigurationSchema,
      );
      const a = r.datacenterAddressResponse;
      if (!a)
        throw new AzureError(`databox: no datacenter address for ${location}`, {
          hint: 'pick another region, or see the address in the portal',
        });
      return {
        location: a.dataCenterAzureLocation ?? location,
        address: datacenterAddressLines(a),
        carriers: a.supportedCarriersForReturnShipment ?? [],
      };
    });
  }

  async setReturnDetails(
    name: string,
    details: { returnAddress?: ReturnAddress; returnShipping?: ReturnShipping },
  ): Promise<void> {
    const { address, shipping } = parseReturnDetails(details, this.deps.redactor);
    await this.run(async () => {
      const op = `update the return details of job ${name}`;
      const res = await this.client.send({
        op,
        method: 'PATCH',
        url: this.url(this.jobPath(name)),
        body: {
          properties: {
            details: {
              ...(address
                ? {
                    contactDetails: contactFrom(address),
                    shippingAddress: shippingAddressFrom(address),
                  }
                : {}),
              ...(shipping
                ? {
                    returnToCustomerPackageDetails: {
                      carrierName: shipping.carrierName,
                      carrierAccountNumber: shipping.carrierAccountNumber,
                    },
                  }
                : {}),
            },
          },
        },
      });
      if (res.status === 202) await pollLongRunning(this.client, this.deps, op, res);
    });
  }

  async markShipped(name: string, shipment: Shipment): Promise<void> {
    const s = parseInput('shipment', ShipmentSchema, shipment);
    await this.run(async () => {
      await this.client.send({
        op: `record the shipment of job ${name}`,
        method: 'POST',
        url: this.url(`${this.jobPath(name)}/markDevicesShipped`),
        body: {
          deliverToDcPackageDetails: { carrierName: s.carrierName, trackingId: s.trackingNumber },
        },
        probe: jobProbe(
          'databox',
          name,
          () => this.probeJobWithDetails(name),
          DataBoxJobSchema,
          (job) =>
            job.properties.details?.deliverToDcPackageDetails?.trackingId === s.trackingNumber,
        ),
      });
    });
  }

  async cancel(name: string, reason: string): Promise<void> {
    await this.run(async () => {
      await this.client.send({
        op: `cancel job ${name}`,
        method: 'POST',
        url: this.url(`${this.jobPath(name)}/cancel`),
        body: { reason },
        probe: jobProbe(
          'databox',
          name,
          () => this.probeJobWithDetails(name),
          DataBoxJobSchema,
          (job) => job.properties.status === 'Cancelled',
        ),
      });
    });
  }

  async listJobs(): Promise<JobSummary[]> {
    return this.run(async () =>
      (await this.listAllJobs(JobListSchema))
        .filter((j) => j.sku.name === SKU)
        .map((j) => summaryOf(j, this.ctx.resourceGroup)),
    );
  }
}
