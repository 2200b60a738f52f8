/**
 * Checks a job's data before anything is written: every name that a blob or NTFS cannot
 * hold, every link that leaves the staging location, every page-blob file of a length that
 * is not a multiple of 512. All problems are found in one pass and reported together.
 */
import type { Deps } from '../deps/types.ts';
import { count } from '../format.ts';
import { UsageError } from '../errors.ts';
import {
  blobNameOf,
  collisionKey,
  MAX_BLOB_NAME,
  MAX_SEGMENTS,
  normalisePrefix,
  prefixProblem,
  rootContainerProblem,
  segmentProblem,
} from '../model/names.ts';
import { walkJobTree } from './scan.ts';
import type { JobDescriptor, ScannedFile } from '../model/job.ts';

/** One thing that keeps a file out of an import job. */
export interface DataProblem {
  /** Path relative to the job's data root, `/`-separated (`.` for the root). */
  path: string;
  problem: string;
}

/** What {@link validateJobData} found. */
export interface DataSummary {
  files: number;
  bytes: number;
  /** Empty unless `throwOnProblems` was false. */
  problems: DataProblem[];
}

/** Block blobs in a drive manifest: at most 50,000 blocks of at most 4 MiB. */
export const MAX_BLOCK_BLOB = 50_000 * 4 * 1024 * 1024;
/** Azure's page blob limit (8 TiB). */
export const MAX_PAGE_BLOB = 8 * 1024 ** 4;
/** How many problems the human error lists on stderr. */
const SHOWN = 20;

/**
 * Walks the job's data (streaming: memory holds one folder listing plus the problems) and
 * checks every entry.
 *
 * @throws UsageError (exit 2) naming how many problems were found, with `details.problems`
 *   listing each `{path, problem}`; the first 20 are printed on stderr (unless `--json`)
 */
export async function validateJobData(
  deps: Deps,
  staging: string,
  job: JobDescriptor,
  options: {
    /** Return the problems instead of throwing (default: throw). */
    throwOnProblems?: boolean;
    /** Called for every file in walk order (e.g. to plan drives in the same pass). */
    onFile?: (file: ScannedFile) => void;
  } = {},
): Promise<DataSummary> {
  const problems: DataProblem[] = [];
  const prefix = job.prefix ? normalisePrefix(job.prefix) : undefined;
  const prefixSegments = prefix ? prefix.split('/').length : 0;
  let files = 0;
  let bytes = 0;
  // A descriptor is read back from the staging location: its prefix is checked again here.
  const badPrefix = prefix !== undefined ? prefixProblem(prefix, job.container) : undefined;
  if (badPrefix) problems.push({ path: '.', problem: `prefix "${prefix}": ${badPrefix}` });
  for await (const ev of walkJobTree(deps, staging, job)) {
    if (ev.kind === 'problem') {
      problems.push({ path: ev.relPath, problem: ev.problem });
    } else if (ev.kind === 'dir') {
      const seen = new Map<string, string>();
      for (const name of ev.names) {
        const p = ev.relPath ? `${ev.relPath}/${name}` : name;
        const bad = segmentProblem(name);
        if (bad) problems.push({ path: p, problem: bad });
        const key = collisionKey(name);
        const other = seen.get(key);
        if (other !== undefined) {
          problems.push({
            path: p,
            problem: `same name as "${other}" on NTFS (names differ only in letter case or Unicode form)`,
          });
        } else {
          seen.set(key, name);
        }
      }
    } else {
      const f = ev.file;
      options.onFile?.(f);
      files += 1;
      bytes += f.size;
      const root = rootContainerProblem(job.container, f.relPath);
      if (root) problems.push({ path: f.relPath, problem: root });
      const blobName = blobNameOf(job.container, prefix, f.relPath);
      if (blobName.length > MAX_BLOB_NAME) {
        problems.push({
          path: f.relPath,
          problem: `blob name ${blobName.length} characters long (with container and prefix), over Azure's ${MAX_BLOB_NAME}`,
        });
      }
      const segments = prefixSegments + f.relPath.split('/').length;
      if (segments > MAX_SEGMENTS) {
        problems.push({
          path: f.relPath,
          problem: `${segments} path segments, over Azure's ${MAX_SEGMENTS}`,
        });
      }
      if (f.blobType === 'page') {
        if (f.size % 512 !== 0) {
          problems.push({
            path: f.relPath,
            problem: `page blob length ${f.size} is not a multiple of 512 (use --blob-type block for this data)`,
          });
        } else if (f.size > MAX_PAGE_BLOB) {
          problems.push({
            path: f.relPath,
            problem: `${f.size} bytes, over Azure's page blob limit (8 TiB)`,
          });
        }
      } else if (f.size > MAX_BLOCK_BLOB) {
        problems.push({
          path: f.relPath,
          problem: `${f.size} bytes, over the drive manifest's block blob limit (50,000 blocks of 4 MiB); import it as a page blob`,
        });
      }
    }
  }
  if (problems.length > 0 && options.throwOnProblems !== false) {
    throw problemsError(deps, problems, job);
  }
  return { files, bytes, problems };
}

/** The one error for a list of problems; prints the first ones for a person. */
export function problemsError(
  deps: Deps,
  problems: DataProblem[],
  job: Pick<JobDescriptor, 'name'>,
): UsageError {
  const n = problems.length;
  if (!deps.output.jsonMode) {
    for (const p of problems.slice(0, SHOWN)) deps.terminal.error(`${p.path}: ${p.problem}`);
    if (n > SHOWN) deps.terminal.error(`... and ${n - SHOWN} more (all of them: --json)`);
  }
  return new UsageError(
    `${count(n, 'entry', 'entries')} in the data of job "${job.name}" cannot be imported; nothing was written`,
    {
      code: 'ERR_DISKPREP_BAD_DATA',
      hint: 'rename, move or remove them in the staging location, then run again',
      details: { problems },
    },
  );
}
