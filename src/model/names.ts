/**
 * Naming rules: Azure's for job, storage account, container and prefix names, and the
 * names a file may have to become a blob and to sit on an NTFS drive
 * (reference: azure-importexport.md §5.3, §1.2, §2.1).
 */
import type { ServiceKind } from './job.ts';
import { withArticle } from '../format.ts';

/** Name of diskprep's folder inside a staging location; never part of a job's data. */
export const DISKPREP_DIR = '.diskprep';

/** The manifest's name at the drive root, and as the job's `manifestFile`. */
export const MANIFEST_NAME = 'DriveManifest.xml';
/** `manifestFile` as the import job wants it: relative to the drive root, backslash-rooted. */
export const MANIFEST_FILE = `\\${MANIFEST_NAME}`;

/** Longest blob name, counting `<container>/<prefix>/` (Azure: 1,024 characters). */
export const MAX_BLOB_NAME = 1024;
/** Longest path segment (NTFS file name: 255 UTF-16 units). */
export const MAX_SEGMENT = 255;
/** Most `/`-separated segments a blob name may have (Azure). */
export const MAX_SEGMENTS = 254;

/** Job name rule of one service: the test and the sentence that says it. */
interface NameRule {
  test: RegExp;
  says: string;
}

const JOB_RULES: Record<ServiceKind, NameRule> = {
  // Classic portal (2016): lowercase letters, digits, hyphens, underscores; start with a letter.
  classic: {
    test: /^[a-z][a-z0-9_-]{1,63}$/,
    says: '2-64 lowercase letters, digits, hyphens or underscores, starting with a letter',
  },
  // Microsoft.ImportExport/jobs: the portal's lowercase rule within ARM's 2-64.
  importexport: {
    test: /^[a-z][a-z0-9-]{1,63}$/,
    says: '2-64 lowercase letters, digits or hyphens, starting with a letter',
  },
  // Microsoft.DataBox/jobs: 3-24 characters (the portal: letters, digits, hyphens, start with a
  // letter, end with a letter or digit).
  databox: {
    test: /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
    says: '3-24 letters, digits or hyphens, starting with a letter and ending with a letter or digit',
  },
  // Offline: the job is created later in the portal, by whichever service: the intersection.
  offline: {
    test: /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/,
    says: '3-24 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit (valid for every service)',
  },
};

/** Why `name` cannot be a job name of `service`, or undefined when it can. */
export function jobNameProblem(service: ServiceKind, name: string): string | undefined {
  const rule = JOB_RULES[service];
  return rule.test.test(name) ? undefined : `${withArticle(service)} job name is ${rule.says}`;
}

/** Why `name` cannot be a storage account name, or undefined. */
export function storageAccountProblem(name: string): string | undefined {
  return /^[a-z0-9]{3,24}$/.test(name)
    ? undefined
    : 'a storage account name is 3-24 lowercase letters or digits';
}

/** Why `name` cannot be a container name, or undefined. `$root` is the root container. */
export function containerProblem(name: string): string | undefined {
  if (name === ROOT_CONTAINER) return undefined;
  if (!/^[a-z0-9][a-z0-9-]{2,62}$/.test(name) || name.includes('--') || name.endsWith('-')) {
    return 'a container name is 3-63 lowercase letters, digits or single hyphens, starting and ending with a letter or digit (or $root)';
  }
  return undefined;
}

/**
 * Why `prefix` cannot be a virtual directory, or undefined. Segments are `/`-separated; a
 * leading or trailing `/` is allowed (and dropped by {@link normalisePrefix}).
 */
export function prefixProblem(prefix: string, container: string): string | undefined {
  if (container === ROOT_CONTAINER)
    return 'the root container ($root) holds no virtual directories';
  const segs = normalisePrefix(prefix).split('/');
  if (segs.some((s) => s === '')) return 'a prefix has no empty segments (no "//", not empty)';
  for (const s of segs) {
    const p = segmentProblem(s);
    if (p) return `prefix segment "${s}": ${p}`;
  }
  return undefined;
}

