import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.ts';
import {
  checkManifestAgainstSource,
  KEY1,
  offlinePrepareArgs,
  parseManifest,
  pseudoRandom,
  STORAGE_KEY,
  writeJob,
  writeTree,
} from '../engine/stagingFixture.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function prepareArgs(staging: string, target: string, extra: string[] = []): string[] {
  return offlinePrepareArgs(staging, target, 'CRASH0001', extra);
}

/** What the journal has committed: cursor, and the blob elements in the committed prefix. */
function committed(staging: string): { files: number; blobs: string[] } {
  const dir = path.join(staging, '.diskprep/journal/job1');
  const statePath = path.join(dir, 'copy-state.json');
  if (!fs.existsSync(statePath)) return { files: 0, blobs: [] };
  const state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as {
    cursor: { files: number };
    drives: { files: number; blobsBytes: number }[];
  };
  const drive = state.drives[0];
  // A drive is recorded before its blob file is created; with nothing committed it may not exist yet.
  if (!drive || drive.blobsBytes === 0) {
    expect(state.cursor.files).toBe(0);
    return { files: state.cursor.files, blobs: [] };
  }
  const xml = fs
    .readFileSync(path.join(dir, 'drive-1.blobs.xml'))
    .subarray(0, drive.blobsBytes)
    .toString('utf8');
  const blobs = [...xml.matchAll(/<FilePath>([^<]*)<\/FilePath>/g)].map((m) => m[1]!);
  expect(drive.files).toBe(blobs.length);
  expect(state.cursor.files).toBe(blobs.length);
  return { files: state.cursor.files, blobs };
}

