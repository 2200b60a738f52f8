/**
 * `diskprep status [s:<staging>] [--job] [--json]`: the job's state, each drive's state, percent
 * and bytes, a summary of the service's error logs for drives that did not complete cleanly, and
 * what to do next. Without `s:` it looks in this computer's list of the jobs it created.
 */
import type { AzureOptions } from '../../model/importJob.ts';
import type { Deps } from '../../deps/types.ts';
import type { ServiceFactory } from '../../importjob/connect.ts';
import { count, formatBytes, screenColumns, wrapLine, wrapLines } from '../../format.ts';
import type { JobStatus } from '../../model/importJob.ts';
import { type DriveLogSummary, fetchLogBlob, summarizeDriveLog } from '../../storage/errorLogs.ts';
import { nextStep } from '../../flows/ship/jobStates.ts';
import { reachJob } from '../../flows/ship/reachJob.ts';
import { adoptExternalJob } from '../../flows/ship/adoptExternal.ts';
import { readJobSecrets } from '../../journal/jobs.ts';
import { type StorageNetwork, storageCredential, storageNetwork } from '../../storage/client.ts';

/** Options of {@link status}. */
export interface StatusOptions {
  azure: AzureOptions;
  staging?: string;
  publishSettings?: string;
  subscription?: string;
  job?: string;
  /** `--resource-group`: with `--subscription` and `--job`, a Data Box job by name (adopted). */
  resourceGroup?: string | undefined;
  /** `--watch`: refresh until the state changes. */
  watch?: boolean;
  /** `--interval`: seconds between refreshes (default {@link DEFAULT_WATCH_SECONDS}). */
  intervalSeconds?: number | undefined;
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

/** Seconds between refreshes of `--watch` when `--interval` is not given. */
export const DEFAULT_WATCH_SECONDS = 60;

const NEEDS_LOG = new Set(['failed', 'completed-with-errors', 'never-received']);

/** Shows the status of an import job: the staging location's, else one this computer created. */
export async function status(
  options: StatusOptions,
  deps: Deps,
  seams: { createService?: ServiceFactory } = {},
): Promise<void> {
  const stagingFlag = options.staging ? ` s:${quoteArg(options.staging)}` : '';
  const reached = await reachJob(deps, {
    ...options,
    command: `diskprep status${stagingFlag}`,
    createService: seams.createService,
  });
  const { job, staging, service } = reached;
  if (!service) {
    const message = `job ${job.name} is offline: diskprep created no Azure job; see its state in the Azure portal`;
    if (deps.output.jsonMode)
      deps.output.json({ job: { name: job.name, service: 'offline' }, message });
    else deps.output.line(message);
    return;
  }
  const stagingArg = staging ? ` s:${quoteArg(staging)}` : '';
  if (reached.byName && !reached.local) {
    const adopted = await adoptExternalJob(deps, service, {
      name: job.name,
      subscription: job.subscription!,
      resourceGroup: job.resourceGroup!,
    });
    const said = `job ${job.name} is now in this computer's job list (${adopted.file}): diskprep u: --job ${job.name} finds it`;
    for (const l of wrapLine(said, screenColumns(deps.terminal))) deps.terminal.info(l);
  }
  const secrets = staging ? await readJobSecrets(deps, staging, job.name) : {};
  const network = await storageNetwork(deps, options);
  // The service turns a spinner while it is asked (src/importjob/waiting.ts).
  const info = await service.getJob(job.name);
  const logs = await readErrorLogs(deps, info, {
    account: job.storageAccount ?? '',
    credential: storageCredential(secrets),
    network,
  });
  const next = nextStep(info, {
    shipCommand: `diskprep u:${stagingArg}${job.service === 'classic' ? ' p:<file.publishsettings>' : ''}`,
    verifyCommand: staging
      ? `diskprep verify-import s:${quoteArg(staging)}`
      : 'diskprep verify-import s:<staging>',
  });
  if (options.watch) {
    await watchState(deps, service.getJob.bind(service), info, options.intervalSeconds);
    return;
  }
  if (deps.output.jsonMode) {
    deps.output.json({ job: info, errorLogs: logs, next });
    return;
  }
  const lines = [...statusLines(info, logs), `next: ${next}`];
  for (const l of wrapLines(lines, screenColumns(deps.terminal))) deps.output.line(l);
}

/**
 * `--watch`: asks the service again every `intervalSeconds` (through the clock seam, so Ctrl-C
 * ends the wait at once: exit 130) until the job's state differs from `first`'s, then prints the
 * new state (`--json`: `{"job", "from", "to", "checks"}`).
 */
async function watchState(
  deps: Deps,
  getJob: (name: string) => Promise<JobStatus>,
  first: JobStatus,
  intervalSeconds = DEFAULT_WATCH_SECONDS,
): Promise<void> {
  const said = `job ${first.name} is ${first.serviceState}; checking every ${intervalSeconds} s until that changes (Ctrl-C stops)`;
  for (const l of wrapLine(said, screenColumns(deps.terminal))) deps.terminal.info(l);
  let checks = 1;
  for (;;) {
    await deps.clock.sleep(intervalSeconds * 1000, deps.signal);
    const now = await getJob(first.name);
    checks++;
    if (now.serviceState === first.serviceState) {
      deps.terminal.verbose(`check ${checks}: still ${now.serviceState}`);
      continue;
    }
    if (deps.output.jsonMode) {
      deps.output.json({ job: now, from: first.serviceState, to: now.serviceState, checks });
      return;
    }
    deps.output.line(
      `job ${now.name} (${now.service}): ${first.serviceState} → ${now.serviceState}`,
    );
    return;
  }
}

/** Summaries of the error logs of the drives that did not complete cleanly. */
async function readErrorLogs(
  deps: Deps,
  info: JobStatus,
  storage: {
    account: string;
    credential: ReturnType<typeof storageCredential>;
    network: StorageNetwork;
  },
): Promise<DriveErrorLog[]> {
  const logs: DriveErrorLog[] = [];
  for (const d of info.drives) {
    if (!d.errorLogUri || !NEEDS_LOG.has(d.state)) continue;
    try {
      const text = await fetchLogBlob(
        d.errorLogUri,
        storage.account,
        storage.credential,
        deps.redactor,
        storage.network,
      );
      logs.push({ driveId: d.driveId, uri: d.errorLogUri, summary: summarizeDriveLog(text) });
    } catch (err) {
      const why = (err as Error).message.split('\n')[0] ?? 'unreadable';
      deps.terminal.warn(`cannot read the error log of drive ${d.driveId}: ${why}`);
      logs.push({ driveId: d.driveId, uri: d.errorLogUri, error: why });
    }
  }
  return logs;
}

/** The job, its drives and their error logs, as lines (wrapped to the terminal by the caller). */
export function statusLines(info: JobStatus, logs: DriveErrorLog[]): string[] {
  const lines: string[] = [];
  const o = { line: (l: string) => lines.push(l) };
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
        ? ` ${formatBytes(d.bytesSucceeded)}${d.totalBytes ? ` of ${formatBytes(d.totalBytes)}` : ''}`
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
      `  drive ${l.driveId} error log: ${s.status ?? 'no status'}, ${s.failedBlobs.length} of ${count(s.blobCount, 'blob')} failed`,
    );
    for (const b of s.failedBlobs.slice(0, 20)) o.line(`    ${b.status}: ${b.blobPath}`);
    if (s.failedBlobs.length > 20)
      o.line(`    … and ${s.failedBlobs.length - 20} more (--json lists all)`);
  }
  return lines;
}

/** Quotes a path with spaces for a command line the operator can copy. */
function quoteArg(p: string): string {
  return /\s/.test(p) ? `"${p}"` : p;
}
