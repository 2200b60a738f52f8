/**
 * The end-to-end guarantee of the fuzz layer, on the built binary: what only a real process
 * shows (Node's native aborts such as exit 134, a blocked open that a signal cannot reach, the
 * exit after one SIGTERM). The defects observed in issue 11 first, then a seeded sample of the
 * in-process fuzzers' cases (same generators, same rules).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.ts';
import { expectClean, runsOf, SEED } from './harness.ts';
import { jsonMutated, mutated } from './mutators.ts';
import { type RealFiles, useRealFiles } from './realFiles.ts';

const realFiles = useRealFiles('binary');
let real: RealFiles;
beforeAll(() => {
  real = realFiles();
});

/** Exit 2 with one line on stderr matching `re`. */
function expectUsage(r: { exitCode: number; stderr: string }, re: RegExp): void {
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(re)]);
}

describe('observed defects, in a real process', () => {
  it('a fractional Length in a manifest: exit 2 in one line (Node aborted with 134)', async () => {
    const target = path.join(real.root, 'fractional');
    fs.cpSync(real.target, target, { recursive: true });
    const m = path.join(target, 'DriveManifest.xml');
    fs.writeFileSync(
      m,
      fs.readFileSync(m, 'utf8').replace(/Offset="0" Length="(\d+)"/, 'Offset="0" Length="$1.5"'),
    );
    expectUsage(
      await runCli(['verify', '--target', target, '--json']),
      /Length "\d+\.5" is not a whole number/,
    );
  });

  it('a FIFO or /dev/zero as publish settings, manifest or descriptor: exit 2 (they hung)', async () => {
    for (const special of [real.fifo, '/dev/zero']) {
      const says = special === real.fifo ? /is a FIFO/ : /is a character device/;
      expectUsage(await runCli(['settings', `p:${special}`], { timeoutMs: 20_000 }), says);
      const target = fs.mkdtempSync(path.join(real.root, 'special-'));
      fs.symlinkSync(special, path.join(target, 'DriveManifest.xml'));
      expectUsage(await runCli(['verify', '--target', target], { timeoutMs: 20_000 }), says);
      const staging = fs.mkdtempSync(path.join(real.root, 'special-staging-'));
      fs.cpSync(real.freshStaging, staging, { recursive: true });
      const descriptor = path.join(staging, '.diskprep', 'jobs', 'job1.json');
      fs.rmSync(descriptor);
      fs.symlinkSync(special, descriptor);
      expectUsage(
        await runCli(['plan', `s:${staging}`, '--drive-size', '1GB'], { timeoutMs: 20_000 }),
        says,
      );
    }
  });

  it('one SIGTERM ends a verify that is reading a large file: exit 130', async () => {
    const target = path.join(real.root, 'long');
    const session = path.join(target, 'job1');
    fs.mkdirSync(session, { recursive: true });
    const big = path.join(session, 'big.bin');
    // 4 GiB, sparse: reading and hashing it takes seconds, writing it none.
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 4 * 1024 ** 3);
    const block = 4 * 1024 * 1024;
    const blocks = Array.from(
      { length: 1024 },
      (_, i) =>
        `<Block Offset="${i * block}" Length="${block}" Hash="00000000000000000000000000000000"/>`,
    ).join('\n');
    fs.writeFileSync(
      path.join(target, 'DriveManifest.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>\n<DriveManifest Version="2014-11-01"><Drive><DriveId>LONG1</DriveId><BlobList>\n<Blob><BlobPath>backup/big.bin</BlobPath><FilePath>\\job1\\big.bin</FilePath><Length>${4 * 1024 ** 3}</Length><BlockList>\n${blocks}\n</BlockList></Blob>\n</BlobList></Drive></DriveManifest>\n`,
    );
    const child = execa(process.execPath, [BIN, 'verify', '--target', target], {
      reject: false,
      env: { NO_COLOR: '1' },
      timeout: 120_000,
    });
    // Signal once the file is open (no guess at start-up time): /proc lists its descriptors.
    const isReading = () => {
      try {
        return fs
          .readdirSync(`/proc/${child.pid}/fd`)
          .some((fd) => fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`) === big);
      } catch {
        return false;
      }
    };
    let ended = false;
    void child.finally(() => (ended = true));
    while (!isReading() && !ended) await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(130);
    expect(String(r.stderr)).toMatch(/stopping after cleanup/);
    expect(String(r.stderr)).toMatch(/^diskprep: interrupted$/m);
    fs.rmSync(target, { recursive: true, force: true });
  });
});

describe('fuzz sample on the built binary', () => {
  /** A few seeded cases of each generator (FUZZ_RUNS scales them to a tenth). */
  const n = () => Math.max(6, Math.round(runsOf(60) / 10));

  it('manifests (verify)', async () => {
    const target = path.join(real.root, 'bin-verify');
    fs.cpSync(real.target, target, { recursive: true });
    const base = fs.readFileSync(real.files.manifest);
    for (const bytes of fc.sample(mutated(base, true), { seed: SEED, numRuns: n() })) {
      fs.writeFileSync(path.join(target, 'DriveManifest.xml'), bytes);
      expectClean('manifest (binary)', await runCli(['verify', '--target', target, '--json']), () =>
        bytes.toString(),
      );
    }
  });

  it('publish settings (settings)', async () => {
    const file = path.join(real.root, 'bin.publishsettings');
    const base = fs.readFileSync(real.files.publishSettings);
    for (const bytes of fc.sample(mutated(base, true), { seed: SEED, numRuns: n() })) {
      fs.writeFileSync(file, bytes);
      expectClean('publish settings (binary)', await runCli(['settings', `p:${file}`]), () =>
        bytes.toString(),
      );
    }
  });

  it('descriptors and copy state (plan, verify --staging)', async () => {
    const staging = path.join(real.root, 'bin-staging');
    fs.cpSync(real.staging, staging, { recursive: true });
    const journal = path.join(staging, '.diskprep', 'journal', 'job1');
    const descriptor = path.join(staging, '.diskprep', 'jobs', 'job1.json');
    const descriptorText = fs.readFileSync(descriptor, 'utf8');
    for (const bytes of fc.sample(jsonMutated(descriptorText), { seed: SEED, numRuns: n() })) {
      fs.writeFileSync(descriptor, bytes);
      const r = await runCli(['plan', `s:${staging}`, '--drive-size', '1GB']);
      expectClean('descriptor (binary)', r, () => bytes.toString());
    }
    fs.writeFileSync(descriptor, descriptorText);
    const state = path.join(journal, 'copy-state.json');
    for (const bytes of fc.sample(jsonMutated(fs.readFileSync(state, 'utf8')), {
      seed: SEED,
      numRuns: n(),
    })) {
      fs.writeFileSync(state, bytes);
      const r = await runCli(['verify', '--target', real.target, '--staging', staging, '--json']);
      expectClean('copy state (binary)', r, () => bytes.toString());
    }
  });
});
