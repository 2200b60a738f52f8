/**
 * Property-based fuzzing of every file diskprep reads back, in-process (src/main.ts `run()`
 * with the production deps, or a reader with its error mapped by the same function main uses):
 * real files from real runs, mutated (truncated, bytes flipped, DOCTYPE, deep nesting, hostile
 * numbers and strings, repeated pieces, random bytes). Every case: an exit code of the README
 * table, no "internal error", at most 3 lines, no stack trace, no hang. Seeded (harness.ts);
 * `FUZZ_RUNS=n` runs n cases per property.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCopyState } from '../../src/journal/copyState.ts';
import { readJobRecord } from '../../src/journal/jobRecord.ts';
import { readLocalJobs } from '../../src/registry/localJobs.ts';
import { readRememberedReturn } from '../../src/registry/returnAddress.ts';
import { readShippingRecord } from '../../src/journal/shippingRecord.ts';
import { readJobDescriptor, readJobSecrets } from '../../src/journal/jobs.ts';
import { offlinePrepareArgs } from '../engine/stagingFixture.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { runMain } from '../helpers/runMain.ts';
import { asRun, expectClean, params } from './harness.ts';
import { jsonMutated, mutated } from './mutators.ts';
import { filesWithCanary, type RealFiles, useRealFiles } from './realFiles.ts';

const realFiles = useRealFiles('in-process');
let real: RealFiles;
beforeAll(() => {
  real = realFiles();
});
let caseNo = 0;
const text = (f: string) => fs.readFileSync(f, 'utf8');
const show = (b: Buffer) => () => b.toString('utf8');

/** A fresh copy of the unprepared staging location, with links that leave it and enter .diskprep. */
function freshStaging(): { staging: string; target: string } {
  const dir = path.join(real.root, `case-${++caseNo}`);
  const staging = path.join(dir, 'staging');
  const target = path.join(dir, 'target');
  fs.cpSync(real.freshStaging, staging, { recursive: true, verbatimSymlinks: true });
  fs.mkdirSync(target);
  fs.symlinkSync(path.join(real.root, 'outside'), path.join(staging, 'link-out'));
  fs.symlinkSync(path.join(staging, '.diskprep'), path.join(staging, 'link-in'));
  fs.symlinkSync(path.join(staging, '.diskprep'), path.join(staging, 'data', 'journal-link'));
  return { staging, target };
}

/** Data folders that must never let anything but `data/` reach a drive. */
const hostileData = fc.constantFrom(
  '../outside',
  '.diskprep/journal',
  '.diskprep',
  '.DISKPREP/journal',
  'link-out',
  'link-in',
  'link-in/journal/job1',
  'data/../outside',
  'outside',
  '/etc',
  path.join('..', '..'),
);

function withData(descriptor: string): fc.Arbitrary<Buffer> {
  return hostileData.map((data) =>
    Buffer.from(JSON.stringify({ ...JSON.parse(descriptor), data })),
  );
}

