/**
 * Every documented example runs: each line of every `--help` "Examples:" section and of the
 * README's ```` ```sh example ```` blocks is executed by the built binary and must exit 0.
 *
 * Each example runs in its own world, a temporary folder that is also its working directory:
 * the Windows paths of the examples (`D:\staging`, `C:\keys\my.publishsettings`, `E:\`) are
 * folders and files of that name in it; `/srv/staging` and `/mnt/drive1` are rewritten into it;
 * `/dev/sdb` is a loop device holding a BitLocker volume made by Windows (root only); `<id>` is
 * the fake ARM's subscription and `<key>` that volume's recovery password. The staging locations
 * hold the data of examples/staging. Commands that talk to Azure get `--arm-endpoint` and
 * `--ca-file` of the loopback fakes (test/helpers/fakeServices.ts, one instance for the file);
 * the classic service is reached through the generated publish-settings file. What a world
 * holds before its example runs (jobs recorded, drives prepared, jobs created) is made by
 * running other diskprep command lines, listed per example in SCENARIOS.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canRun, LoopLab, XTS_KEY } from '../disk/loopImages.ts';
import { runCli } from '../helpers/cli.ts';
import { type Fakes, startFakes } from '../helpers/fakeServices.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { returnFlags } from '../helpers/returnFlags.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { allHelpExamples, type Example, readmeExamples, shellWords } from './examples.ts';
import { ARM_SUB } from '../helpers/fakeServices.ts';

const TOKEN = 'e2e-examples-token-5b1d';
const ACCOUNT = 'FEDEX-ACCT-10203040';
/** Commands with `--arm-endpoint` / `--ca-file`. */
const NETWORK = new Set([
  'prepare',
  'ship',
  'status',
  'jobs',
  'cancel',
  'init',
  'check',
  'verify-import',
  'whoami',
]);
const COMMAND_NAMES = new Set([...NETWORK, 'plan', 'drives', 'verify', 'settings']);

let f: Fakes;
let lab: LoopLab | undefined;
beforeAll(async () => {
  f = await startFakes(TOKEN, { lroRetryAfterSeconds: 0 });
});
afterAll(async () => {
  expect(f.arm.violations).toEqual([]);
  await f?.stop();
});
beforeEach(() => {
  // One fake for the file: each example starts from no job at all.
  f.arm.databoxJobs.clear();
  f.classic.jobs.clear();
});
afterEach(() => {
  lab?.dispose();
  lab = undefined;
});

/** One example's temporary folder (its cwd) and what the runner substitutes. */
interface World {
  dir: string;
  env: Record<string, string>;
  disk?: string;
  /** MD5 of the manifest on /mnt/drive1, for `<md5>`. */
  md5?: string;
}

function makeWorld(): World {
  const dir = tempDir('examples');
  const data = path.join(REPO_ROOT, 'examples', 'staging');
  for (const staging of [path.join(dir, 'srv', 'staging'), path.join(dir, 'D:\\staging')]) {
    fs.mkdirSync(staging, { recursive: true });
    for (const e of fs.readdirSync(data))
      if (e !== '.diskprep')
        fs.cpSync(path.join(data, e), path.join(staging, e), { recursive: true });
  }
  for (const file of ['C:\\keys\\my.publishsettings', 'my.publishsettings'])
    fs.copyFileSync(f.publishSettings, path.join(dir, file));
  for (const folder of [path.join('mnt', 'drive1'), 'E:\\'])
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  return {
    dir,
    env: {
      DISKPREP_HOME: home,
      DISKPREP_BLOB_ENDPOINT: f.arm.url,
      AZURE_AUTHORITY_HOST: f.arm.url,
      DISKPREP_ACCESS_TOKEN: TOKEN,
      // Unlocks the loop disk's volume; a well-formed key for a --target folder.
      BITLOCKER_KEY: XTS_KEY,
      ACCOUNT,
    },
  };
}

