import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExec } from '../../src/deps/exec.ts';
import { copyJob, type NextTarget } from '../../src/engine/copyJob.ts';
import { verifyDrive } from '../../src/engine/verifyDrive.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import {
  checkManifestAgainstSource,
  KEY1,
  KEY2,
  parseManifest,
  pseudoRandom,
  STORAGE_KEY,
  writeJob,
  writeTree,
} from './stagingFixture.ts';
import { Volumes, type VolumeKind } from '../helpers/volumes.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const volumes = new Volumes();
const dirs: string[] = [];
afterEach(() => {
  volumes.cleanup();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** How the drives are made and written: each really runs out of space. */
interface VolumeSetup {
  kind: VolumeKind;
  directIo: boolean;
}
const SETUPS: (VolumeSetup & { name: string })[] = [
  { name: 'size-limited tmpfs', kind: 'tmpfs', directIo: true },
  { name: 'ext4 on a loop device, direct I/O', kind: 'ext4', directIo: true },
  { name: 'ext4 on a loop device, buffered I/O', kind: 'ext4', directIo: false },
];

function twoTargets(a: string, b: string): { next: NextTarget; asked: string[] } {
  const asked: string[] = [];
  const specs = [
    { path: a, driveId: 'DRIVEA', bitLockerKey: KEY1 },
    { path: b, driveId: 'DRIVEB', bitLockerKey: KEY2 },
  ];
  return {
    asked,
    next: async (req) => {
      asked.push(`${req.index}:${req.previous?.driveId ?? '-'}`);
      return specs[req.index];
    },
  };
}

async function runSpanning(checkFreeSpace: boolean, setup: VolumeSetup) {
  const staging = tempDir('stg');
  const files: Record<string, Buffer | string> = {};
  for (let i = 0; i < 5; i++) files[`big/f${i}.bin`] = pseudoRandom(3 * MiB + 1000 * i, 100 + i);
  for (let i = 0; i < 20; i++) files[`small/s${String(i).padStart(2, '0')}.txt`] = `small ${i}\n`;
  writeTree(staging, files);
  const job = writeJob(staging);
  const a = volumes.make(setup.kind, 8);
  const b = volumes.make(setup.kind, 64);
  const f = fakeDeps();
  f.deps.exec = createExec({ dryRun: false, terminal: f.deps.terminal });
  const t = twoTargets(a, b);
  const result = await copyJob(f.deps, {
    staging,
    job,
    secrets: { storageAccountKey: STORAGE_KEY },
    nextTarget: t.next,
    checkFreeSpace,
    directIo: setup.directIo,
  });
  return { staging, a, b, result, asked: t.asked, total: Object.keys(files).length };
}

async function expectGoodSpan(r: Awaited<ReturnType<typeof runSpanning>>) {
  expect(r.asked).toEqual(['0:-', '1:DRIVEA']);
  expect(r.result.drives.map((d) => d.driveId)).toEqual(['DRIVEA', 'DRIVEB']);
  expect(r.result.drives.every((d) => d.complete)).toBe(true);
  const ma = parseManifest(path.join(r.a, 'DriveManifest.xml'));
  const mb = parseManifest(path.join(r.b, 'DriveManifest.xml'));
  expect(ma.DriveId).toBe('DRIVEA');
  expect(mb.DriveId).toBe('DRIVEB');
  // Every file listed exactly once across the two drives, in walk order, hashes right.
  const listed = [...ma.blobs, ...mb.blobs].map((x) => x.FilePath);
  expect(new Set(listed).size).toBe(r.total);
  expect(listed).toHaveLength(r.total);
  expect(ma.blobs.length).toBe(r.result.drives[0]!.files);
  for (const [m, root] of [
    [ma, r.a],
    [mb, r.b],
  ] as const) {
    expect(
      checkManifestAgainstSource(
        m.blobs,
        (fp) => path.join(r.staging, ...fp.split('\\').filter(Boolean).slice(1)),
        root,
      ),
    ).toEqual([]);
  }
  // Drive A holds exactly what its manifest lists: no partial file under any name.
  const onA: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}\\${e.name}`);
      else onA.push(`${rel}\\${e.name}`);
    }
  };
  walk(path.join(r.a, 'job1'), '\\job1');
  expect(onA.sort()).toEqual(ma.blobs.map((x) => x.FilePath).sort());
  for (const [root, d] of [
    [r.a, r.result.drives[0]!],
    [r.b, r.result.drives[1]!],
  ] as const) {
    const v = await verifyDrive(root, async () => d.manifestHash);
    expect(v.mismatches).toEqual([]);
  }
}

describe.each(SETUPS)('spanning onto a second drive when the first is full: $name', (setup) => {
  it.skipIf(!isRoot)(
    'closes drive A before the file that would not fit (free-space check) and continues on B',
    async () => {
      const r = await runSpanning(true, setup);
      await expectGoodSpan(r);
      expect(r.result.drives[0]!.files).toBe(2);
    },
  );

  it.skipIf(!isRoot)(
    'handles ENOSPC in the middle of a file: removes the partial file, closes A, copies the file again on B',
    async () => {
      const r = await runSpanning(false, setup);
      await expectGoodSpan(r);
      expect(r.result.drives[0]!.files).toBe(2);
    },
  );
});

describe('a file larger than any drive', () => {
  it.skipIf(!isRoot)('a file larger than an empty drive is a clear error', async () => {
    const staging = tempDir('stg');
    writeTree(staging, { 'huge.bin': pseudoRandom(10 * MiB, 1) });
    const job = writeJob(staging);
    const a = volumes.make('tmpfs', 8);
    const f = fakeDeps();
    f.deps.exec = createExec({ dryRun: false, terminal: f.deps.terminal });
    await expect(
      copyJob(f.deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: async () => ({ path: a, driveId: 'A', bitLockerKey: KEY1 }),
      }),
    ).rejects.toThrow(/huge\.bin \(10\.0 MiB\) does not fit on the empty drive/);
  });
});
