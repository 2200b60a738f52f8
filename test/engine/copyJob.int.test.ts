import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  copyJob,
  type CopyJobOptions,
  type CopyProgress,
  type TargetRequest,
  type TargetSpec,
} from '../../src/engine/copyJob.ts';
import { readCopyState, readPreparedDrives } from '../../src/journal/copyState.ts';
import { md5OfFile, verifyDrive } from '../../src/engine/verifyDrive.ts';
import { walkJobFiles } from '../../src/staging/scan.ts';
import { walkJobFilesSync } from '../../src/engine/walkSync.ts';
import {
  checkManifestAgainstSource,
  containerSasToken,
  engineDeps,
  KEY1,
  parseManifest,
  pseudoRandom,
  STORAGE_KEY,
  writeJob,
  writeTree,
} from './stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
const realDeps = engineDeps;

function oneTarget(spec: TargetSpec) {
  let given = false;
  return async () => {
    if (given) return undefined;
    given = true;
    return spec;
  };
}

/** Copies onto one target and aborts (Ctrl-C) once `stop` holds; the copy must exit 130. */
async function copyInterrupted(
  opts: Pick<CopyJobOptions, 'staging' | 'job' | 'secrets'>,
  target: TargetSpec,
  stop: (p: CopyProgress) => boolean,
) {
  const ac = new AbortController();
  const { deps } = realDeps(ac.signal);
  await expect(
    copyJob(deps, {
      ...opts,
      nextTarget: oneTarget(target),
      onProgress: (p) => {
        if (stop(p)) ac.abort();
      },
    }),
  ).rejects.toMatchObject({ exitCode: 130 });
  return deps;
}

/** A sparse page file: `size` bytes, data only at the given offsets. */
function sparsePage(file: string, size: number, parts: [number, Buffer][]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, size);
  for (const [off, data] of parts) fs.writeSync(fd, data, 0, data.length, off);
  fs.closeSync(fd);
}

