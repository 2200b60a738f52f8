/**
 * The job walk of `src/staging/scan.ts` (same order, same files, same blob types) with
 * synchronous calls. The engine walks twice (validation up front, then the copy); with an
 * async stat per file each walk cost a threadpool round trip per file, which made 20k small
 * files take ~2.5 s per walk here. Each step is one short syscall, so the event loop is never
 * held for long.
 */
import fs from 'node:fs';
import path from 'node:path';
import { jobDataRoot } from '../staging/jobs.ts';
import { DISKPREP_DIR } from '../staging/layout.ts';
import { blobTypeFor, compareNames } from '../staging/scan.ts';
import type { JobDescriptor, ScannedFile } from '../staging/types.ts';

/** Yields every regular file of the job's data, sorted depth-first by name. */
export function* walkJobFilesSync(staging: string, job: JobDescriptor): Generator<ScannedFile> {
  const skip = path.join(path.resolve(staging), DISKPREP_DIR);
  function* walk(dir: string, rel: string): Generator<ScannedFile> {
    const entries = fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => compareNames(a.name, b.name));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (path.resolve(abs) === skip) continue;
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const st = fs.statSync(abs);
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
  yield* walk(jobDataRoot(staging, job), '');
}
