/**
 * Walks a job's data in a deterministic order, streaming: sorted depth-first, one directory
 * listing in memory at a time, so a million files cost no more memory than the largest
 * directory. diskprep's own folder is never part of the data.
 */
import path from 'node:path';
import type { Deps } from '../deps/types.ts';
import { DISKPREP_DIR } from './layout.ts';
import { jobDataRoot } from './jobs.ts';
import type { JobDescriptor, ScannedFile } from './types.ts';

/** Blob type of a file under a job's `blobType` setting. */
export function blobTypeFor(relPath: string, setting: JobDescriptor['blobType']): 'page' | 'block' {
  if (setting !== 'auto') return setting;
  // Azure Backup seeding data must be page blobs; so must VHDs.
  return /\.(aibblob|baseblob|vhd|vhdx)$/i.test(relPath) ? 'page' : 'block';
}

/** Code-point order, the same on every platform and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Yields every regular file of the job's data, sorted depth-first by name. */
export async function* walkJobFiles(
  deps: Deps,
  staging: string,
  job: JobDescriptor,
): AsyncGenerator<ScannedFile> {
  const root = jobDataRoot(staging, job);
  const stagingRoot = path.resolve(staging);
  async function* walk(dir: string, rel: string): AsyncGenerator<ScannedFile> {
    const entries = (await deps.fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      compareNames(a.name, b.name),
    );
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (path.resolve(abs) === path.join(stagingRoot, DISKPREP_DIR)) continue;
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const st = await deps.fs.stat(abs);
      if (st.isDirectory()) {
        yield* walk(abs, relPath);
      } else if (st.isFile()) {
        yield {
          relPath,
          absPath: abs,
          size: st.size,
          mtimeMs: st.mtimeMs,
          blobType: blobTypeFor(relPath, job.blobType),
        };
      }
    }
  }
  yield* walk(root, '');
}
