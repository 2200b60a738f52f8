/**
 * `diskprep status [s:<staging>] [--job] [--json]`: the job's state, each drive's state, percent
 * and bytes, a summary of the service's error logs for drives that did not complete cleanly, and
 * what to do next. Without `s:` it looks in this computer's list of the jobs it created.
 */
import type { Deps } from '../../deps/types.ts';
import type { AzureOptions, JobStatus } from '../../model/importJob.ts';
import { type DriveLogSummary, fetchLogBlob, summarizeDriveLog } from '../../storage/errorLogs.ts';
import { buildJobService, type ServiceFactory } from '../../flows/ship/buildService.ts';
import { nextStep } from '../../flows/ship/jobStates.ts';
import { locateJob } from '../../flows/ship/locateJob.ts';
import { readJobSecrets } from '../../journal/jobs.ts';
import { storageCredential, storageNetwork } from '../../storage/client.ts';

/** Options of {@link status}. */
export interface StatusOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  /** `--proxy`: for the Azure SDKs (sign-in, storage); the http seam has it already. */
  proxy?: string;
  /** `--ca-file`: for the storage SDK; the http seam has it already. */
  caFile?: string;
}

/** One drive's error log, summarised (or why it could not be read). */
export interface DriveErrorLog {
  driveId: string;
  uri: string;
  summary?: DriveLogSummary;
  error?: string;
}

const NEEDS_LOG = new Set(['failed', 'completed-with-errors', 'never-received']);

function fmtBytes(n: number | undefined): string {
  if (n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Shows the status of an import job: the staging location's, else one this computer created. */
export async function status(
  options: StatusOptions,
  deps: Deps,
  seams: { createService?: ServiceFactory } = {},
): Promise<void> {
  const located = await locateJob(deps, {
    purpose: 'status',
    ...(options.staging ? { staging: options.staging } : {}),
    ...(options.job ? { job: options.job } : {}),
  });
  const { job, staging } = located;
  if (job.service === 'offline') {
    const message = `job ${job.name} is offline: diskprep created no Azure job; see its state in the Azure portal`;
    if (deps.output.jsonMode)
      deps.output.json({ job: { name: job.name, service: 'offline' }, message });
    else deps.output.line(message);
    return;
  }
  const stagingArg = staging ? ` s:${quoteArg(staging)}` : '';
  const service = await buildJobService(deps, {
    job,
    azure: options.azure,
    ...(options.publishSettings ? { publishSettings: options.publishSettings } : {}),
    ...(options.subscription ? { subscription: options.subscription } : {}),
    command: `diskprep status${stagingArg}`,
    ...(options.proxy ? { proxy: options.proxy } : {}),
    ...(seams.createService ? { createService: seams.createService } : {}),
  });
  const secrets = staging ? await readJobSecrets(deps, staging, job.name) : {};
  const network = await storageNetwork(deps, options);
  const storageAccount = job.storageAccount ?? '';
  const spinner = deps.terminal.spinner(`asking the ${job.service} service about job ${job.name}`);
  let info: JobStatus;
  try {
    info = await service.getJob(job.name);
  } finally {
    spinner.stop();
  }
  const logs: DriveErrorLog[] = [];
  for (const d of info.drives) {
    if (!d.errorLogUri || !NEEDS_LOG.has(d.state)) continue;
    try {
      const text = await fetchLogBlob(
        d.errorLogUri,
        storageAccount,
        storageCredential(secrets),
        deps.redactor,
        network,
      );
      logs.push({ driveId: d.driveId, uri: d.errorLogUri, summary: summarizeDriveLog(text) });
    } catch (err) {
      const why = (err as Error).message.split('\n')[0] ?? 'unreadable';
      deps.terminal.warn(`cannot read the error log of drive ${d.driveId}: ${why}`);
      logs.push({ driveId: d.driveId, uri: d.errorLogUri, error: why });
    }
  }
  const next = nextStep(info, {
    shipCommand: `diskprep u:${stagingArg}${job.service === 'classic' ? ' p:<file.publishsettings>' : ''}`,
    verifyCommand: staging
      ? `diskprep verify-import s:${quoteArg(staging)}`
      : 'diskprep verify-import s:<staging>',
  });
  if (deps.output.jsonMode) {
    deps.output.json({ job: info, errorLogs: logs, next });
    return;
  }
  const o = deps.output;
  o.line(
    `job ${info.name} (${info.service}): ${info.serviceState}${info.percentComplete !== undefined ? `, ${info.percentComplete}%` : ''}`,
  );
  if (info.error) o.line(`  error: ${info.error}`);
  if (info.deliveryPackage?.trackingNumber)
    o.line(
      `  shipped: ${info.deliveryPackage.carrierName ?? ''} ${info.deliveryPackage.trackingNumber}`,
    );
  if (info.returnPackage?.trackingNumber)
    o.line(
      `  returned: ${info.returnPackage.carrierName ?? ''} ${info.returnPackage.trackingNumber}`,
    );
  for (const d of info.drives) {
    const pct = d.percentComplete !== undefined ? ` ${d.percentComplete}%` : '';
    const bytes =
      d.bytesSucceeded !== undefined
        ? ` ${fmtBytes(d.bytesSucceeded)}${d.totalBytes ? ` of ${fmtBytes(d.totalBytes)}` : ''}`
        : '';
    o.line(`  drive ${d.driveId}: ${d.serviceState}${pct}${bytes}`);
  }
  for (const l of logs) {
    if (l.error) {
      o.line(`  drive ${l.driveId} error log: unreadable (${l.error})`);
      continue;
    }
    const s = l.summary!;
    o.line(
      `  drive ${l.driveId} error log: ${s.status ?? 'no status'}, ${s.failedBlobs.length} of ${s.blobCount} blobs failed`,
    );
    for (const b of s.failedBlobs.slice(0, 20)) o.line(`    ${b.status}: ${b.blobPath}`);
    if (s.failedBlobs.length > 20)
      o.line(`    … and ${s.failedBlobs.length - 20} more (--json lists all)`);
  }
  o.line(`next: ${next}`);
}

/** Quotes a path with spaces for a command line the operator can copy. */
function quoteArg(p: string): string {
  return /\s/.test(p) ? `"${p}"` : p;
}