describe('diskprep prepare --target (built binary)', () => {
  it('survives SIGKILL at random moments: resumes, lists every file once, nothing half-written', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    const files: Record<string, Buffer | string> = {};
    // Big files (several chunks each) interleaved with many small ones, so kills land everywhere.
    for (let i = 0; i < 10; i++) {
      files[`d${i}/big.bin`] = pseudoRandom(10 * MiB + 333 * i, i);
      for (let j = 0; j < 800; j++)
        files[`d${i}/s/${String(j).padStart(3, '0')}.txt`] = `${i}/${j}\n`.repeat(j % 50);
    }
    writeTree(staging, files);
    writeJob(staging);
    const total = Object.keys(files).length;
    let kills = 0;
    let lastCommitted = 0;
    let progressed = 0;
    for (let attempt = 0; attempt < 12 && kills < 5; attempt++) {
      let exited = false;
      const child = execa(process.execPath, [BIN, ...prepareArgs(staging, target)], {
        reject: false,
        env: { NO_COLOR: '1' },
      });
      void child.finally(() => (exited = true));
      // Even attempts: a blind random moment (start-up, scan, mid-file, mid-commit...).
      // Odd attempts: once the journal has moved on, plus a random extra, so the run makes progress.
      if (attempt % 2 === 1) {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && !exited && committed(staging).files <= lastCommitted) {
          await new Promise((r) => setTimeout(r, 30));
        }
      }
      const timer = setTimeout(
        () => child.kill('SIGKILL'),
        // Short enough that the copy (faster since small files are read ahead) is still
        // running: a run that finishes early leaves the test fewer kills than it needs.
        attempt % 2 === 1 ? Math.floor(Math.random() * 300) : 100 + Math.floor(Math.random() * 600),
      );
      const r = await child;
      clearTimeout(timer);
      if (r.signal !== 'SIGKILL') {
        expect(r.exitCode, r.stderr).toBe(0);
        break;
      }
      kills++;
      // After each kill: the journal's committed prefix is consistent and every committed
      // file is complete on the target with the right bytes.
      const c = committed(staging);
      expect(c.files).toBeGreaterThanOrEqual(lastCommitted);
      if (c.files > lastCommitted) progressed++;
      lastCommitted = c.files;
      for (const fp of c.blobs) {
        const rel = fp.split('\\').filter(Boolean).slice(1).join('/');
        const src = fs.readFileSync(path.join(staging, rel));
        expect(fs.readFileSync(path.join(target, 'job1', rel)).equals(src), fp).toBe(true);
      }
      // The manifest appears only once every file is on the drive (temp name + rename), so a
      // kill after that point finds a whole manifest, never a partial one.
      const manifestPath = path.join(target, 'DriveManifest.xml');
      if (fs.existsSync(manifestPath))
        expect(parseManifest(manifestPath).blobs).toHaveLength(total);
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(progressed).toBeGreaterThanOrEqual(1);
    const final = await runCli([...prepareArgs(staging, target), '--json']);
    expect(final.exitCode, final.stderr).toBe(0);
    const out = JSON.parse(final.stdout);
    expect(out.files).toBe(total);
    expect(out.drives).toHaveLength(1);
    expect(out.drives[0]).toMatchObject({ driveId: 'CRASH0001', files: total, complete: true });
    expect(out.drives[0].bytes).toBe(
      Object.values(files).reduce((n, b) => n + Buffer.byteLength(b), 0),
    );
    expect(final.stdout).not.toContain(KEY1);
    expect(final.stdout).not.toContain(STORAGE_KEY);
    // Nothing changed in the staging location: no kill makes a committed file look changed.
    expect(out.changedSinceCopied).toEqual({ count: 0, files: [] });
    const m = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(m.blobs).toHaveLength(total);
    expect(new Set(m.blobs.map((b) => b.FilePath)).size).toBe(total);
    expect(
      checkManifestAgainstSource(
        m.blobs,
        (fp) => path.join(staging, ...fp.split('\\').filter(Boolean).slice(1)),
        target,
      ),
    ).toEqual([]);
    // No temporary file survived anywhere on the drive.
    const leftovers = (fs.readdirSync(target, { recursive: true }) as string[]).filter((p) =>
      p.includes('~dp-'),
    );
    expect(leftovers).toEqual([]);
    const v = await runCli(['verify', '--target', target, `s:${staging}`, '--json']);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({
      ok: true,
      drives: [{ files: total, manifestHashChecked: true }],
    });
  });

  it('kill -9, a committed file rewritten with its mtime put back, the same command: finishes, naming that file', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    const files: Record<string, Buffer | string> = { 'a/first.txt': 'original first file\n' };
    for (let j = 0; j < 1500; j++) files[`b/${String(j).padStart(4, '0')}.txt`] = `${j}\n`;
    for (let i = 0; i < 4; i++) files[`c/big${i}.bin`] = pseudoRandom(24 * MiB, 40 + i);
    writeTree(staging, files);
    writeJob(staging);
    const child = execa(process.execPath, [BIN, ...prepareArgs(staging, target)], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    let exited = false;
    void child.finally(() => (exited = true));
    // Until the journal has committed a first batch (1000 files), then kill -9.
    while (!exited && committed(staging).files === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    const r = await child;
    expect(r.signal, `the run ended before the kill: ${r.stderr}`).toBe('SIGKILL');
    expect(committed(staging).blobs[0]).toBe('\\job1\\a\\first.txt');
    // Another program rewrites the committed file in place and puts its mtime back (touch -r).
    const first = path.join(staging, 'a/first.txt');
    const stamp = path.join(staging, '..', `stamp-${path.basename(staging)}`);
    fs.writeFileSync(stamp, '');
    await execa('touch', ['-r', first, stamp]);
    fs.writeFileSync(first, 'rewritten 1st file!\n');
    await execa('touch', ['-r', stamp, first]);
    fs.rmSync(stamp);
    const again = await runCli([...prepareArgs(staging, target), '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      /1 file copied in an earlier run changed in the staging location since: a\/first\.txt \(rewritten or its attributes changed: its change time moved\); the drive holds it as it was, and its manifest lists that content$/m,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({
      files: Object.keys(files).length,
      changedSinceCopied: { count: 1, files: [expect.stringMatching(/^a\/first\.txt /)] },
    });
    // The drive keeps what its manifest lists: the content as it was copied.
    expect(fs.readFileSync(path.join(target, 'job1/a/first.txt'), 'utf8')).toBe(
      'original first file\n',
    );
  });

  it('validates keys and drive ids before copying, never echoing the key', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a' });
    writeJob(staging);
    const badKey = '111111-222222-333333-444444-555555-666666-000011-000023';
    const r = await runCli([
      `s:${staging}`,
      '--target',
      target,
      '--drive-id',
      'X1',
      '--bitlocker-key',
      badKey,
      '--offline',
      '--yes',
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/group 8 of the BitLocker recovery password is not valid/);
    expect(r.stderr).not.toContain('000023');
    const r2 = await runCli([
      `s:${staging}`,
      '--target',
      target,
      '--drive-id',
      'WD 123',
      '--bitlocker-key',
      KEY1,
      '--offline',
      '--yes',
    ]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/drive id has no spaces/);
    // Missing drive id, non-interactive: exit 3 naming the flag.
    const r3 = await runCli([
      `s:${staging}`,
      '--target',
      target,
      '--bitlocker-key',
      KEY1,
      '--offline',
      '--yes',
    ]);
    expect(r3.exitCode).toBe(3);
    expect(r3.stderr).toContain('--drive-id');
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('an offline job copies and leaves the drive-info XML; a classic job without p: stops before copying', async () => {
    const staging = tempDir('stg');
    const target = tempDir('tgt');
    writeTree(staging, { 'a.txt': 'a' });
    writeJob(staging);
    const args = [
      `s:${staging}`,
      '--target',
      target,
      '--drive-id',
      'X2',
      '--bitlocker-key',
      KEY1,
      '--yes',
      '--json',
    ];
    const r = await runCli(args);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      service: 'offline',
      created: false,
      jobCreated: false,
      shipTo: null,
    });
    expect(out.note).toMatch(/offline: no Azure call made/);
    expect(
      fs.existsSync((out as { drives: { driveInfoFile: string }[] }).drives[0]!.driveInfoFile),
    ).toBe(true);
    expect(r.stdout).not.toContain(KEY1);
    expect(r.stderr).not.toContain('retired');

    const classic = tempDir('stg');
    const target2 = tempDir('tgt');
    writeTree(classic, { 'a.txt': 'a' });
    writeJob(classic, { service: 'classic', subscription: '00000000-1111-2222-3333-444444444444' });
    const c = await runCli([
      `s:${classic}`,
      '--target',
      target2,
      '--drive-id',
      'X3',
      '--bitlocker-key',
      KEY1,
      '--yes',
    ]);
    expect(c.exitCode).toBe(2);
    expect(c.stderr).toMatch(
      /classic service, which needs the publish settings — pass p:<file.publishsettings>/,
    );
    expect(c.stderr.match(/was retired on 2024-08-31: use --service databox/g)).toHaveLength(1);
    expect(fs.readdirSync(target2)).toEqual([]);
  });
});
