/**
 * The Azure services an import job can run on. Apart from job.ts (and its schema library) so
 * that the command line can list them without loading zod: `diskprep --help` stays fast.
 */

/** Azure services that can run an import job. */
export const SERVICES = ['classic', 'databox', 'importexport', 'offline'] as const;
export type ServiceKind = (typeof SERVICES)[number];
