/**
 * Builds real staging locations for engine tests: data files, a job descriptor written as
 * JSON (schema JobDescriptorSchema), and the job's secrets file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Redactor } from '../../src/redact.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { importContainerSas } from '../../src/storage/sas.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../fakes/azurite.ts';
import { createExec } from '../../src/deps/exec.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { writeJobFiles } from '../helpers/staging.ts';

/** A valid example recovery password (each group a multiple of 11 below 720896). */
export const KEY1 = '111111-222222-333333-444444-555555-666666-000011-000022';
export const KEY2 = '000000-000011-000022-000033-000044-000055-000066-000077';
/** A storage key shaped like a real one (base64, 64 bytes). */
export const STORAGE_KEY = Buffer.alloc(64, 7).toString('base64');

/**
 * A real container SAS token (`sv=…&st=…&se=…&sr=c&sp=racwdl&sig=…`, no `?`), signed with the
 * Azurite account key by @azure/storage-blob, valid `validDays` from `now`.
 */
export function containerSasToken(
  container: string,
  options: { now?: Date; validDays?: number } = {},
): string {
  return importContainerSas(
    {
      account: AZURITE_ACCOUNT,
      accountKey: AZURITE_KEY,
      container,
      now: options.now ?? new Date(),
      ...(options.validDays !== undefined ? { validDays: options.validDays } : {}),
    },
    new Redactor(),
  );
}

/** The argv of a scripted, offline `s:` copy onto a folder target (the drive id and key given as flags). */
export function offlinePrepareArgs(
  staging: string,
  target: string,
  driveId: string,
  extra: string[] = [],
): string[] {
  return [
    `s:${staging}`,
    '--target',
    target,
    '--drive-id',
    driveId,
    '--bitlocker-key',
    KEY1,
    '--offline',
    '--yes',
    ...extra,
  ];
}

/** The argv of `diskprep init` recording offline job `job` (storage account acct, container backup). */
export function offlineInitArgs(staging: string, job: string, extra: string[] = []): string[] {
  return [
    'init',
    `s:${staging}`,
    '--job',
    job,
    '--service',
    'offline',
    '--storage-account',
    'acct',
    '--container',
    'backup',
    ...extra,
  ];
}

/** Stub deps for the engine with a real exec (sync -f, the target's barrier). */
export function engineDeps(signal?: AbortSignal) {
  const f = fakeDeps(signal ? { signal } : {});
  f.deps.exec = createExec({ dryRun: false, terminal: f.deps.terminal });
  return f;
}

// The engine tests' data writer is the shared one.
export { writeTree } from '../helpers/staging.ts';

/** Creates `<staging>/.diskprep/jobs/<name>.json` and the secrets file. */
export function writeJob(
  staging: string,
  job: Partial<JobDescriptor> = {},
  secrets: Record<string, string> = { storageAccountKey: STORAGE_KEY },
): JobDescriptor {
  const d: JobDescriptor = {
    version: 1,
    name: 'job1',
    service: 'offline',
    storageAccount: 'acct',
    container: 'backup',
    blobType: 'auto',
    createdAt: '2026-11-21T00:00:00Z',
    ...job,
  };
  writeJobFiles(staging, d, secrets);
  return d;
}

/** Deterministic pseudo-random bytes (fast, seedable). */
export function pseudoRandom(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(String(seed)).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off, 0, Math.min(block.length, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  isArray: (name) => ['Blob', 'Block', 'PageRange'].includes(name),
});

/** A parsed manifest blob. */
export interface ParsedBlob {
  BlobPath: string;
  FilePath: string;
  Length: string;
  ImportDisposition?: string;
  BlockList?: { Block?: { Offset: string; Length: string; Id: string; Hash: string }[] } | '';
  PageRangeList?: { PageRange?: { Offset: string; Length: string; Hash: string }[] } | '';
}

