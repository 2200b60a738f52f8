/**
 * A stub ImportJobService for the shipping and prepare flows' unit tests: it holds one job
 * (or none until createJob, with `absent`), follows the state rules the real services follow
 * (State=Shipping / markDevicesShipped only from the state that waits for shipping details;
 * a job is created once) and records every call.
 */
import { AzureError, UsageError } from '../../src/errors.ts';
import type {
  CreateJobRequest,
  ImportJobService,
  ImportServiceKind,
  JobStatus,
  ReturnAddress,
  ReturnShipping,
  Shipment,
} from '../../src/model/importJob.ts';

/** One recorded call. */
export type StubCall =
  | { op: 'getJob'; name: string }
  | { op: 'getShippingInfo'; location: string }
  | {
      op: 'setReturnDetails';
      name: string;
      details: { returnAddress?: ReturnAddress; returnShipping?: ReturnShipping };
    }
  | { op: 'markShipped'; name: string; shipment: Shipment }
  | { op: 'createJob'; request: CreateJobRequest };

/** Options of {@link stubService}. */
export interface StubOptions {
  kind?: ImportServiceKind;
  name?: string;
  serviceState?: string;
  drives?: string[];
  location?: string;
  carriers?: string[];
  /** The locations the service knows (any when not given), as classic's `list locations`. */
  locations?: string[];
  /** markShipped answers this error. */
  failShipment?: boolean;
  /** No job until createJob: getJob answers 404, as the services do. */
  absent?: boolean;
  /** The normalised state (default: from `serviceState`: waiting → creating, Shipping → shipping). */
  state?: JobStatus['state'];
  /** The package to the datacenter the service reports. */
  deliveryPackage?: JobStatus['deliveryPackage'];
}

/** The stub and what it saw. */
export function stubService(o: StubOptions = {}): {
  service: ImportJobService;
  calls: StubCall[];
  job: JobStatus;
} {
  const kind = o.kind ?? 'importexport';
  const calls: StubCall[] = [];
  let absent = o.absent === true;
  const waiting = kind === 'databox' ? 'AwaitingShipmentDetails' : 'Creating';
  const serviceState = o.serviceState ?? waiting;
  const job: JobStatus = {
    name: o.name ?? 'seed01',
    service: kind,
    state:
      o.state ??
      (serviceState === waiting
        ? 'creating'
        : serviceState === 'Shipping'
          ? 'shipping'
          : 'unknown'),
    serviceState,
    ...(o.deliveryPackage ? { deliveryPackage: o.deliveryPackage } : {}),
    location: o.location ?? 'West US',
    drives: (o.drives ?? ['WD-1', 'WD-2']).map((driveId) => ({
      driveId,
      state: 'specified',
      serviceState: 'Specified',
    })),
  };
  const service: ImportJobService = {
    kind,
    createJob: async (request) => {
      calls.push({ op: 'createJob', request: structuredClone(request) });
      if (!absent) throw new AzureError(`job ${request.name} already exists`, { status: 409 });
      absent = false;
      job.name = request.name;
      job.location = request.location;
      job.drives = request.drives.map((d) => ({
        driveId: d.driveId,
        state: 'specified',
        serviceState: 'Specified',
        manifestHash: d.manifestHash,
      }));
      return {
        created: true,
        job: structuredClone(job),
        message: `import job ${request.name} created`,
      };
    },
    cancel: () => Promise.reject(new Error('not in this test')),
    listJobs: () => Promise.reject(new Error('not in this test')),
    getJob: async (name) => {
      calls.push({ op: 'getJob', name });
      if (absent) throw new AzureError(`job ${name} not found`, { status: 404 });
      return structuredClone(job);
    },
    getShippingInfo: async (location) => {
      calls.push({ op: 'getShippingInfo', location });
      if (o.locations && !o.locations.includes(location))
        throw new UsageError(`"${location}" is not an Import/Export location`, {
          hint: `use one of: ${o.locations.join(', ')}`,
        });
      return {
        location,
        address: { lines: ['Azure Import/Export', '1 Datacenter Way'] },
        carriers: o.carriers ?? ['FedEx', 'DHL'],
      };
    },
    setReturnDetails: async (name, details) => {
      calls.push({ op: 'setReturnDetails', name, details: structuredClone(details) });
    },
    markShipped: async (name, shipment) => {
      calls.push({ op: 'markShipped', name, shipment: structuredClone(shipment) });
      if (o.failShipment)
        throw new AzureError('classic: record the shipment failed (HTTP 409 InvalidJobState)', {
          status: 409,
        });
      if (job.serviceState !== waiting) throw new AzureError('wrong state', { status: 409 });
      job.serviceState = kind === 'databox' ? 'ShippedToAzureDC' : 'Shipping';
      job.state = 'shipping';
      job.deliveryPackage = {
        carrierName: shipment.carrierName,
        trackingNumber: shipment.trackingNumber,
      };
    },
  };
  return { service, calls, job };
}