/** A prefix without leading or trailing slashes, backslashes read as `/`. */
export function normalisePrefix(prefix: string): string {
  return prefix.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
}

const RESERVED = new Set([
  'CON',
  'PRN',
  'AUX',
  'NUL',
  'CONIN$',
  'CONOUT$',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, '¹', '²', '³'].flatMap((n) => [`COM${n}`, `LPT${n}`]),
]);

/**
 * Why a file or folder name cannot become a blob path segment on an NTFS drive, or
 * undefined. Checks Windows' reserved device names (with or without extension), trailing
 * dot or space, control characters and `<>:"|?*\`, names that are not valid Unicode, and the
 * 255-unit NTFS limit.
 */
export function segmentProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return 'names "." and ".." are not allowed';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control character in the name';
  const bad = /[<>:"|?*\\]/.exec(name);
  if (bad) return `character ${bad[0]} is not allowed on NTFS or in blob names`;
  if (/[. ]$/.test(name)) return 'name ends with a dot or a space (Windows drops it)';
  if (
    name.includes('\uFFFD') ||
    /[\uD800-\uDFFF]/.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))
  ) {
    return 'name is not valid Unicode (the file system holds bytes that are not UTF-8)';
  }
  const stem = name.split('.')[0]!.replace(/ +$/, '').toUpperCase();
  if (RESERVED.has(stem)) return `"${stem}" is a reserved device name on Windows`;
  if (name.length > MAX_SEGMENT) return `name is longer than ${MAX_SEGMENT} characters`;
  return undefined;
}

/** The root container's name. */
export const ROOT_CONTAINER = '$root';

/** What is wrong with a nested file in the root container (one sentence for every such file). */
export const ROOT_NESTED_PROBLEM =
  'blob names in the root container ($root) cannot contain "/": this file is in a folder';

/**
 * Why `name` (a blob name below the container) cannot be a blob of `container`, or undefined:
 * "blobs in the root container cannot include a forward slash (/) in the name" (Blob service,
 * "Working with the root container").
 */
export function rootContainerProblem(container: string, name: string): string | undefined {
  return container === ROOT_CONTAINER && name.includes('/') ? ROOT_NESTED_PROBLEM : undefined;
}

/** The blob name of a file: `<container>/<prefix>/<relPath>`. */
export function blobNameOf(container: string, prefix: string | undefined, relPath: string): string {
  return prefix ? `${container}/${prefix}/${relPath}` : `${container}/${relPath}`;
}

/** Key under which two sibling names collide on NTFS or in a case-insensitive tool. */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toUpperCase();
}

/**
 * Why `data` cannot be the data folder of a job descriptor (a folder inside the staging
 * location, relative to it, `/`-separated, never diskprep's own folder), or undefined. The
 * writer (`diskprep init`) and every reader check it; the walkers check the real path too.
 */
export function dataFolderProblem(data: string): string | undefined {
  if (data === '') return 'is empty (leave it out for all of the staging location)';
  if (/^[/\\]/.test(data) || /^[A-Za-z]:/.test(data))
    return 'is an absolute path; it must be relative to the staging location';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(data)) return 'holds a control character';
  const segments = data.split(/[/\\]/);
  if (segments.some((s) => s === '')) return 'has an empty path segment ("//" or a trailing /)';
  if (segments.some((s) => s === '.' || s === '..'))
    return 'has a "." or ".." segment; it must name a folder inside the staging location';
  // Windows drops trailing dots and spaces and ignores case: ".DiskPrep. " is the same folder.
  if (segments[0]!.replace(/[. ]+$/, '').toLowerCase() === DISKPREP_DIR)
    return `is diskprep's own folder (${DISKPREP_DIR}), which is never part of the data`;
  return undefined;
}