/** The command an argv runs (`s:` alone is prepare, `u:` ship). */
function commandOf(argv: readonly string[]): string {
  const named = argv.find((a) => COMMAND_NAMES.has(a));
  if (named) return named;
  return argv.some((a) => a.toLowerCase() === 'u:') ? 'ship' : 'prepare';
}

/** The argv of `text` in `w`: words, placeholders and absolute example paths substituted. */
function argvOf(text: string, w: World): string[] {
  const words = shellWords(text, w.env).slice(1);
  const argv = words.map((word) => {
    let out = word
      .replaceAll('/srv/staging', path.join(w.dir, 'srv', 'staging'))
      .replaceAll('/mnt/drive1', path.join(w.dir, 'mnt', 'drive1'))
      .replaceAll('<id>', ARM_SUB)
      .replaceAll('<md5>', w.md5 ?? '<md5>');
    if (out.includes('/dev/sdb')) {
      if (!w.disk) throw new Error(`${text}: names /dev/sdb but its scenario attaches no disk`);
      out = out.replaceAll('/dev/sdb', w.disk);
    }
    if (/<[^>]+>/.test(out)) throw new Error(`${text}: placeholder ${out} has no substitute`);
    return out;
  });
  if (NETWORK.has(commandOf(argv)))
    argv.push('--arm-endpoint', f.arm.url, '--ca-file', f.pki.caFile);
  return argv;
}

/** Runs one command line in `w`. */
function runIn(w: World, text: string) {
  return runCli(argvOf(text, w), { cwd: w.dir, env: w.env });
}

const RETURN = returnFlags('FedEx', '"$ACCOUNT"')
  .map((a) => (a.includes(' ') ? `"${a}"` : a))
  .join(' ');

/** A Data Box job recorded in /srv/staging, covering its Photos folder. */
const initPhotos = (job: string) =>
  `diskprep init --staging /srv/staging --job ${job} --subscription <id> --resource-group rg-backup --storage-account contosobackup --container photos --location westeurope --data Photos`;
/** Its drive prepared onto the folder /mnt/drive1 and the job created at the fake ARM. */
const prepareOnto = (job: string) =>
  `diskprep prepare --staging /srv/staging --job ${job} --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" ${RETURN} --no-ship-now --yes`;
/** The same offline: a drive and its drive-info XML, no Azure call. */
const PREPARE_OFFLINE = `diskprep prepare --staging /srv/staging --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes`;
/** The loop disk prepared (its BitLocker volume unlocked, NTFS kept) for /srv/staging, offline. */
const PREPARE_DISK = `diskprep prepare --staging /srv/staging --drive /dev/sdb --drive-id WD-WMATV123456 --already-encrypted --already-formatted --bitlocker-key "$BITLOCKER_KEY" --offline --yes`;
/** A classic job recorded in D:\staging, with a SAS fetched through ARM. */
const INIT_CLASSIC = `diskprep init s:D:\\staging --job backup-2026 --service classic --subscription <id> --storage-account contosobackup --container seed --fetch-credential sas`;
const PREPARE_CLASSIC_OFFLINE = `diskprep prepare s:D:\\staging --target E:\\ --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes`;

/** What a world needs before its example: command lines, a loop disk, a job created elsewhere. */
interface Scenario {
  setup?: string[];
  disk?: boolean;
  /** A Data Box job of this name made in the portal (rg-backup). */
  external?: string;
  /** While the example runs: the datacenter moves this job on, once diskprep has looked at it. */
  advance?: string;
}

