/**
 * `diskprep status s:<staging> [--job] [--json]`: the job's state, each drive's state, percent
 * and bytes, and a summary of the service's error logs for drives that did not complete cleanly.
 */
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { UsageError } from '../../errors.ts';
import { createImportJobService } from '../../importjob/factory.ts';
import type { JobStatus } from '../../importjob/types.ts';
import { chooseSubscription, loadPublishSettings } from '../../publishsettings/load.ts';
import type { PublishSubscription } from '../../publishsettings/types.ts';
import { readJobSecrets, selectJob } from '../../staging/jobs.ts';
import { storageCredential, storageNetwork } from '../../storage/client.ts';
import { type DriveLogSummary, fetchLogBlob, summarizeDriveLog } from '../../storage/errorLogs.ts';

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

/** Shows the status of the staging location's import job. */
export async function status(options: StatusOptions, deps: Deps): Promise<void> {
  if (!options.staging)
    throw new UsageError('status needs the staging location', {
      hint: 'pass s:<staging> (--staging <dir>)',
    });
  const job = await selectJob(deps, options.staging, options.job);
  if (job.service === 'offline') {
    const message = `job ${job.name} is offline: diskprep created no Azure job; see its state in the Azure portal`;
    if (deps.output.jsonMode)
      deps.output.json({ job: { name: job.name, service: 'offline' }, message });
    else deps.output.line(message);
    return;
  }
  let publishSettings: PublishSubscription | undefined;
  if (job.service === 'classic') {
    if (!options.publishSettings)
      throw new UsageError(
        `job ${job.name} runs on the classic service, which needs the publish settings`,
        {
          hint: 'pass p:<file.publishsettings> (--publish-settings)',
        },
      );
    publishSettings = await chooseSubscription(
      deps,
      await loadPublishSettings(deps, options.publishSettings),
      options.subscription ?? job.subscription,
    );
  }
  const secrets = await readJobSecrets(deps, options.staging, job.name);
  const network = await storageNetwork(deps, options);
  const service = createImportJobService(
    {
      service: job.service,
      azure: options.azure,
      job: {
        subscription: job.subscription,
        resourceGroup: job.resourceGroup,
        storageAccount: job.storageAccount,
      },
      ...(publishSettings ? { publishSettings } : {}),
      ...(options.proxy ? { proxy: options.proxy } : {}),
    },
    deps,
  );
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
        job.storageAccount,
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
  if (deps.output.jsonMode) {
    deps.output.json({ job: info, errorLogs: logs });
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
}
