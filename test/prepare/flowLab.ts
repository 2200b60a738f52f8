/* eslint-disable @typescript-eslint/no-explicit-any -- the fakes record free-form service JSON */
/**
 * Fixtures of the `s:` end-to-end tests: the shared fakes (test/helpers/fakeServices.ts) with
 * this file's token, the environment of a run, the jobs' secrets, and reading a prepared
 * BitLocker drive back through a fresh unlock (dislocker + ntfs-3g, read-only view of what the
 * datacenter gets).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openDrive } from '../../src/disk/openDrive.ts';
import type { PreparedVolume } from '../../src/disk/types.ts';
import { realDeps } from '../disk/loopImages.ts';
import { type Fakes, startFakes as startSharedFakes } from '../helpers/fakeServices.ts';

export { ARM_SUB, type Fakes, SUB } from '../helpers/fakeServices.ts';
export const TOKEN = 'e2e-prepare-token-0123456789abcdef';
export const ACCOUNT = 'FEDEX-ACCT-99887766';
// A real key is base64 (the secrets file is read back with the rule init applies).
export const STORAGE_KEY = 'U3RvcmFnZUtleUZvclByZXBhcmVGbG93OlByZXBhcmVGbG93S2V5VGFpbA==';
/** The secrets file of every job of a staging location made here. */
export const JOB_SECRETS = { storageAccountKey: STORAGE_KEY };

/** Starts both fakes (the ARM takes {@link TOKEN}) and writes the publish-settings file. */
export const startFakes = (arm: Parameters<typeof startSharedFakes>[1] = {}): Promise<Fakes> =>
  startSharedFakes(TOKEN, arm);

/** Environment of a run: its own DISKPREP_HOME, the blob endpoint and sign-in host on loopback. */
export async function flowEnv(f: Fakes): Promise<Record<string, string>> {
  return {
    DISKPREP_HOME: await mkdtemp(path.join(os.tmpdir(), 'diskprep-flow-home-')),
    // Preflight probes the storage account and the sign-in host: both answer on loopback.
    DISKPREP_BLOB_ENDPOINT: f.arm.url,
    AZURE_AUTHORITY_HOST: f.arm.url,
    DISKPREP_ACCESS_TOKEN: TOKEN,
  };
}

/** Deterministic bytes. */
export function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.writeUInt32LE(x, i);
  }
  return out;
}

/** What a prepared drive holds, read back through a fresh unlock. */
export interface ReadBack {
  manifestMd5: string;
  manifest: string;
  /** Files under the session folder, by `/`-separated path relative to it. */
  files: Map<string, Buffer>;
  /** mtimes (ms) of those files. */
  mtimes: Map<string, number>;
  /** NTFS volume serial of the drive (changes when it is formatted). */
  ntfsSerial: string | undefined;
}

/** Unlocks `dev` with `key` (NTFS kept, as openDrive does for a resume), runs `fn` on the mounted volume, releases. */
export async function withVolume<T>(
  dev: string,
  key: string,
  fn: (vol: PreparedVolume) => Promise<T>,
): Promise<T> {
  const { deps } = realDeps();
  const vol = await openDrive(deps, {
    spec: dev,
    alreadyEncrypted: true,
    alreadyFormatted: true,
    bitlockerKey: key,
    driveId: 'READBACK',
    confirm: () => Promise.resolve(true),
  });
  try {
    return await fn(vol);
  } finally {
    await vol.release();
  }
}

/** What a mounted prepared volume holds. */
export function readVolume(vol: PreparedVolume, session: string): ReadBack {
  const manifestFile = path.join(vol.mountPath, 'DriveManifest.xml');
  // No manifest yet on a drive whose copy was interrupted.
  const manifestBytes = fs.existsSync(manifestFile)
    ? fs.readFileSync(manifestFile)
    : Buffer.alloc(0);
  const files = new Map<string, Buffer>();
  const mtimes = new Map<string, number>();
  const root = path.join(vol.mountPath, session);
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else {
        files.set(r, fs.readFileSync(p));
        mtimes.set(r, fs.statSync(p).mtimeMs);
      }
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return {
    manifestMd5: createHash('md5').update(manifestBytes).digest('hex').toUpperCase(),
    manifest: manifestBytes.toString('utf8'),
    files,
    mtimes,
    ntfsSerial: vol.identity.ntfsSerial,
  };
}

/** Unlocks `dev` with `key` (NTFS kept), reads everything, releases. */
export async function readBack(dev: string, key: string, session: string): Promise<ReadBack> {
  return withVolume(dev, key, (vol) => Promise.resolve(readVolume(vol, session)));
}

/** The classic fake's stored job (keys included, as the service keeps them). */
export function classicJob(f: Fakes, name: string): any {
  return f.classic.jobs.get(name);
}

/** What a job's copy journal says: files committed, and the NTFS serial recorded for drive 1. */
export function journalOf(staging: string, job: string): { files: number; ntfsSerial?: string } {
  const file = path.join(staging, '.diskprep', 'journal', job, 'copy-state.json');
  if (!fs.existsSync(file)) return { files: 0 };
  const s = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    cursor: { files: number };
    drives: { disk?: { ntfsSerial?: string } }[];
  };
  const ntfsSerial = s.drives[0]?.disk?.ntfsSerial;
  return { files: s.cursor.files, ...(ntfsSerial ? { ntfsSerial } : {}) };
}

/** A drive as a job's copy journal records it. */
export interface JournalDrive {
  driveId: string;
  files: number;
  /** Bytes of its blob list its commits recorded. */
  blobsBytes: number;
  complete: boolean;
  /** Why it failed, while it is open after a failure. */
  failed?: string;
  /** When the operator gave it up (`--give-up-drive`). */
  givenUp?: string;
}

/** The drives a job's copy journal records (none before it is written). */
export function journalDrives(staging: string, job: string): JournalDrive[] {
  const file = path.join(staging, '.diskprep', 'journal', job, 'copy-state.json');
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { drives: JournalDrive[] }).drives;
}

/** The FilePath of every `<Blob>` of a manifest. */
export function manifestFilePaths(manifest: string): string[] {
  return [...manifest.matchAll(/<FilePath>([^<]*)<\/FilePath>/g)].map((m) => m[1]!);
}