describe('copyJob on real files', () => {
  it('copies an awkward tree, writes a manifest whose every hash is right, and verify agrees', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    const files: Record<string, Buffer | string> = {
      'empty.bin': Buffer.alloc(0),
      'ünïcödé/naïve café.txt': 'bonjour\n',
      'with space/a & b <c>.txt': 'xml "escaping" \'test\'\n',
      'sizes/4MiB-1.bin': pseudoRandom(4 * MiB - 1, 1),
      'sizes/4MiB.bin': pseudoRandom(4 * MiB, 2),
      'sizes/4MiB+1.bin': pseudoRandom(4 * MiB + 1, 3),
      'sizes/9MiB+7.bin': pseudoRandom(9 * MiB + 7, 4),
      '日本語/ファイル.dat': pseudoRandom(5000, 5),
    };
    for (let i = 0; i < 300; i++)
      files[`many/f${String(i).padStart(3, '0')}.txt`] = `file ${i}\n`.repeat(i);
    writeTree(staging, files);
    // Page files: zero runs inside and across chunks, data straddling a 4 MiB boundary.
    sparsePage(path.join(staging, 'backup/disk.AIBBlob'), 12 * MiB, [
      [0, pseudoRandom(1024, 6)],
      [4 * MiB - 512, pseudoRandom(2048, 7)],
      [10 * MiB, pseudoRandom(512, 8)],
    ]);
    sparsePage(path.join(staging, 'backup/small.BaseBlob'), 64 * 1024, [
      [4096, pseudoRandom(100, 9)],
    ]);
    sparsePage(path.join(staging, 'backup/allzero.AIBBlob'), 8 * MiB, []);
    // Mostly hole: chunks 0-3 and 5 are never read (filefrag extents), chunk 4 holds data.
    sparsePage(path.join(staging, 'backup/holey.AIBBlob'), 24 * MiB, [
      [17 * MiB + 4096, pseudoRandom(8192, 10)],
    ]);
    const job = writeJob(staging, { prefix: 'seed/2026', service: 'classic' });
    const { deps } = realDeps();
    // The engine's synchronous walk yields exactly what the staging module's walk yields.
    const asyncWalk: unknown[] = [];
    for await (const f of walkJobFiles(deps, staging, job)) asyncWalk.push(f);
    expect([...walkJobFilesSync(staging, job)]).toEqual(asyncWalk);
    const result = await copyJob(deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget({ path: target, driveId: 'SERIAL001', bitLockerKey: KEY1 }),
    });
    const fileCount = Object.keys(files).length + 4;
    expect(result.files).toBe(fileCount);
    expect(result.drives).toHaveLength(1);
    const d = result.drives[0]!;
    expect(d).toMatchObject({
      driveId: 'SERIAL001',
      manifestFile: '\\DriveManifest.xml',
      files: fileCount,
      complete: true,
    });
    // The drive root holds the manifest and the session folder, nothing else.
    expect(fs.readdirSync(target).sort()).toEqual(['DriveManifest.xml', 'job1']);
    const manifestPath = path.join(target, 'DriveManifest.xml');
    expect(d.manifestHash).toBe(await md5OfFile(manifestPath));
    const m = parseManifest(manifestPath);
    expect(m.DriveId).toBe('SERIAL001');
    expect(m.StorageAccountKey).toBe(STORAGE_KEY);
    expect(m.blobs).toHaveLength(fileCount);
    // No disposition in the descriptor: overwrite, written on every blob, kept in the journal.
    expect(new Set(m.blobs.map((b) => b.ImportDisposition))).toEqual(new Set(['overwrite']));
    expect((await readCopyState(deps, staging, 'job1'))!.disposition).toBe('overwrite');
    const byPath = new Map(m.blobs.map((b) => [b.FilePath, b]));
    expect(byPath.get('\\job1\\with space\\a & b <c>.txt')!.BlobPath).toBe(
      'backup/seed/2026/with space/a & b <c>.txt',
    );
    expect(byPath.get('\\job1\\sizes\\4MiB+1.bin')!.BlockList).toMatchObject({
      Block: [{ Length: String(4 * MiB) }, { Length: '1' }],
    });
    expect(byPath.get('\\job1\\sizes\\4MiB.bin')!.BlockList).toMatchObject({
      Block: [{ Length: String(4 * MiB) }],
    });
    expect(byPath.get('\\job1\\backup\\allzero.AIBBlob')!.PageRangeList).toBe('');
    const disk = byPath.get('\\job1\\backup\\disk.AIBBlob')!;
    // Data at 4 MiB-512..4 MiB+1536 straddles a chunk: two ranges, split at the boundary.
    expect(
      (disk.PageRangeList as { PageRange: { Offset: string; Length: string }[] }).PageRange.map(
        (r) => [r.Offset, r.Length],
      ),
    ).toEqual([
      ['0', '1024'],
      [String(4 * MiB - 512), '512'],
      [String(4 * MiB), '1536'],
      [String(10 * MiB), '512'],
    ]);
    expect(
      (
        byPath.get('\\job1\\backup\\holey.AIBBlob')!.PageRangeList as {
          PageRange: { Offset: string; Length: string }[];
        }
      ).PageRange.map((r) => [r.Offset, r.Length]),
    ).toEqual([[String(17 * MiB + 4096), '8192']]);
    const problems = checkManifestAgainstSource(
      m.blobs,
      (fp) => path.join(staging, ...fp.split('\\').filter(Boolean).slice(1)),
      target,
    );
    expect(problems).toEqual([]);
    // The sparse page file stayed sparse on the target.
    expect(fs.statSync(path.join(target, 'job1/backup/allzero.AIBBlob')).blocks).toBe(0);
    // The journal: state and drive-info (0600), readable for the Azure part.
    const prepared = await readPreparedDrives(deps, staging, 'job1');
    expect(prepared).toEqual([
      {
        driveId: 'SERIAL001',
        bitLockerKey: KEY1,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: d.manifestHash,
        files: fileCount,
        bytes: result.bytes,
        complete: true,
      },
    ]);
    const info = path.join(staging, '.diskprep/journal/job1/SERIAL001.xml');
    expect(fs.statSync(info).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(info, 'utf8')).toContain(
      `<ManifestHash>${d.manifestHash}</ManifestHash>`,
    );
    expect(
      fs.statSync(path.join(staging, '.diskprep/journal/job1/copy-state.json')).mode & 0o777,
    ).toBe(0o600);
    // verify agrees, including the manifest hash.
    const v = await verifyDrive(target, async () => d.manifestHash);
    expect(v.mismatches).toEqual([]);
    expect(v.files).toBe(fileCount);
    // Running again copies nothing and reports the same drives.
    const again = await copyJob(deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: async () => undefined,
    });
    expect(again.drives).toEqual(result.drives);
    expect((await readCopyState(deps, staging, 'job1'))!.complete).toBe(true);
  });

  it('writes ContainerSas as <container>?<token> for a classic job with a SAS, nothing for the others', async () => {
    const staging = tempDir('stg');
    writeTree(staging, { 'a.txt': 'a' });
    const token = containerSasToken('backup');
    for (const service of ['classic', 'databox', 'importexport', 'offline'] as const) {
      const target = tempDir('tgt');
      const job = writeJob(staging, { name: `j-${service}`, service }, { containerSas: token });
      const { deps } = realDeps();
      await copyJob(deps, {
        staging,
        job,
        secrets: { containerSas: token },
        nextTarget: oneTarget({ path: target, driveId: `S-${service}`, bitLockerKey: KEY1 }),
      });
      const m = parseManifest(path.join(target, 'DriveManifest.xml'));
      expect(m.StorageAccountKey).toBeUndefined();
      expect(m.ContainerSas).toBe(service === 'classic' ? `backup?${token}` : undefined);
    }
  });

  it('refuses up front a page file whose length is not a multiple of 512, copying nothing', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a', 'bad.AIBBlob': Buffer.alloc(1000, 1) });
    const job = writeJob(staging);
    const { deps } = realDeps();
    await expect(
      copyJob(deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: oneTarget({ path: target, driveId: 'S3', bitLockerKey: KEY1 }),
      }),
    ).rejects.toThrow(/bad\.AIBBlob: 1000 bytes is not a multiple of 512/);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('fails a source file that changes while it is copied, keeps earlier files, and resumes', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, {
      'a.txt': 'first',
      'b/big.bin': pseudoRandom(24 * MiB, 11),
      'c.txt': 'last',
    });
    const job = writeJob(staging);
    const { deps } = realDeps();
    const big = path.join(staging, 'b/big.bin');
    let touched = false;
    await expect(
      copyJob(deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: oneTarget({ path: target, driveId: 'S4', bitLockerKey: KEY1 }),
        onProgress: (p) => {
          // Mid-copy of big.bin: another program appends to it.
          if (!touched && p.done.files === 1 && p.drive.bytes >= 5 + 4 * MiB) {
            touched = true;
            fs.appendFileSync(big, 'more');
          }
        },
      }),
    ).rejects.toThrow(/b\/big\.bin changed while it was being copied/);
    expect(touched).toBe(true);
    const state = await readCopyState(deps, staging, 'job1');
    expect(state!.cursor).toMatchObject({ relPath: 'a.txt', files: 1 });
    // Nothing of big.bin is left on the target, under any name.
    expect(fs.readdirSync(path.join(target, 'job1', 'b'))).toEqual([]);
    // Resume once the file is stable: finishes, all hashes right.
    const r = await copyJob(deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget({ path: target, driveId: 'S4', bitLockerKey: KEY1 }),
    });
    expect(r).toMatchObject({ files: 3, resumedFiles: 1 });
    const m = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(m.blobs.map((b) => b.FilePath)).toEqual([
      '\\job1\\a.txt',
      '\\job1\\b\\big.bin',
      '\\job1\\c.txt',
    ]);
    expect(
      checkManifestAgainstSource(
        m.blobs,
        (fp) => path.join(staging, ...fp.split('\\').filter(Boolean).slice(1)),
        target,
      ),
    ).toEqual([]);
  });

  it('Ctrl-C in the middle of a large file stops between chunks, removes the partial file, and resumes', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'first', 'b.bin': pseudoRandom(60 * MiB, 12) });
    const job = writeJob(staging);
    const deps = await copyInterrupted(
      { staging, job, secrets: { storageAccountKey: STORAGE_KEY } },
      { path: target, driveId: 'S5', bitLockerKey: KEY1 },
      (p) => p.drive.bytes >= 5 + 4 * MiB,
    );
    expect(fs.readdirSync(path.join(target, 'job1'))).toEqual(['a.txt']);
    expect((await readCopyState(deps, staging, 'job1'))!.cursor).toMatchObject({
      relPath: 'a.txt',
      files: 1,
    });
    const { deps: deps2 } = realDeps();
    const r = await copyJob(deps2, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget({ path: target, driveId: 'S5', bitLockerKey: KEY1 }),
    });
    expect(r).toMatchObject({ files: 2, resumedFiles: 1 });
    expect((await verifyDrive(target, async () => r.drives[0]!.manifestHash)).mismatches).toEqual(
      [],
    );
  });

  it('a small file a dead run left cut short at its name, past the cursor, is written over on resume and listed once', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 8; i++) files[`d/f${i}.bin`] = pseudoRandom(4096, 40 + i);
    writeTree(staging, files);
    const job = writeJob(staging);
    const spec = { path: target, driveId: 'S9', bitLockerKey: KEY1 };
    // Ctrl-C after the 4th file: the run commits those 4 and stops.
    const deps = await copyInterrupted(
      { staging, job, secrets: { storageAccountKey: STORAGE_KEY } },
      spec,
      (p) => p.done.files === 4,
    );
    const state = await readCopyState(deps, staging, 'job1');
    expect(state!.cursor).toMatchObject({ relPath: 'd/f3.bin', files: 4 });
    // What a kill -9 mid-write leaves: files past the cursor at their names, cut short or
    // holding other bytes.
    const dir = path.join(target, 'job1', 'd');
    fs.writeFileSync(path.join(dir, 'f4.bin'), files['d/f4.bin']!.subarray(0, 1000));
    fs.writeFileSync(path.join(dir, 'f5.bin'), Buffer.alloc(9000, 7));
    const { deps: deps2 } = realDeps();
    const r = await copyJob(deps2, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget(spec),
    });
    expect(r).toMatchObject({ files: 8, resumedFiles: 4 });
    for (const [rel, data] of Object.entries(files))
      expect(fs.readFileSync(path.join(target, 'job1', rel)).equals(data), rel).toBe(true);
    const m = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(m.blobs.map((b) => b.FilePath)).toEqual(
      Object.keys(files).map((rel) => `\\job1\\${rel.replace('/', '\\')}`),
    );
    expect((await verifyDrive(target, async () => r.drives[0]!.manifestHash)).mismatches).toEqual(
      [],
    );
  });

  it('a journal written before drives were filled at once (no ranges, one cursor) resumes: each file listed once', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 8; i++) files[`d/f${i}.bin`] = pseudoRandom(2048, 60 + i);
    writeTree(staging, files);
    const job = writeJob(staging);
    const spec = { path: target, driveId: 'S10', bitLockerKey: KEY1 };
    const deps = await copyInterrupted(
      { staging, job, secrets: { storageAccountKey: STORAGE_KEY } },
      spec,
      (p) => p.done.files === 3,
    );
    // What an older diskprep wrote: the drive without ranges or cursor, no pending list.
    const file = path.join(staging, '.diskprep/journal/job1/copy-state.json');
    const old = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & {
      drives: Record<string, unknown>[];
    };
    delete old.pending;
    for (const d of old.drives) {
      delete d.ranges;
      delete d.cursor;
    }
    fs.writeFileSync(file, JSON.stringify(old));
    expect((await readCopyState(deps, staging, 'job1'))!.cursor).toMatchObject({
      relPath: 'd/f2.bin',
      files: 3,
    });
    const r = await copyJob(realDeps().deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget(spec),
    });
    expect(r).toMatchObject({ files: 8, resumedFiles: 3 });
    const m = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(m.blobs.map((b) => b.FilePath)).toEqual(
      Object.keys(files).map((rel) => `\\job1\\${rel.replace('/', '\\')}`),
    );
    expect((await verifyDrive(target, async () => r.drives[0]!.manifestHash)).mismatches).toEqual(
      [],
    );
  });

  it('a resumed copy keeps the disposition its journal recorded, even if the job changed', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'first', 'b.txt': 'second', 'c.txt': 'third' });
    const job = writeJob(staging, { disposition: 'rename' });
    const deps = await copyInterrupted(
      { staging, job, secrets: {} },
      { path: target, driveId: 'S6', bitLockerKey: KEY1 },
      (p) => p.done.files >= 1,
    );
    expect(await readCopyState(deps, staging, 'job1')).toMatchObject({
      disposition: 'rename',
      cursor: { files: 1 },
    });
    // The operator records the job again with another disposition, then resumes.
    const { deps: deps2, recorded } = realDeps();
    await copyJob(deps2, {
      staging,
      job: { ...job, disposition: 'no-overwrite' },
      secrets: {},
      nextTarget: oneTarget({ path: target, driveId: 'S6', bitLockerKey: KEY1 }),
    });
    const m = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(m.blobs.map((b) => [b.BlobPath, b.ImportDisposition])).toEqual([
      ['backup/a.txt', 'rename'],
      ['backup/b.txt', 'rename'],
      ['backup/c.txt', 'rename'],
    ]);
    expect(recorded.stderr.join('\n')).toMatch(
      /now says --disposition no-overwrite, but its copy began with rename: the copy keeps rename/,
    );
  });

  it('records the disk identity before the first byte; a resume asks for it and refuses a target with another identity', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'first', 'b.txt': 'second', 'c.txt': 'third' });
    const job = writeJob(staging);
    const identity = { bitlockerGuid: 'guid-1', ntfsSerial: '00000000000000AA', sizeBytes: 100 };
    const spec = { path: target, driveId: 'S7', bitLockerKey: KEY1 };
    const ac = new AbortController();
    const { deps } = realDeps(ac.signal);
    await expect(
      copyJob(deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: oneTarget({ ...spec, identity }),
        commitEvery: { files: 1 },
        onProgress: () => ac.abort(),
      }),
    ).rejects.toMatchObject({ exitCode: 130 });
    const state = (await readCopyState(deps, staging, 'job1'))!;
    expect(state.drives).toMatchObject([{ driveId: 'S7', complete: false, disk: identity }]);

    const requests: TargetRequest[] = [];
    const other = { ...identity, ntfsSerial: '00000000000000BB' };
    await expect(
      copyJob(realDeps().deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: (req) => {
          requests.push(req);
          return Promise.resolve({ ...spec, identity: other });
        },
      }),
    ).rejects.toThrow(
      'the disk given for drive S7 is not the one its copy began on (NTFS volume serial 00000000000000BB here, 00000000000000AA recorded)',
    );
    expect(requests).toMatchObject([{ index: 0, resumeDriveId: 'S7', resumeIdentity: identity }]);
    expect(fs.readdirSync(path.join(target, 'job1'))).toEqual(['a.txt']);

    const r = await copyJob(realDeps().deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget({ ...spec, identity }),
    });
    expect(r).toMatchObject({ files: 3, resumedFiles: 1 });
  });

  it('an 11th drive is an error that states what remains (a job takes at most 10 drives)', async () => {
    const staging = tempDir('stg');
    writeTree(staging, { 'a.txt': 'a', 'b.txt': 'bb' });
    const job = writeJob(staging);
    const { deps } = realDeps();
    // A journal in which ten drives are complete and a.txt is committed.
    const drives = Array.from({ length: 10 }, (_, i) => ({
      index: i,
      driveId: `D${i}`,
      bitLockerKey: KEY1,
      target: '/nowhere',
      blobsBytes: 0,
      files: i === 0 ? 1 : 0,
      bytes: i === 0 ? 1 : 0,
      complete: true,
      manifestFile: '\\DriveManifest.xml',
      manifestHash: '0'.repeat(32),
    }));
    fs.writeFileSync(
      path.join(staging, '.diskprep/journal/job1/copy-state.json'),
      JSON.stringify({
        version: 1,
        job: 'job1',
        sessionId: 'job1',
        cursor: { relPath: 'a.txt', files: 1, bytes: 1 },
        drives,
        complete: false,
      }),
    );
    let asked = false;
    await expect(
      copyJob(deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: async () => {
          asked = true;
          return undefined;
        },
      }),
    ).rejects.toMatchObject({
      code: 'ERR_DISKPREP_TOO_MANY_DRIVES',
      message: expect.stringMatching(
        /needs more than 10 drives: 1 file \(2 B\) remains after drive 10/,
      ),
    });
    expect(asked).toBe(false);
  });

  it('refuses a symbolic link that leaves the staging location, before copying anything', async () => {
    const staging = tempDir('stg');
    const outside = tempDir('out');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a', 'inner/b.txt': 'b' });
    writeTree(outside, { 'secret.txt': 's' });
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(staging, 'link.txt'));
    fs.symlinkSync(path.join(staging, 'inner'), path.join(staging, 'z-inner-link'));
    const job = writeJob(staging);
    const { deps } = realDeps();
    await expect(
      copyJob(deps, {
        staging,
        job,
        secrets: { storageAccountKey: STORAGE_KEY },
        nextTarget: oneTarget({ path: target, driveId: 'S6', bitLockerKey: KEY1 }),
      }),
    ).rejects.toThrow(/link\.txt: symbolic link leads outside the staging location/);
    expect(fs.readdirSync(target)).toEqual([]);
    // A link inside the staging location is followed.
    fs.rmSync(path.join(staging, 'link.txt'));
    const r = await copyJob(deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget({ path: target, driveId: 'S6', bitLockerKey: KEY1 }),
    });
    expect(r.files).toBe(3);
  });

  it('records the BitLocker cipher the drive provider reports in the drive record', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a' });
    const job = writeJob(staging);
    const { deps } = realDeps();
    await copyJob(deps, {
      staging,
      job,
      secrets: { storageAccountKey: STORAGE_KEY },
      nextTarget: oneTarget({
        path: target,
        driveId: 'S7',
        bitLockerKey: KEY1,
        encryptionMethod: 'XtsAes128',
      }),
    });
    const state = await readCopyState(deps, staging, job.name);
    expect(state!.drives.map((d) => [d.driveId, d.encryptionMethod])).toEqual([
      ['S7', 'XtsAes128'],
    ]);
  });
});