/** The first rule whose pattern matches an example's text gives its scenario. */
const SCENARIOS: [RegExp, Scenario][] = [
  [/backup-seed-1/, { external: 'backup-seed-1' }],
  [/--watch/, { setup: [initPhotos('seed01'), prepareOnto('seed01')], advance: 'seed01' }],
  [
    /^diskprep (cancel|status) --job seed01/,
    { setup: [initPhotos('seed01'), prepareOnto('seed01')] },
  ],
  [
    /^diskprep (status|u:|ship --staging \/srv\/staging)/,
    { setup: [initPhotos('photos'), prepareOnto('photos')] },
  ],
  [
    /^diskprep verify --drive \/dev\/sdb/,
    { setup: [initPhotos('photos'), PREPARE_DISK], disk: true },
  ],
  [/^diskprep verify --target \/mnt\/drive1/, { setup: [initPhotos('photos'), PREPARE_OFFLINE] }],
  [/^diskprep verify --target E:/, { setup: [INIT_CLASSIC, PREPARE_CLASSIC_OFFLINE] }],
  [/^diskprep (prepare|s:).*\/dev\/sdb/, { setup: [initPhotos('photos')], disk: true }],
  [/^diskprep (prepare|plan|check) .*\/srv\/staging/, { setup: [initPhotos('photos')] }],
  [/^diskprep (plan|check) s:D:\\staging/, { setup: [INIT_CLASSIC] }],
  [/^diskprep init /, {}],
  [/^diskprep (drives|settings|jobs --subscription|whoami$|check --json)/, {}],
];

function scenarioOf(text: string): Scenario | undefined {
  return SCENARIOS.find(([re]) => re.test(text))?.[1];
}

async function setUp(s: Scenario): Promise<World> {
  const w = makeWorld();
  if (s.disk) {
    lab = new LoopLab();
    w.disk = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
  }
  if (s.external) f.arm.addExternalDataBoxJob(ARM_SUB, 'rg-backup', s.external);
  for (const line of s.setup ?? []) {
    const r = await runIn(w, line);
    expect(r.exitCode, `setup ${line}\n${r.stderr}`).toBe(0);
  }
  const manifest = path.join(w.dir, 'mnt', 'drive1', 'DriveManifest.xml');
  if (fs.existsSync(manifest))
    w.md5 = createHash('md5').update(fs.readFileSync(manifest)).digest('hex').toUpperCase();
  return w;
}

/** Moves `job` on at the fake once diskprep has asked for it (a `--watch` then sees the change). */
async function advanceOnceSeen(job: string, done: Promise<unknown>): Promise<void> {
  const seen = () =>
    f.arm.requests.some((q) => q.operationId === 'Jobs_Get' && q.path.includes(`/jobs/${job}`));
  let finished = false;
  void done.then(() => (finished = true));
  while (!seen() && !finished) await new Promise((r) => setTimeout(r, 50));
  f.arm.updateDataBoxJob(job, (j) => {
    (j as { properties: { status: string } }).properties.status = 'AtAzureDC';
  });
}

const EXAMPLES: Example[] = [...allHelpExamples(), ...readmeExamples()];
// The same line documented twice runs once.
const UNIQUE = [...new Map(EXAMPLES.map((e) => [e.text, e])).values()];
const SCRIPTED = UNIQUE.filter((e) => !e.interactive);

describe('the examples are found', () => {
  it('every --help has examples and the README marks its runnable ones', () => {
    expect(EXAMPLES.filter((e) => e.source.startsWith('help:')).length).toBeGreaterThan(30);
    expect(EXAMPLES.filter((e) => e.source.startsWith('README')).length).toBeGreaterThan(3);
  });
});

describe('every example runs and exits 0', () => {
  it.each(SCRIPTED.map((e) => [e.text, e.source] as const))(
    '%s  (%s)',
    async (text) => {
      const scenario = scenarioOf(text);
      expect(scenario, `no scenario for: ${text}`).toBeDefined();
      if (scenario!.disk && !canRun) return;
      const w = await setUp(scenario!);
      f.arm.requests.length = 0;
      const run = runIn(w, text);
      if (scenario!.advance) await advanceOnceSeen(scenario!.advance, run);
      const r = await run;
      expect(r.exitCode, `${text}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 2000)}`).toBe(
        0,
      );
      if (text.includes('--json')) {
        const doc: unknown = JSON.parse(r.stdout);
        expect(
          typeof doc === 'object' && doc !== null && !Array.isArray(doc),
          'a JSON object',
        ).toBe(true);
      }
    },
    120_000,
  );
});