/** Parses a manifest with fast-xml-parser. */
export function parseManifest(file: string): {
  DriveId: string;
  StorageAccountKey?: string;
  ContainerSas?: string;
  blobs: ParsedBlob[];
} {
  const doc = parser.parse(fs.readFileSync(file, 'utf8'));
  const drive = doc.DriveManifest.Drive;
  const list = drive.BlobList;
  return {
    DriveId: drive.DriveId,
    StorageAccountKey: drive.StorageAccountKey,
    ContainerSas: drive.ContainerSas,
    blobs: (list && list.Blob) || [],
  };
}

/**
 * The `<Blob>` elements drive `index` (0-based) of `job` has in its journal: the first
 * `committedBytes` of its blob list (what its commits recorded), parsed as a manifest's.
 */
export function parseBlobList(
  staging: string,
  job: string,
  index: number,
  committedBytes: number,
): ParsedBlob[] {
  const file = path.join(staging, '.diskprep/journal', job, `drive-${index + 1}.blobs.xml`);
  const body = fs.readFileSync(file).subarray(0, committedBytes).toString('utf8');
  const doc = parser.parse(
    `<DriveManifest><Drive><BlobList>${body}</BlobList></Drive></DriveManifest>`,
  );
  return (doc.DriveManifest.Drive.BlobList?.Blob as ParsedBlob[] | undefined) ?? [];
}

/** MD5 uppercase hex. */
export function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex').toUpperCase();
}

/**
 * Checks every hash of a parsed manifest against the SOURCE bytes, independently of the
 * engine; returns the problems found (empty = all good). Also checks the rules of §2.1.
 */
export function checkManifestAgainstSource(
  blobs: ParsedBlob[],
  sourceOf: (filePath: string) => string,
  targetRoot: string,
): string[] {
  const problems: string[] = [];
  for (const b of blobs) {
    const src = fs.readFileSync(sourceOf(b.FilePath));
    const dst = fs.readFileSync(path.join(targetRoot, ...b.FilePath.split('\\').filter(Boolean)));
    if (Number(b.Length) !== src.length)
      problems.push(`${b.FilePath}: Length ${b.Length} != ${src.length}`);
    if (!src.equals(dst)) problems.push(`${b.FilePath}: target bytes differ from source`);
    if (b.BlockList !== undefined) {
      const blocks = (b.BlockList && b.BlockList.Block) || [];
      let next = 0;
      for (const k of blocks) {
        const off = Number(k.Offset);
        const len = Number(k.Length);
        if (off !== next) problems.push(`${b.FilePath}: gap at ${next}`);
        if (len > 4 * 1024 * 1024 || len <= 0) problems.push(`${b.FilePath}: block length ${len}`);
        const h = md5(src.subarray(off, off + len));
        if (k.Hash !== h) problems.push(`${b.FilePath}: block ${off} hash ${k.Hash} != ${h}`);
        if (k.Id !== `MD5/${Buffer.from(h, 'hex').toString('base64')}`)
          problems.push(`${b.FilePath}: block id ${k.Id}`);
        next = off + len;
      }
      if (next !== src.length)
        problems.push(`${b.FilePath}: blocks cover ${next} of ${src.length}`);
    } else {
      const ranges = (b.PageRangeList && b.PageRangeList.PageRange) || [];
      let prevEnd = 0;
      const covered = Buffer.alloc(src.length);
      for (const r of ranges) {
        const off = Number(r.Offset);
        const len = Number(r.Length);
        if (off % 512 || len % 512 || len > 4 * 1024 * 1024 || len <= 0)
          problems.push(`${b.FilePath}: range ${off}+${len} misaligned/too long`);
        if (off < prevEnd) problems.push(`${b.FilePath}: ranges unsorted/overlap at ${off}`);
        const slice = src.subarray(off, off + len);
        if (r.Hash !== md5(slice)) problems.push(`${b.FilePath}: range ${off} hash`);
        if (slice.every((x) => x === 0))
          problems.push(`${b.FilePath}: all-zero range ${off} listed`);
        covered.fill(1, off, off + len);
        prevEnd = off + len;
      }
      // Every non-zero byte of the source lies in a listed range.
      for (let i = 0; i < src.length; i++) {
        if (src[i] !== 0 && covered[i] === 0) {
          problems.push(`${b.FilePath}: non-zero byte at ${i} not in any range`);
          break;
        }
      }
    }
  }
  return problems;
}
