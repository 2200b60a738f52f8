/**
 * The one interface diskprep uses to talk to an Azure import service, whichever of the three
 * services (or none) runs the job. Inputs are plain typed values validated with zod, so the
 * callers (prepare, ship, status) never see a service's wire format.
 */
import { z } from 'zod';

/** Azure endpoint options of the commands that call Azure (`--endpoint`, `--arm-endpoint`, `--cloud`). */
export interface AzureOptions {
  /** `--endpoint`: base URL of the classic Service Management API (tests, private clouds). */
  endpoint?: string;
  /** `--arm-endpoint`: base URL of Azure Resource Manager (databox, importexport). */
  armEndpoint?: string;
  /** `--cloud`: public | usgov | china | germany (default: from the publish settings, else public). */
  cloud?: string;
  /** `--tenant`: the Entra ID directory (tenant) id to sign in to. */
  tenant?: string;
  /** `--client-id`: the application (client) id of a certificate sign-in. */
  clientId?: string;
  /** `--client-certificate`: the application's certificate, PEM (with its key) or PFX. */
  clientCertificate?: string;
  /** `--client-certificate-password`: the PFX's (or encrypted PEM key's) password. A secret. */
  clientCertificatePassword?: string;
  /** `--login`: sign in as the operator (browser or device code), the one credential of the run. */
  login?: 'browser' | 'device-code';
  /** `--token-cache`: encrypted (default), unencrypted (opt-in file, mode 0600) or off. */
  tokenCache?: string;
}

/** One prepared drive, as the copy engine records it. */
export const DriveSpecSchema = z.object({
  /** Hardware serial number without spaces. */
  driveId: z.string().min(1).regex(/^\S+$/, 'a drive serial has no spaces'),
  /** The 48-digit numerical recovery password of the drive's BitLocker volume. */
  bitLockerKey: z.string().min(1),
  /** Manifest path relative to the drive root, backslash-rooted (`\DriveManifest.xml`). */
  manifestFile: z.string().regex(/^\\/, 'the manifest path starts with a backslash'),
  /** Base16 MD5 of the manifest file (32 hex digits; 64 accepted, as newer tools send). */
  manifestHash: z.string().regex(/^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{64})$/, 'hex MD5 expected'),
});
export type DriveSpec = z.infer<typeof DriveSpecSchema>;

/** Where the service returns the drives. */
export const ReturnAddressSchema = z.object({
  recipientName: z.string().min(1),
  companyName: z.string().optional(),
  streetAddress1: z.string().min(1),
  streetAddress2: z.string().optional(),
  city: z.string().min(1),
  stateOrProvince: z.string().optional(),
  postalCode: z.string().min(1),
  /** Country or region, ISO 3166 alpha-2 where the service asks for it (`US`). */
  countryOrRegion: z.string().min(1),
  phone: z.string().min(1),
  email: z.string().email(),
});
export type ReturnAddress = z.infer<typeof ReturnAddressSchema>;

/** The fields of a return address diskprep remembers to offer again (no company, one street line). */
export const RememberedAddressSchema = ReturnAddressSchema.pick({
  recipientName: true,
  streetAddress1: true,
  city: true,
  stateOrProvince: true,
  postalCode: true,
  countryOrRegion: true,
  phone: true,
  email: true,
});

/** The operator's carrier account the service bills for the return. */
export const ReturnShippingSchema = z.object({
  carrierName: z.string().min(1),
  /** A secret: redacted everywhere. */
  carrierAccountNumber: z.string().min(1),
});
export type ReturnShipping = z.infer<typeof ReturnShippingSchema>;

/** How the service may write into the storage account (classic only; ARM uses its identity). */
export const StorageCredentialSchema = z.union([
  z.object({ storageAccountKey: z.string().min(1) }),
  /** The SAS token; the classic adapter sends it as `<container>?<token>` (containerSasValue). */
  z.object({ containerSas: z.string().min(1) }),
]);
export type StorageCredential = z.infer<typeof StorageCredentialSchema>;

/** Everything needed to create an import job. */
export const CreateJobRequestSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{1,63}$/, 'letters, digits, - and _; starts with a letter'),
  /** Azure region or Import/Export location (`westus`, `West US`). */
  location: z.string().min(1),
  storageAccount: z.string().regex(/^[a-z0-9]{3,24}$/, '3-24 lowercase letters and digits'),
  /** ARM id of the storage account; built from subscription + resource group when absent. */
  storageAccountId: z.string().optional(),
  storageResourceGroup: z.string().optional(),
  container: z.string().min(3),
  drives: z.array(DriveSpecSchema).min(1).max(10),
  returnAddress: ReturnAddressSchema,
  returnShipping: ReturnShippingSchema,
  /** Classic only. */
  storageCredential: StorageCredentialSchema.optional(),
  /** Where the service writes copy logs (default `waimportexport`). */
  diagnosticsPath: z.string().optional(),
  verboseLog: z.boolean().default(true),
  backupDriveManifest: z.boolean().default(true),
  /** ISO alpha-2 country the drives ship from (databox availableSkus check), default the return country. */
  shipFromCountry: z.string().optional(),
});
export type CreateJobRequest = z.input<typeof CreateJobRequestSchema>;
export type CreateJobRequestParsed = z.output<typeof CreateJobRequestSchema>;

/** A shipment of drives to the datacenter. */
export const ShipmentSchema = z.object({
  carrierName: z.string().min(1),
  trackingNumber: z.string().min(1),
  driveCount: z.number().int().positive().optional(),
  /** `YYYY-MM-DD`. */
  shipDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/)
    .optional(),
});
export type Shipment = z.infer<typeof ShipmentSchema>;