describe('fuzz: files read back (in-process)', () => {
  it('publish settings (settings p:)', async () => {
    const base = fs.readFileSync(real.files.publishSettings);
    const file = path.join(real.root, 'case.publishsettings');
    await fc.assert(
      fc.asyncProperty(mutated(base, true), async (bytes) => {
        fs.writeFileSync(file, bytes);
        expectClean('publish settings', await runMain(['settings', `p:${file}`]), show(bytes));
      }),
      params(60),
    );
  });

  it('drive manifests (verify --target)', async () => {
    const base = fs.readFileSync(real.files.manifest);
    const target = path.join(real.root, 'verify-target');
    fs.cpSync(real.target, target, { recursive: true });
    await fc.assert(
      fc.asyncProperty(mutated(base, true), async (bytes) => {
        fs.writeFileSync(path.join(target, 'DriveManifest.xml'), bytes);
        expectClean(
          'manifest',
          await runMain(['verify', '--target', target, '--json']),
          show(bytes),
        );
      }),
      params(80),
    );
  });

  it('job descriptors (plan)', async () => {
    const descriptor = text(real.files.descriptor);
    const { staging } = freshStaging();
    const file = path.join(staging, '.diskprep', 'jobs', 'job1.json');
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonMutated(descriptor), withData(descriptor)), async (bytes) => {
        fs.writeFileSync(file, bytes);
        const r = await runMain(['plan', `s:${staging}`, '--drive-size', '1GB', '--json']);
        expectClean('descriptor (plan)', r, show(bytes));
        if (r.exitCode === 0)
          expect(r.stdout).not.toMatch(/secret\.txt|canary|copy-state|secrets\.json/);
      }),
      params(60),
    );
  });

  it('descriptor, secrets and copy state as prepare reads them: nothing outside data/ reaches the drive', async () => {
    const bases = {
      descriptor: text(real.files.descriptor),
      secrets: text(real.files.secrets),
      copyState: text(real.files.copyState),
    };
    const cases = fc.oneof(
      fc.tuple(
        fc.constant('descriptor' as const),
        fc.oneof(jsonMutated(bases.descriptor), withData(bases.descriptor)),
      ),
      fc.tuple(fc.constant('secrets' as const), jsonMutated(bases.secrets)),
      fc.tuple(fc.constant('copyState' as const), jsonMutated(bases.copyState)),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ([which, bytes]) => {
        const { staging, target } = freshStaging();
        const journal = path.join(staging, '.diskprep', 'journal', 'job1');
        const file = {
          descriptor: path.join(staging, '.diskprep', 'jobs', 'job1.json'),
          secrets: path.join(journal, 'secrets.json'),
          copyState: path.join(journal, 'copy-state.json'),
        }[which];
        fs.writeFileSync(file, bytes);
        const r = await runMain(offlinePrepareArgs(staging, target, 'DRIVE1'), {
          env: { DISKPREP_HOME: real.home },
        });
        expectClean(`${which} (prepare)`, r, show(bytes));
        expect(filesWithCanary(target)).toEqual([]);
        fs.rmSync(path.dirname(staging), { recursive: true, force: true });
      }),
      params(30),
    );
  });

  it('copy state as verify --staging reads it', async () => {
    const base = text(real.files.copyState);
    const staging = path.join(real.root, 'verify-staging');
    fs.cpSync(real.staging, staging, { recursive: true });
    const file = path.join(staging, '.diskprep', 'journal', 'job1', 'copy-state.json');
    await fc.assert(
      fc.asyncProperty(jsonMutated(base), async (bytes) => {
        fs.writeFileSync(file, bytes);
        const r = await runMain([
          'verify',
          '--target',
          real.target,
          '--staging',
          staging,
          '--json',
        ]);
        expectClean('copy state (verify)', r, show(bytes));
      }),
      params(40),
    );
  });

  /** The journal's and this computer's JSON files, each through its reader. */
  const readers: [
    string,
    () => string,
    (deps: ReturnType<typeof fakeDeps>['deps']) => Promise<unknown>,
  ][] = [
    ['copy state', () => real.files.copyState, (d) => readCopyState(d, real.staging, 'job1')],
    ['secrets', () => real.files.secrets, (d) => readJobSecrets(d, real.staging, 'job1')],
    [
      'descriptor',
      () => real.files.descriptor,
      (d) => readJobDescriptor(d.fs, real.staging, 'job1'),
    ],
    ['job record', () => real.files.jobRecord, (d) => readJobRecord(d, real.staging, 'job1')],
    [
      'shipping record',
      () => real.files.shipping,
      (d) => readShippingRecord(d, real.files.shipping, 'job1'),
    ],
    ['return address', () => real.files.returnAddress, (d) => readRememberedReturn(d)],
    ['local jobs', () => real.files.localJobs, (d) => readLocalJobs(d)],
  ];
  it.each(readers)('%s (its reader)', async (name, fileOf, read) => {
    const file = fileOf();
    const base = text(file);
    const { deps } = fakeDeps({ env: { DISKPREP_HOME: real.home } });
    try {
      await fc.assert(
        fc.asyncProperty(jsonMutated(base), async (bytes) => {
          fs.writeFileSync(file, bytes);
          const r = await asRun(() => read(deps));
          expectClean(name, r, show(bytes));
          // Damage is exit 2 naming the file; a file that still passes its schema reads fine.
          if (r.exitCode !== 0) {
            expect(r.exitCode).toBe(2);
            expect(r.stderr).toContain(file);
          }
        }),
        params(60),
      );
    } finally {
      fs.writeFileSync(file, base);
    }
  });
});
