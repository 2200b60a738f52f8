/**
 * The drive plan: which files go on which drive, in walk order, no file split. A pure
 * function over an iterable of files, so `plan` and the copy engine compute the same plan.
 *
 * Space a file takes on a drive (estimate, documented in README "diskprep plan"):
 *
 *   roundUp(size, 4 KiB)                      NTFS clusters (4 KiB up to 16 TB volumes)
 *   + 1 KiB                                   its MFT record
 *   + 8 KiB per folder it adds                folder MFT record + index block
 *   + manifest entry                          {@link manifestEntryBytes}
 *
 * and each drive loses, before any file: 256 MiB (GPT, the 128 MiB MSR Windows may create,
 * the 64 MiB $LogFile, BitLocker metadata, other NTFS system files) + 1 bit per 4 KiB cluster
 * ($Bitmap: 244 MiB on 8 TB) + 1 MiB for the manifest's header and slack.
 */
import { UsageError } from '../errors.ts';
import { blobNameOf, normalisePrefix } from '../model/names.ts';

/** The manifest's block / page-range size: one `<Block>` entry per 4 MiB. */
export const MANIFEST_BLOCK = 4 * 1024 * 1024;
/** Manifest bytes per file besides its paths: `<Blob>`, `<Length>`, disposition, list tags, indentation. */
export const MANIFEST_PER_FILE = 384;
/**
 * Manifest bytes per 4 MiB block: the longest `<Block Offset=".." Length="4194304"
 * Id="MD5/<24 base64>" Hash="<32 hex>"/>` line is 118 bytes plus indentation; page ranges are
 * shorter. Assumes at most one page range per 4 MiB (zero runs only remove ranges).
 */
export const MANIFEST_PER_BLOCK = 128;
/** Room for the session folder name in `<FilePath>\<session>\...`. */
const SESSION_ALLOWANCE = 64;
const CLUSTER = 4096;
const MFT_RECORD = 1024;
const PER_FOLDER = 8192;
const MiB = 1024 * 1024;
/** A job takes at most this many drives (Azure). */
export const MAX_DRIVES_PER_JOB = 10;

/** What the planner needs of a file. */
export interface PlanFile {
  /** `/`-separated path below the job's data root. */
  relPath: string;
  size: number;
}

/** Options of the planner. */
export interface PlanOptions {
  /** Capacity of each drive in bytes. */
  driveSize: number;
  container: string;
  prefix?: string;
  /** Keep each drive's list of paths (for `--verbose` and the copy engine). */
  keepPaths?: boolean;
}

/** One drive of a plan. */
export interface PlannedDrive {
  /** 1-based. */
  index: number;
  files: number;
  /** Sum of the file sizes. */
  bytes: number;
  /** First and last file in walk order (the drive holds exactly the files between them). */
  first: string;
  last: string;
  /** Estimated size of the drive manifest. */
  manifestBytes: number;
  /** Estimated space used: clusters, MFT records, folders, manifest, fixed overhead. */
  usedBytes: number;
  paths?: string[];
}

/** The whole plan. */
export interface DrivePlan {
  driveSize: number;
  /** Space for files on an empty drive. */
  usableBytes: number;
  files: number;
  bytes: number;
  drives: PlannedDrive[];
}

/** XML-escaped UTF-8 length of a manifest text value. */
function xmlBytes(s: string): number {
  let extra = 0;
  for (const ch of s) {
    if (ch === '&') extra += 4;
    else if (ch === '<' || ch === '>') extra += 3;
    else if (ch === '"' || ch === "'") extra += 5;
  }
  return Buffer.byteLength(s, 'utf8') + extra;
}

/** Estimated bytes of a file's `<Blob>` entry in the drive manifest. */
export function manifestEntryBytes(file: PlanFile, container: string, prefix?: string): number {
  const blocks = Math.ceil(file.size / MANIFEST_BLOCK);
  return (
    MANIFEST_PER_FILE +
    xmlBytes(blobNameOf(container, prefix, file.relPath)) +
    xmlBytes(file.relPath) +
    SESSION_ALLOWANCE +
    blocks * MANIFEST_PER_BLOCK
  );
}

/** Space lost on every drive before any file. */
export function fixedDriveOverhead(driveSize: number): number {
  return 256 * MiB + Math.ceil(driveSize / (CLUSTER * 8)) + 1 * MiB;
}

