/**
 * `diskprep verify-import s:<staging> [--job] [--json]`: after the import, list the container
 * (under the job's prefix) and compare every blob with the drive manifests kept in the journal.
 * Exit 1 when anything is missing, extra or different.
 */
import path from 'node:path';
import type { AzureOptions } from '../../cli/common.ts';
import type { Deps } from '../../deps/types.ts';
import { ExitError, UsageError } from '../../errors.ts';
import { resolveCloud } from '../../publishsettings/clouds.ts';
import { readJobSecrets, selectJob } from '../../staging/jobs.ts';
import { journalDir } from '../../staging/layout.ts';
import {
  blobEndpoint,
  containerClient,
  storageCredential,
  storageNetwork,
} from '../../storage/client.ts';
import { readManifests } from '../../storage/manifests.ts';
import { verifyImportedBlobs } from '../../storage/verifyImport.ts';

/** Options of {@link verifyImport}. */
export interface VerifyImportOptions {
  azure: AzureOptions;
  staging: string;
  job?: string;
  /** `--proxy`: for the storage SDK (it does not use the http seam). */
  proxy?: string;
  /** `--ca-file`: for the storage SDK. */
  caFile?: string;
}

/** Drive manifests the copy engine keeps in the journal: `*.xml` files whose name says manifest. */
export async function findManifests(fs: Deps['fs'], dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => /manifest[^/\\]*\.xml$/i.test(path.basename(e)) || /\.manifest$/i.test(e))
    .map((e) => path.join(dir, e))
    .sort();
}

/** Compares the imported container with the manifests. */
export async function verifyImport(options: VerifyImportOptions, deps: Deps): Promise<void> {
  const job = await selectJob(deps, options.staging, options.job);
  const journal = journalDir(options.staging, job.name);
  const credential = storageCredential(await readJobSecrets(deps, options.staging, job.name));
  if (!credential)
    throw new UsageError(`job ${job.name} has no storage key or SAS recorded`, {
      hint: 'record one with diskprep init --force (storage key or container SAS)',
    });
  const manifests = await findManifests(deps.fs, journal);
  if (manifests.length === 0)
    throw new UsageError(`no drive manifests in ${journal}`, {
      hint: 'verify-import compares with the manifests diskprep prepare keeps there',
    });
  const expected = await readManifests(deps.fs, manifests);
  const client = containerClient(
    {
      account: job.storageAccount,
      container: job.container,
      credential,
      blobEndpoint: blobEndpoint(job.storageAccount, deps.env, resolveCloud(options.azure.cloud)),
    },
    deps.redactor,
    await storageNetwork(deps, options),
  );
  const report = await verifyImportedBlobs(client, expected, {
    account: job.storageAccount,
    prefix: job.prefix,
  });
  const bad = report.missing.length + report.extra.length + report.different.length;
  if (deps.output.jsonMode) {
    deps.output.json({ job: job.name, manifests, ok: bad === 0, ...report });
  } else {
    const o = deps.output;
    o.line(
      `${job.storageAccount}/${job.container}${job.prefix ? `/${job.prefix}` : ''}: ${report.matching} of ${expected.length} blobs match the ${manifests.length} drive manifest(s)`,
    );
    for (const m of report.missing)
      o.line(`  missing:   ${m.name} (${m.length} bytes, drive ${m.driveId})`);
    for (const d of report.different)
      o.line(
        `  different: ${d.name} (expected ${d.expectedLength} bytes${d.expectedMd5 ? `, MD5 ${d.expectedMd5}` : ''}; found ${d.actualLength}${d.actualMd5 ? `, MD5 ${d.actualMd5}` : ''})`,
      );
    for (const x of report.extra) o.line(`  extra:     ${x.name} (${x.length} bytes)`);
  }
  if (bad > 0) throw new ExitError(1);
}