/** Job states, normalised across services (the service's own word is kept in `serviceState`). */
export const JOB_STATES = [
  'creating',
  'shipping',
  'received',
  'transferring',
  'packaging',
  'returning',
  'completed',
  'completed-with-errors',
  'failed',
  'cancelled',
  'unknown',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Drive states, normalised across services. */
export const DRIVE_STATES = [
  'specified',
  'received',
  'never-received',
  'transferring',
  'completed',
  'completed-with-errors',
  'failed',
  'shipped-back',
  'unknown',
] as const;
export type DriveState = (typeof DRIVE_STATES)[number];

/** A drive of a job as the service reports it. */
export interface DriveStatus {
  driveId: string;
  /** The manifest path the job was created with (`\DriveManifest.xml`), when the service says. */
  manifestFile?: string;
  /** The manifest MD5 the job was created with (uppercase hex), when the service says. */
  manifestHash?: string;
  state: DriveState;
  /** The service's own word (`Transferring`, `CompletedWithErrors`...). */
  serviceState: string;
  percentComplete?: number;
  bytesSucceeded?: number;
  totalBytes?: number;
  errorLogUri?: string;
  verboseLogUri?: string;
}

/** A postal address or instructions for where to ship. */
export interface DatacenterAddress {
  /** Printable lines (name, street, city, country, phone). */
  lines: string[];
  /** Some regions give instructions instead of an address. */
  instructions?: string;
}

/** An import job as the service reports it. */
export interface JobStatus {
  name: string;
  service: ImportServiceKind;
  state: JobState;
  serviceState: string;
  location?: string;
  percentComplete?: number;
  cancelRequested?: boolean;
  /** Whether the service would cancel the job now (Data Box `isCancellable`); unknown: absent. */
  cancellable?: boolean;
  drives: DriveStatus[];
  /** Where to ship the drives (when the service includes it in the job). */
  shipTo?: DatacenterAddress;
  deliveryPackage?: { carrierName?: string; trackingNumber?: string };
  returnPackage?: { carrierName?: string; trackingNumber?: string };
  /** The service's job-level error, if any. */
  error?: string;
}

/** Datacenter address and carriers for a region. */
export interface ShippingInfo {
  location: string;
  address: DatacenterAddress;
  /** Carriers the service accepts for the return shipment. */
  carriers: string[];
  /** Locations to ship to instead when this one does not take drives. */
  alternateLocations?: string[];
}

/** What a created job looks like to the caller. */
export interface CreatedJob {
  /** False for `offline`: nothing exists on the service side. */
  created: boolean;
  job?: JobStatus;
  /** `offline`: the drive-info XML files the operator uploads in the portal. */
  driveInfoFiles?: string[];
  /** A sentence for the operator about what happened / what to do. */
  message: string;
}

/** Service kinds that talk to Azure (plus `offline`). */
export type ImportServiceKind = 'classic' | 'databox' | 'importexport' | 'offline';

/** A summary of a job in a list. */
export interface JobSummary {
  name: string;
  state: JobState;
  serviceState: string;
  location?: string;
  resourceGroup?: string;
  storageAccount?: string;
  /** Drives the job lists (Data Box: its import disks). */
  driveCount?: number;
  /** When the job was created (ISO 8601), as the service says. */
  createdAt?: string;
  /** Whether the service would cancel the job now. */
  cancellable?: boolean;
}

/**
 * One import service. Every method validates its input and the service's answer; failures are
 * `AzureError` (exit 4) carrying the service's own message.
 */
export interface ImportJobService {
  readonly kind: ImportServiceKind;
  /** Creates the job with its drives. Never creates it twice (see createOnce). */
  createJob(request: CreateJobRequest): Promise<CreatedJob>;
  /** The job with each drive's state and copy progress. */
  getJob(name: string): Promise<JobStatus>;
  /** Datacenter address and supported return carriers for a region / location. */
  getShippingInfo(location: string): Promise<ShippingInfo>;
  /** Sets the return address and/or the return carrier account. */
  setReturnDetails(
    name: string,
    details: { returnAddress?: ReturnAddress; returnShipping?: ReturnShipping },
  ): Promise<void>;
  /** Records that the drives were shipped: carrier + tracking number (+ count, date). */
  markShipped(name: string, shipment: Shipment): Promise<void>;
  /** Asks the service to cancel the job. */
  cancel(name: string, reason: string): Promise<void>;
  /** Import jobs of this account / subscription. */
  listJobs(): Promise<JobSummary[]>;
}

/** The parts of a postal address, whatever a service calls its fields. */
export interface AddressParts {
  recipient?: string;
  /** Street lines, in order (empty ones are dropped). */
  street: (string | undefined)[];
  city?: string;
  stateOrProvince?: string;
  postalCode?: string;
  country?: string;
  phone?: string;
  /** Additional (shipping) information. */
  extra?: string;
}

/** Lines of an address block: recipient, streets, "city, state, postcode", country, phone, extra. */
export function addressLines(a: AddressParts): string[] {
  const cityLine = [a.city, a.stateOrProvince, a.postalCode].filter(Boolean).join(', ');
  const out = [a.recipient, ...a.street, cityLine, a.country].filter((l): l is string =>
    Boolean(l),
  );
  if (a.phone) out.push(`Phone: ${a.phone}`);
  if (a.extra) out.push(a.extra);
  return out;
}

/** The manifest fields of a {@link DriveStatus}, from what a service reported (absent ones left out). */
export function manifestOf(
  manifestFile: string | undefined,
  manifestHash: string | undefined,
): Pick<DriveStatus, 'manifestFile' | 'manifestHash'> {
  return {
    ...(manifestFile ? { manifestFile } : {}),
    ...(manifestHash ? { manifestHash: manifestHash.toUpperCase() } : {}),
  };
}