/** Folders of `relPath` not shared with `previous` (both `/`-separated file paths). */
function newFolders(relPath: string, previous: string | undefined): number {
  const dirs = relPath.split('/').slice(0, -1);
  if (previous === undefined) return dirs.length + 1; // + the session folder
  const prev = previous.split('/').slice(0, -1);
  let shared = 0;
  while (shared < dirs.length && shared < prev.length && dirs[shared] === prev[shared]) shared++;
  return dirs.length - shared;
}

/** Incremental planner: feed files in walk order with `add`, then `finish`. */
export interface DrivePlanner {
  /** Places a file; returns its 1-based drive index. @throws UsageError if it fits on no drive */
  add(file: PlanFile): number;
  finish(): DrivePlan;
}

/** Creates an incremental planner (the copy engine places files as it walks). */
export function createDrivePlanner(options: PlanOptions): DrivePlanner {
  const prefix = options.prefix ? normalisePrefix(options.prefix) : undefined;
  const fixed = fixedDriveOverhead(options.driveSize);
  const usable = options.driveSize - fixed;
  if (usable <= 0) {
    throw new UsageError(`a ${options.driveSize}-byte drive is too small to hold anything`, {
      hint: 'give the size of the drives you will ship, e.g. --drive-size 8TB',
    });
  }
  const drives: PlannedDrive[] = [];
  let current: PlannedDrive | undefined;
  let used = 0;
  let files = 0;
  let bytes = 0;

  const cost = (f: PlanFile, previous: string | undefined): { total: number; manifest: number } => {
    const manifest = manifestEntryBytes(f, options.container, prefix);
    const total =
      Math.ceil(f.size / CLUSTER) * CLUSTER +
      MFT_RECORD +
      PER_FOLDER * newFolders(f.relPath, previous) +
      manifest;
    return { total, manifest };
  };

  return {
    add(file) {
      let c = current ? cost(file, current.last) : undefined;
      if (!current || !c || used + c.total > usable) {
        c = cost(file, undefined);
        if (c.total > usable) {
          throw new UsageError(
            `${file.relPath} (${file.size} bytes) does not fit on one drive of ${options.driveSize} bytes (about ${usable} bytes usable); diskprep never splits a file`,
            {
              code: 'ERR_DISKPREP_FILE_TOO_BIG',
              hint: 'use bigger drives (--drive-size), or leave that file out of the job',
            },
          );
        }
        current = {
          index: drives.length + 1,
          files: 0,
          bytes: 0,
          first: file.relPath,
          last: file.relPath,
          manifestBytes: 0,
          usedBytes: fixed,
          ...(options.keepPaths ? { paths: [] } : {}),
        };
        drives.push(current);
        used = 0;
      }
      used += c.total;
      current.files += 1;
      current.bytes += file.size;
      current.last = file.relPath;
      current.manifestBytes += c.manifest;
      current.usedBytes = fixed + used;
      current.paths?.push(file.relPath);
      files += 1;
      bytes += file.size;
      return current.index;
    },
    finish() {
      return { driveSize: options.driveSize, usableBytes: usable, files, bytes, drives };
    },
  };
}

/** Plans `files` (in walk order) onto drives of `options.driveSize` bytes. Pure. */
export function planDrives(files: Iterable<PlanFile>, options: PlanOptions): DrivePlan {
  const planner = createDrivePlanner(options);
  for (const f of files) planner.add(f);
  return planner.finish();
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Parses a drive size: `500GB`, `1TB`, `1.5TB`, `8 TB` (decimal, as drives are sold and as
 * WAImportExport reads them: 1 GB = 10^9 bytes), `4TiB` (binary), or a byte count.
 *
 * @throws UsageError for anything else
 */
export function parseDriveSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  const unit = m ? (m[2] ?? '').toLowerCase() : '';
  const value = m ? Number(m[1]) * (UNITS[unit] ?? NaN) : NaN;
  if (!Number.isFinite(value) || value < 1 || (unit === '' && !Number.isInteger(Number(m?.[1])))) {
    throw new UsageError(`--drive-size "${text}" is not a size`, {
      hint: 'give e.g. 500GB, 1TB, 8TB (1 GB = 10^9 bytes), 4TiB, or a number of bytes',
    });
  }
  return Math.floor(value);
}
