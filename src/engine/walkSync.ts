/**
 * The job walk of `src/staging/scan.ts` (same order, same files, same blob types, same rules
 * for links and special files) with synchronous calls: each drive's copy walks with it (and
 * a resumed copy counts its totals with it); an async stat per file cost a threadpool round
 * trip per file, which made 20k small files take ~2.5 s per walk here. Each step is one short
 * syscall, so the event loop is never held for long.
 *
 * Symbolic links are followed only while they stay inside the staging location (and out of
 * diskprep's own folder); a link that leaves it, dangles or loops, and anything that is
 * neither a file nor a folder, stops the walk with a usage error naming it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { jobDataRoot } from '../journal/jobs.ts';
import { DISKPREP_DIR } from '../model/names.ts';
import {
  blobTypeFor,
  checkDataRoot,
  compareNames,
  INSIDE_DISKPREP,
  isInside,
} from '../staging/scan.ts';
import type { JobDescriptor, ScannedFile } from '../model/job.ts';
import type { SourceIdentity } from '../journal/sourceLedger.ts';
import { identityOf } from './sourceIdentity.ts';

/** A file of the walk, with its identity when the walk was asked for it. */
export interface WalkedFile extends ScannedFile {
  /** The stat of the walk as a {@link SourceIdentity} (`identity: true`): no second stat. */
  identity?: SourceIdentity;
}

function problem(relPath: string, what: string): UsageError {
  return new UsageError(`${relPath}: ${what}`, {
    hint: 'remove or replace it in the staging location, then run again',
  });
}

/**
 * Yields every regular file of the job's data, sorted depth-first by name; with `identity`, each
 * with the identity its stat read (the copy's "before" stat: one stat per file, not two).
 */
export function* walkJobFilesSync(
  staging: string,
  job: JobDescriptor,
  {
    identity = false,
    enterFolder,
  }: {
    identity?: boolean;
    /** Folders (relative paths) this walk enters (default: all); the files of others are skipped. */
    enterFolder?: (relPath: string) => boolean;
  } = {},
): Generator<WalkedFile> {
  const stagingReal = fs.realpathSync(path.resolve(staging));
  const diskprepReal = path.join(stagingReal, DISKPREP_DIR);
  function* walk(dir: string, dirReal: string, rel: string): Generator<WalkedFile> {
    const entries = fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => compareNames(a.name, b.name));
    for (const e of entries) {
      if (path.join(dirReal, e.name) === diskprepReal) continue;
      const abs = path.join(dir, e.name);
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      let real = path.join(dirReal, e.name);
      let viaLink = false;
      if (e.isSymbolicLink()) {
        viaLink = true;
        try {
          real = fs.realpathSync(abs);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw problem(
            relPath,
            code === 'ENOENT'
              ? 'broken symbolic link (its target does not exist)'
              : code === 'ELOOP'
                ? 'symbolic link loop'
                : `cannot read it (${code})`,
          );
        }
        if (!isInside(real, stagingReal))
          throw problem(relPath, `symbolic link leads outside the staging location (to ${real})`);
        if (isInside(real, diskprepReal))
          throw problem(relPath, `symbolic link leads into diskprep's own ${DISKPREP_DIR} folder`);
      }
      const st = identity ? fs.statSync(abs, { bigint: true }) : fs.statSync(abs);
      if (st.isDirectory()) {
        if (enterFolder && !enterFolder(relPath)) continue;
        if (viaLink && isInside(dirReal, real))
          throw problem(relPath, 'symbolic link loop (it leads to a folder that contains it)');
        yield* walk(abs, real, relPath);
      } else if (st.isFile()) {
        // Defence in depth: whatever the checks above missed, the journal is never a data file.
        if (isInside(real, diskprepReal)) throw problem(relPath, INSIDE_DISKPREP);
        yield {
          relPath,
          absPath: abs,
          size: Number(st.size),
          mtimeMs: Number(st.mtimeMs),
          blobType: blobTypeFor(relPath, job.blobType),
          ...(typeof st.size === 'bigint' ? { identity: identityOf(st as fs.BigIntStats) } : {}),
        };
      } else {
        throw problem(relPath, 'not a regular file or folder (FIFO, socket or device)');
      }
    }
  }
  const rootReal = fs.realpathSync(jobDataRoot(staging, job));
  checkDataRoot(stagingReal, rootReal, job);
  yield* walk(jobDataRoot(staging, job), rootReal, '');
}
