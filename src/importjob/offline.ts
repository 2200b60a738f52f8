/**
 * `offline`: no API call. The operator creates the job in the Azure portal and uploads each
 * drive's drive-info XML (`<Drive><DriveId/><BitLockerKey/><ManifestFile/><ManifestHash/></Drive>`).
 * The copy engine writes those files into the job's journal; this adapter finds them (writing
 * any that are missing, mode 0600 as they hold the BitLocker key), says what to upload, and never
 * pretends a job exists.
 */
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { writeDriveInfo } from '../journal/driveFiles.ts';
import { driveInfoXml } from '../engine/manifest.ts';
import { parseInput } from './restClient.ts';
import {
  type CreatedJob,
  type CreateJobRequest,
  CreateJobRequestSchema,
  type ImportJobService,
  type JobStatus,
  type JobSummary,
  type ShippingInfo,
} from '../model/importJob.ts';

function notOnline(what: string): UsageError {
  return new UsageError(
    `${what}: this job is offline (--offline), diskprep does not talk to Azure for it`,
    {
      hint: 'see the job in the Azure portal (Azure Data Box → Import/Export jobs)',
    },
  );
}

/** The offline "service". */
export class OfflineService implements ImportJobService {
  readonly kind = 'offline' as const;

  private readonly journalDir: string;
  private readonly deps: Pick<Deps, 'fs' | 'redactor'>;

  constructor(journalDir: string, deps: Pick<Deps, 'fs' | 'redactor'>) {
    this.journalDir = journalDir;
    this.deps = deps;
  }

  async createJob(request: CreateJobRequest): Promise<CreatedJob> {
    const req = parseInput('import job', CreateJobRequestSchema, request);
    const files: string[] = [];
    for (const d of req.drives) {
      this.deps.redactor.add(d.bitLockerKey);
      files.push(
        await writeDriveInfo(this.deps.fs, this.journalDir, d.driveId, driveInfoXml(d), {
          keepExisting: true,
        }),
      );
    }
    return {
      created: false,
      driveInfoFiles: files,
      message:
        `no job was created (offline): create import job ${req.name} in the Azure portal ` +
        `(Azure Data Box → Import/Export job) and upload these drive-info files: ${files.join(', ')}`,
    };
  }

  async getJob(_name: string): Promise<JobStatus> {
    throw notOnline('job status');
  }

  async getShippingInfo(_location: string): Promise<ShippingInfo> {
    throw notOnline('datacenter address');
  }

  async setReturnDetails(): Promise<void> {
    throw notOnline('return details');
  }

  async markShipped(): Promise<void> {
    throw notOnline('shipping details');
  }

  async cancel(): Promise<void> {
    throw notOnline('cancel');
  }

  async listJobs(): Promise<JobSummary[]> {
    return [];
  }
}
