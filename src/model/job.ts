/**
 * The contracts between the staging location (job descriptors, scanning), the copy engine and
 * the Azure services. Implementations live beside this file and in src/engine, src/importjob.
 */
import { z } from 'zod';
import { stringByRule } from '../fsutil/readJsonFile.ts';
import { containerSasProblem, storageAccountKeyProblem } from './credentialRules.ts';
import { parseContainerSas } from './containerSas.ts';
import {
  containerProblem,
  dataFolderProblem,
  jobNameProblem,
  prefixProblem,
  storageAccountProblem,
} from './names.ts';
import { SERVICES } from './services.ts';

/** Azure services that can run an import job (kept in services.ts, free of zod, for the CLI). */
export { SERVICES, type ServiceKind } from './services.ts';

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
export const JobDescriptorSchema = z
  .object({
    version: z.literal(1),
    name: z.string(),
    service: z.enum(SERVICES),
    storageAccount: z.string(),
    container: z.string(),
    /** Virtual directory inside the container, no leading or trailing slash. */
    prefix: z.string().optional(),
    subscription: z
      .string()
      .regex(/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/, 'must be a subscription id (a GUID)')
      .optional(),
    resourceGroup: z
      .string()
      .regex(/^[-\w.()\p{L}\p{N}]{0,89}[-\w()\p{L}\p{N}]$/u, 'must be a resource group name')
      .optional(),
    location: z
      .string()
      // init writes `westeurope`; descriptors of classic jobs may carry display names (`West US`).
      .regex(/^[A-Za-z][A-Za-z0-9 ]{1,63}$/, 'must be an Azure region name')
      .optional(),
    blobType: z.enum(BLOB_TYPES),
    /** `<ImportDisposition>` of every blob (absent: {@link DEFAULT_DISPOSITION}). */
    disposition: z.enum(DISPOSITIONS).optional(),
    /** Subfolder of the staging location the job covers (default: all of it but `.diskprep`). */
    data: z.string().optional(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((d, ctx) => {
    // Azure's naming rules, as `diskprep init` applies them before writing.
    const problems: [string, string | undefined][] = [
      ['name', jobNameProblem(d.service, d.name)],
      ['storageAccount', storageAccountProblem(d.storageAccount)],
      ['container', containerProblem(d.container)],
      ['prefix', d.prefix === undefined ? undefined : prefixProblem(d.prefix, d.container)],
      ['data', d.data === undefined ? undefined : dataFolderProblem(d.data)],
    ];
    for (const [field, message] of problems) {
      if (message) ctx.addIssue({ code: 'custom', path: [field], message });
    }
  });
export type JobDescriptor = z.infer<typeof JobDescriptorSchema>;

/** Secrets of a job: `<staging>/.diskprep/journal/<job>/secrets.json`, mode 0600. */
export const JobSecretsSchema = z.object({
  storageAccountKey: stringByRule(storageAccountKeyProblem).optional(),
  /** The SAS token alone (`sv=…&sig=…`, no container, no `?`): src/model/containerSas.ts.
   * Files written before that may hold `<container>?<token>`: the token part is checked. */
  containerSas: stringByRule((s) => containerSasProblem(parseContainerSas(s).token)).optional(),
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
