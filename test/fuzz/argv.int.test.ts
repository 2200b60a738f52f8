/**
 * Property-based fuzzing of the command line, in-process (src/main.ts `run()`): commands,
 * options and values drawn from real ones, hostile strings, special files and random text, in
 * any order, against a fresh staging location per case. Commands that reach Azure or change
 * a disk are left out (no `--drive`, no `check`/`ship`/`status`/`verify-import`): a case must
 * never touch anything but its temp folder. Same outcome rules as the file fuzzers.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, it } from 'vitest';
import { KEY1 } from '../engine/stagingFixture.ts';
import { runMain } from '../helpers/runMain.ts';
import { expectClean, params } from './harness.ts';
import { NASTY_STRINGS } from './mutators.ts';
import { type RealFiles, useRealFiles } from './realFiles.ts';

const realFiles = useRealFiles('argv');
let real: RealFiles;
beforeAll(() => {
  real = realFiles();
});
let caseNo = 0;

/** Placeholders replaced per case by that case's folders. */
const STAGING = '<staging>';
const TARGET = '<target>';

const COMMANDS = ['settings', 'plan', 'init', 'verify', 'prepare', 'drives', 'help', 's:', 'p:'];
const OPTIONS = [
  '--job',
  '--json',
  '--verbose',
  '--yes',
  '--dry-run',
  '--non-interactive',
  '--target',
  '--drive-id',
  '--bitlocker-key',
  '--offline',
  '--drive-size',
  '--staging',
  '--manifest-hash',
  '--publish-settings',
  '--subscription',
  '--service',
  '--storage-account',
  '--storage-account-key',
  '--container-sas',
  '--container',
  '--prefix',
  '--data',
  '--force',
  '--blob-type',
  '--ca-file',
  '--all',
  '--help',
  '--version',
  '-s',
];

function values(): string[] {
  return [
    'job1',
    'offline',
    'classic',
    'acct',
    'backup',
    'data',
    'page',
    '1GB',
    '1.5TB',
    '-1',
    '0',
    'DRIVE9',
    KEY1,
    'sv=2020-01-01&sig=%zz',
    STAGING,
    TARGET,
    `s:${STAGING}`,
    `p:${real.files.publishSettings}`,
    real.files.publishSettings,
    `p:/dev/zero`,
    `p:${real.fifo}`,
    '/dev/zero',
    real.fifo,
    real.root,
    '4492E3B626299FA16AD7409632025187',
  ];
}

function argvArb(): fc.Arbitrary<string[]> {
  const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...OPTIONS) },
    { weight: 4, arbitrary: fc.constantFrom(...values()) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  return fc
    .tuple(fc.constantFrom(...COMMANDS), fc.array(token, { maxLength: 12 }))
    .map(([cmd, rest]) => [cmd, ...rest]);
}

describe('fuzz: argv (in-process)', () => {
  it('any command line ends in one line and a documented exit code', async () => {
    await fc.assert(
      fc.asyncProperty(argvArb(), async (argv) => {
        const dir = path.join(real.root, `argv-${++caseNo}`);
        const staging = path.join(dir, 'staging');
        const target = path.join(dir, 'target');
        fs.cpSync(real.freshStaging, staging, { recursive: true });
        fs.mkdirSync(target);
        const args = argv.map((a) => a.replaceAll(STAGING, staging).replaceAll(TARGET, target));
        const r = await runMain(args, { cwd: dir, env: { DISKPREP_HOME: real.home } });
        // --help / --version print text and exit 0; everything else obeys the same rules.
        expectClean('argv', r, () => JSON.stringify(args));
        fs.rmSync(dir, { recursive: true, force: true });
      }),
      params(80),
    );
  });
});
