/**
 * The contracts between the staging location (job descriptors, scanning), the copy engine and
 * the Azure services. Implementations live beside this file and in src/engine, src/importjob.
 */
import { z } from 'zod';

/** Azure services that can run an import job. */
export const SERVICES = ['classic', 'databox', 'importexport', 'offline'] as const;
export type ServiceKind = (typeof SERVICES)[number];

/** How staging files become blobs. `auto`: Azure Backup files and VHDs → page, others → block. */
export const BLOB_TYPES = ['page', 'block', 'auto'] as const;
export type BlobTypeSetting = (typeof BLOB_TYPES)[number];

/**
 * `<ImportDisposition>` values, spelled as the manifest format (2014-11-01) spells them: what the
 * service does when a blob of the same name exists. The format's default when the element is
 * absent is `rename` (`Disk0 (2).AIBBlob`); WAImportExport 1.5.0.300 and later overwrite.
 * diskprep writes the element on every blob, `overwrite` unless the job says otherwise: Azure
 * Backup looks for its blobs by name after a drive is shipped again.
 */
export const DISPOSITIONS = ['rename', 'no-overwrite', 'overwrite'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
/** The disposition of a job that names none (descriptors written before it existed). */
export const DEFAULT_DISPOSITION: Disposition = 'overwrite';

/**
 * A job descriptor: `<staging>/.diskprep/jobs/<name>.json`, written by `diskprep init`.
 * Holds no secret (storage keys and SAS live in the journal's secrets file, mode 0600).
 */
export const JobDescriptorSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  service: z.enum(SERVICES),
  storageAccount: z.string(),
  container: z.string(),
  /** Virtual directory inside the container, no leading or trailing slash. */
  prefix: z.string().optional(),
  subscription: z.string().optional(),
  resourceGroup: z.string().optional(),
  location: z.string().optional(),
  blobType: z.enum(BLOB_TYPES),
  /** `<ImportDisposition>` of every blob (absent: {@link DEFAULT_DISPOSITION}). */
  disposition: z.enum(DISPOSITIONS).optional(),
  /** Subfolder of the staging location the job covers (default: all of it but `.diskprep`). */
  data: z.string().optional(),
  createdAt: z.string(),
});
export type JobDescriptor = z.infer<typeof JobDescriptorSchema>;

/** Secrets of a job: `<staging>/.diskprep/journal/<job>/secrets.json`, mode 0600. */
export const JobSecretsSchema = z.object({
  storageAccountKey: z.string().optional(),
  /** The SAS token alone (`sv=…&sig=…`, no container, no `?`): src/storage/containerSas.ts. */
  containerSas: z.string().optional(),
});
export type JobSecrets = z.infer<typeof JobSecretsSchema>;

/** One file of a job's data, as the scanner yields it. */
export interface ScannedFile {
  /** Path relative to the job's data root, `/`-separated (the blob name below the prefix). */
  relPath: string;
  /** Absolute path on this computer. */
  absPath: string;
  size: number;
  /** Modification time in ms (fractional where the fs has ns precision). */
  mtimeMs: number;
  blobType: 'page' | 'block';
}
