#!/usr/bin/env node
// `npm run example`: the main job on the built-in example, with no Azure account and no spare
// disk. Copies examples/staging to a temporary folder (the repository is never written to),
// prepares a "drive" (a temporary folder standing in for a mounted, unlocked volume) with the
// built binary, then verifies it, and prints where everything is.
// DISKPREP=<command> runs another diskprep instead of this repository's bin (the packaging tests
// run the example through the installed tarball and the single executable).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin', 'diskprep.js');
// A valid example recovery password: 8 groups of 6 digits, each divisible by 11 and < 720896.
const EXAMPLE_KEY = '111111-222222-333333-444444-555555-666666-000011-000022';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'diskprep-example-'));
const staging = path.join(work, 'staging');
const drive = path.join(work, 'drive');
fs.cpSync(path.join(repo, 'examples', 'staging'), staging, { recursive: true });
fs.mkdirSync(drive);
// git does not keep file modes: the secrets file must be 0600 as diskprep writes it.
fs.chmodSync(path.join(staging, '.diskprep', 'journal', 'example', 'secrets.json'), 0o600);

const run = (args) => {
  process.stderr.write(`\n$ diskprep ${args.map((a) => (a === EXAMPLE_KEY ? '<example key>' : a)).join(' ')}\n`);
  const [cmd, ...pre] = process.env.DISKPREP ? [process.env.DISKPREP] : [process.execPath, bin];
  execFileSync(cmd, [...pre, ...args], { stdio: 'inherit' });
};
try {
  run([`s:${staging}`, '--target', drive, '--offline', '--yes', '--drive-id', 'EXAMPLE0001', '--bitlocker-key', EXAMPLE_KEY]);
  run(['verify', '--target', drive, `s:${staging}`]);
} catch (err) {
  process.stderr.write(`\nexample failed (exit ${err.status ?? '?'}); files are in ${work}\n`);
  process.exit(err.status || 1);
}
const journal = path.join(staging, '.diskprep', 'journal', 'example');
process.stdout.write(`
Where things are:
  staging location (a copy of examples/staging): ${staging}
  the "drive" (a mounted volume stand-in):       ${drive}
    drive manifest:                              ${path.join(drive, 'DriveManifest.xml')}
    copied files:                                ${path.join(drive, 'example')}${path.sep}
  journal (copy state, drive-info XML, 0600):    ${journal}
    drive-info XML for the portal:               ${path.join(journal, 'EXAMPLE0001.xml')}
Remove it all with: rm -rf ${work}
`);
