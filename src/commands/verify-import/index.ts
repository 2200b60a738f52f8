/**
 * `diskprep verify-import s:<staging> [--job] [--read] [--json]`: after the import, compare
 * every blob the job's drive manifests promise with the container (under the job's prefix),
 * and list blobs nobody promised. The manifests are rebuilt from the journal prepare kept
 * (`copy-state.json` + `drive-<n>.blobs.xml`), with the engine's own code. Exit 1 when
 * anything is missing, extra or different.
 */
import type { AzureOptions } from '../../model/importJob.ts';
import type { Deps } from '../../deps/types.ts';
import { ExitCode, ExitError, UsageError } from '../../errors.ts';
import { manifestCredential } from '../../engine/copyJob.ts';
import { count, formatBytes, plural } from '../../format.ts';
import { readCopyState } from '../../journal/copyState.ts';
import { openJournalManifest } from '../../engine/journalManifest.ts';
import { serviceEndpoints } from '../../importjob/endpoints.ts';
import { readJobSecrets, selectJob } from '../../journal/jobs.ts';
import { journalDir } from '../../journal/layout.ts';
import { containerClient, storageCredential, storageNetwork } from '../../storage/client.ts';
import { type ExpectedDrive, verifyImportedBlobs } from './verifyImport.ts';

/** Options of {@link verifyImport}. */
export interface VerifyImportOptions {
  azure: AzureOptions;
  staging: string;
  job?: string;
  /** `--read`: download every block / page range and compare its MD5. */
  read?: boolean;
  /** `--proxy`: for the storage SDK (it does not use the http seam). */
  proxy?: string;
  /** `--ca-file`: for the storage SDK. */
  caFile?: string;
}

/** Compares the imported container with the drives the journal records as prepared. */
export async function verifyImport(options: VerifyImportOptions, deps: Deps): Promise<void> {
  const job = await selectJob(deps, options.staging, options.job);
  const secrets = await readJobSecrets(deps, options.staging, job.name);
  const credential = storageCredential(secrets);
  if (!credential)
    throw new UsageError(`job ${job.name} has no storage key or SAS recorded`, {
      hint: 'record one with diskprep init --force (storage key or container SAS)',
    });
  const state = await readCopyState(deps, options.staging, job.name);
  const drives = (state?.drives ?? []).filter((d) => d.complete);
  if (drives.length === 0)
    throw new UsageError(
      `the journal of job ${job.name} (${journalDir(options.staging, job.name)}) records no prepared drive`,
      { hint: 'verify-import compares with the drives diskprep prepare filled for this job' },
    );
  for (const d of state!.drives.filter((d) => !d.complete))
    deps.terminal.warn(
      `drive ${d.driveId} was never completed (no manifest was written): its files are not expected`,
    );
  const manifestCred = manifestCredential(secrets, job);
  async function* expected(): AsyncGenerator<ExpectedDrive> {
    for (const d of drives) {
      const m = await openJournalManifest(deps, options.staging, job.name, d, manifestCred);
      yield { driveId: m.driveId, blobs: m.blobs };
    }
  }
  const total = drives.reduce((n, d) => n + d.files, 0);
  const client = containerClient(
    {
      account: job.storageAccount,
      container: job.container,
      credential,
      blobEndpoint: serviceEndpoints(options.azure, deps.env).blob(job.storageAccount),
    },
    deps.redactor,
    await storageNetwork(deps, options),
  );
  const report = await verifyImportedBlobs(client, expected(), {
    account: job.storageAccount,
    ...(job.prefix ? { prefix: job.prefix } : {}),
    read: options.read === true,
    onProgress: (blobs, bytes) => {
      if (!deps.output.jsonMode)
        deps.terminal.status(
          `verify-import ${job.name}: ${blobs}/${total} ${plural(total, 'blob')}${options.read ? `, ${formatBytes(bytes)} read` : ''}`,
        );
    },
  });
  deps.terminal.clearStatus();
  const bad = report.missing.length + report.extra.length + report.different.length;
  if (deps.output.jsonMode) {
    deps.output.json({
      job: job.name,
      ok: bad === 0,
      drives: drives.map((d) => d.driveId),
      read: options.read === true,
      ...report,
    });
  } else {
    const o = deps.output;
    o.line(
      `${job.storageAccount}/${job.container}${job.prefix ? `/${job.prefix}` : ''}: ${report.matching} of ${count(report.expected, 'blob')} match the manifests of ${count(drives.length, 'drive')} (${options.read ? `every block read back, ${formatBytes(report.readBytes)}` : 'lengths, blocks and page ranges; --read also compares the data'})`,
    );
    for (const m of report.missing)
      o.line(`  missing:   ${m.name} (file ${m.file}, ${m.length} bytes, drive ${m.driveId})`);
    for (const d of report.different) {
      const at = d.offset !== undefined ? ` at offset ${d.offset}` : '';
      o.line(
        `  different: ${d.name} (file ${d.file}, drive ${d.driveId}): ${d.problem}${at}, expected ${d.expected}, found ${d.actual}`,
      );
    }
    for (const x of report.extra) o.line(`  extra:     ${x.name} (${x.length} bytes)`);
  }
  if (bad > 0) throw new ExitError(ExitCode.failure);
}
