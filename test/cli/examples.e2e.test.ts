/**
 * Every documented example runs: each line of every `--help` "Examples:" section and of the
 * README's ```` ```sh example ```` blocks is executed by the built binary and must exit 0.
 *
 * Each example runs in its own world, a temporary folder that is also its working directory:
 * the Windows paths of the examples (`D:\staging`, `C:\keys\my.publishsettings`, `E:\`) are
 * folders and files of that name in it; `/srv/staging` and `/mnt/drive1` are rewritten into it;
 * `/dev/sdb` is a loop device holding a BitLocker volume made by Windows (root only), whose
 * recovery password is $BITLOCKER_KEY; `<id>` is the fake ARM's subscription, `<md5>` the MD5 of
 * the manifest on the prepared drive. The staging locations hold the data of examples/staging. Commands that talk to Azure get `--arm-endpoint` and
 * `--ca-file` of the loopback fakes (test/helpers/fakeServices.ts, one instance for the file);
 * the classic service is reached through the generated publish-settings file. What a world
 * holds before its example runs (jobs recorded, drives prepared, jobs created) is made by
 * running other diskprep command lines (jobs are recorded directly, as `init` writes them),
 * listed per example in SCENARIOS. Examples marked
 * `# interactive` run at a real terminal (tmux), each question answered as an operator would
 * (TYPED). This machine has no spare SATA disk to offer, so the legacy `s:D:\staging p:...`
 * runs where an earlier offline run already filled the drive: it resumes, creates the job and
 * asks the rest.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/redact.ts';
import { containerClient } from '../../src/storage/client.ts';
import { canRun, LoopLab, XTS_KEY } from '../disk/loopImages.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from '../fakes/azurite.ts';
import { importDrive } from '../storage/importDrive.ts';
import { type ConnectProxy, startConnectProxy } from '../fakes/connectProxy.ts';
import { fakeAccessToken, FakeEntra } from '../fakes/fakeEntra.ts';
import { exportPfx, selfSignedCert } from '../helpers/certs.ts';
import { hasTmux, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import { runCli } from '../helpers/cli.ts';
import { ARM_SUB, type Fakes, startFakes } from '../helpers/fakeServices.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { RETURN_ADDRESS, returnFlags } from '../helpers/returnFlags.ts';
import { jobDescriptor, writeJobFiles } from '../helpers/staging.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { COMMANDS, helpSnapshot } from './commands.ts';
import {
  allHelpExamples,
  documentedJsonKeys,
  type Example,
  readmeExamples,
  shellWords,
} from './examples.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '3c1f7a52-6e0b-4f7d-9d2a-8b5e4c6a1f09';
const PFX_PASSWORD = 'pfx-Example-4Kq8';
/** What the fake authority issues and the fake ARM accepts (also the runner's env token). */
const TOKEN = fakeAccessToken({
  aud: 'https://management.azure.com/',
  tid: TENANT,
  appid: CLIENT_ID,
  exp: Math.floor(Date.now() / 1000) + 3600,
});
const ACCOUNT = 'FEDEX-ACCT-10203040';
/** A container SAS token as the portal makes it: read, write, delete, list, a year. */
const SAS =
  'sv=2025-05-05&sr=c&sp=rwdl&se=2027-12-31T00%3A00%3A00Z&sig=c2lnbmF0dXJlLW9mLXRoZS1leGFtcGxl';
const COMMAND_NAMES = new Set(COMMANDS);
/** The top-level keys README documents for each command's --json document. */
const JSON_KEYS = documentedJsonKeys();
/** Commands whose pinned help has `--arm-endpoint` (and `--ca-file`): they talk to Azure. */
const NETWORK = new Set(
  COMMANDS.filter((c) =>
    fs.readFileSync(new URL(helpSnapshot(c), import.meta.url), 'utf8').includes('--arm-endpoint'),
  ),
);

let f: Fakes;
/** The blob service holding what the datacenter imported, for verify-import. */
let azurite: Azurite | undefined;
/** The operator's proxy of the examples (`user:secret@proxy:3128`), a real CONNECT proxy. */
let proxy: ConnectProxy | undefined;
/** The Entra authority of the certificate sign-ins, and the folder holding app.pem and app.pfx. */
let entra: { authority: FakeEntra; certs: string } | undefined;
beforeAll(async () => {
  f = await startFakes(TOKEN, { retryAfterSeconds: 0 });
  proxy = await startConnectProxy({ auth: { user: 'user', pass: 'secret' } });
  azurite = await startAzurite();
  entra = await startEntra();
});
afterAll(async () => {
  expect(f.arm.violations).toEqual([]);
  await f?.stop();
  await azurite?.stop();
  await proxy?.close();
  if (entra) expect(entra.authority.violations).toEqual([]);
  await entra?.authority.stop();
});

/** Starts the authority that knows the application of app.pem / app.pfx (once). */
async function startEntra(): Promise<NonNullable<typeof entra>> {
  const certs = tempDir('examples-certs');
  const app = await selfSignedCert(certs, 'app', {
    cn: 'diskprep example',
    validity: { days: 2 },
    key: 'rsa',
  });
  const certPem = fs.readFileSync(app.certFile, 'utf8');
  fs.writeFileSync(path.join(certs, 'app.pem'), certPem + fs.readFileSync(app.keyFile, 'utf8'), {
    mode: 0o600,
  });
  await exportPfx(app, path.join(certs, 'app.pfx'), [], PFX_PASSWORD);
  const authority = await new FakeEntra({
    tls: { key: f.pki.serverKey, cert: f.pki.serverCert },
    apps: [{ tenant: TENANT, clientId: CLIENT_ID, certPem }],
    accessToken: TOKEN,
    // Who approves the device codes of the `login` examples.
    users: [
      {
        tenant: TENANT,
        objectId: '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
        upn: 'operator@contoso.example',
        name: 'Copy Operator',
      },
    ],
  }).start();
  return { authority, certs };
}

/** One example's temporary folder (its cwd) and what the runner substitutes. */
interface World {
  dir: string;
  env: Record<string, string>;
  disk?: string;
  lab?: LoopLab;
  /** MD5 of the manifest on /mnt/drive1 or E:\, for `<md5>`. */
  md5?: string;
  /** Approves the device codes of a `signin` world while it lives. */
  approving?: NodeJS.Timeout;
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
      FEDEX_ACCOUNT: ACCOUNT,
      DHL_ACCOUNT: ACCOUNT,
      CONTAINER_SAS: `backups?${SAS}`,
      AZURITE_KEY,
      PFX_PASSWORD,
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
      .replaceAll('@proxy:3128', `@127.0.0.1:${proxy?.port ?? 3128}`)
      .replaceAll('<id>', ARM_SUB)
      .replaceAll('<tenant-id>', TENANT)
      .replaceAll('<app-id>', CLIENT_ID)
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
  // No desktop: `login` signs in with a device code, as on a headless copy computer.
  return runCli(argvOf(text, w), {
    cwd: w.dir,
    env: { ...w.env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined },
  });
}

const RETURN = returnFlags('FedEx', '"$ACCOUNT"')
  .map((a) => (a.includes(' ') ? `"${a}"` : a))
  .join(' ');

/** A Data Box job recorded in /srv/staging, covering its Photos folder. */
const initPhotos =
  (job: string): Step =>
  (w) =>
    writeJobFiles(
      path.join(w.dir, 'srv', 'staging'),
      jobDescriptor({
        name: job,
        service: 'databox',
        storageAccount: 'contosobackup',
        container: 'photos',
        subscription: ARM_SUB,
        resourceGroup: 'rg-backup',
        location: 'westeurope',
        data: 'Photos',
      }),
    );
/** Its drive prepared onto the folder /mnt/drive1 and the job created at the fake ARM. */
const prepareOnto = (job: string) =>
  `diskprep prepare --staging /srv/staging --job ${job} --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" ${RETURN} --no-ship-now --yes`;
/** The same offline: a drive and its drive-info XML, no Azure call. */
const PREPARE_OFFLINE = `diskprep prepare --staging /srv/staging --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes`;
/** The loop disk prepared (its BitLocker volume unlocked, NTFS kept) for /srv/staging, offline. */
const PREPARE_DISK = `diskprep prepare --staging /srv/staging --drive /dev/sdb --drive-id WD-WMATV123456 --already-encrypted --already-formatted --bitlocker-key "$BITLOCKER_KEY" --offline --yes`;
/** A classic job recorded in D:\\staging, with its container SAS (the publish settings' subscription). */
const INIT_CLASSIC: Step = (w) =>
  writeJobFiles(
    path.join(w.dir, 'D:\\staging'),
    jobDescriptor({
      name: 'backup-2026',
      service: 'classic',
      storageAccount: 'contosobackup',
      container: 'seed',
      location: 'West US',
    }),
    { containerSas: SAS },
  );
/** A Data Box job recorded in D:\\staging (what `init --amend` changes). */
const INIT_PHOTOS_D: Step = (w) =>
  writeJobFiles(
    path.join(w.dir, 'D:\\staging'),
    jobDescriptor({
      name: 'photos',
      service: 'databox',
      storageAccount: 'contosobackup',
      container: 'photos',
      subscription: ARM_SUB,
      resourceGroup: 'rg-backup',
      location: 'northeurope',
    }),
  );
/** The classic job's drive prepared onto the folder E:\\ and the job created at the classic fake. */
const PREPARE_CLASSIC = `diskprep s:D:\\staging p:C:\\keys\\my.publishsettings --target E:\\ --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" ${RETURN} --no-ship-now --yes`;
const PREPARE_CLASSIC_OFFLINE = `diskprep prepare s:D:\\staging --target E:\\ --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes`;

/** Offline jobs whose storage account is Azurite's, drives prepared onto folders, then imported. */
const initImported =
  (staging: string, job: string): Step =>
  (w) =>
    writeJobFiles(
      path.join(w.dir, ...staging.split('/').filter(Boolean)),
      jobDescriptor({
        name: job,
        service: 'offline',
        storageAccount: AZURITE_ACCOUNT,
        container: w.env.CONTAINER!,
      }),
      { storageAccountKey: AZURITE_KEY },
    );
const IMPORTED_SRV = [
  initImported('srv/staging', 'photos'),
  `diskprep prepare --staging /srv/staging --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes`,
];
const IMPORTED_D = [
  initImported('D:\\staging', 'seed'),
  `diskprep prepare s:D:\\staging --target E:\\ --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes`,
];

/**
 * One step of a world's making: a diskprep command line, or a job recorded directly with the
 * shared staging helpers (what `diskprep init` writes, one child process fewer per world).
 */
type Step = string | ((w: World) => void);

/** What a world needs before its example: command lines, a loop disk, a job created elsewhere. */
interface Scenario {
  setup?: Step[];
  disk?: boolean;
  /** A Data Box job of this name made in the portal (rg-backup). */
  external?: string;
  /** While the example runs: the datacenter moves this job on, once diskprep has looked at it. */
  advance?: string;
  /**
   * It creates or reads jobs at the fakes, or attaches a loop disk: it runs alone, from no job at
   * all (job names repeat across examples).
   */
  alone?: boolean;
  /** Sign-in with a certificate at the fake Entra authority (app.pem and app.pfx in the world). */
  certificate?: boolean;
  /**
   * The operator's own sign-in at the fake Entra authority (`login`, `logout`): no token in the
   * environment, an unencrypted token cache in the world's HOME, every device code approved.
   */
  signin?: boolean;
  /** After the setup: the drive in this folder of the world imported into Azurite ($CONTAINER). */
  imported?: { drive: string };
}

/** The first rule whose pattern matches an example's text gives its scenario. */
const SCENARIOS: [RegExp, Scenario][] = [
  [/^diskprep s:D:\\staging p:/, { setup: [INIT_CLASSIC, PREPARE_CLASSIC_OFFLINE], alone: true }],
  [/^diskprep init s:D:\\staging --job photos --container photos$/, {}],
  [/backup-seed-1/, { external: 'backup-seed-1', alone: true }],
  [/^diskprep (status|u:) s:D:\\staging/, { setup: [INIT_CLASSIC, PREPARE_CLASSIC], alone: true }],
  [
    /--watch/,
    { setup: [initPhotos('seed01'), prepareOnto('seed01')], advance: 'seed01', alone: true },
  ],
  [
    /^diskprep (cancel|status) --job seed01/,
    { setup: [initPhotos('seed01'), prepareOnto('seed01')], alone: true },
  ],
  [
    /^diskprep (status|u:|ship --staging \/srv\/staging)/,
    { setup: [initPhotos('photos'), prepareOnto('photos')], alone: true },
  ],
  [
    /^diskprep verify --drive \/dev\/sdb/,
    { setup: [initPhotos('photos'), PREPARE_DISK], disk: true, alone: true },
  ],
  [/^diskprep verify --target \/mnt\/drive1/, { setup: [initPhotos('photos'), PREPARE_OFFLINE] }],
  [/^diskprep verify --target E:/, { setup: [INIT_CLASSIC, PREPARE_CLASSIC_OFFLINE] }],
  [
    /^diskprep (prepare|s:).*\/dev\/sdb/,
    { setup: [initPhotos('photos')], disk: true, alone: true },
  ],
  [/^diskprep (prepare |plan |check |s:)[^#]*\/srv\/staging/, { setup: [initPhotos('photos')] }],
  [/^diskprep (plan|check) s:D:\\staging/, { setup: [INIT_CLASSIC] }],
  [/^diskprep verify-import s:D:/, { setup: IMPORTED_D, imported: { drive: 'E:\\' } }],
  [/^diskprep verify-import /, { setup: IMPORTED_SRV, imported: { drive: 'mnt/drive1' } }],
  [/^diskprep whoami .*--client-certificate/, { certificate: true }],
  [/^diskprep login/, { signin: true }],
  [/^diskprep logout/, { signin: true, setup: ['diskprep login --login device-code'] }],
  [/^diskprep init s:D:\\staging --job photos --amend/, { setup: [INIT_PHOTOS_D] }],
  [/^diskprep init /, {}],
  [/^diskprep (drives|settings|jobs --subscription|whoami$|check --json)/, {}],
];

function scenarioOf(text: string): Scenario | undefined {
  return SCENARIOS.find(([re]) => re.test(text))?.[1];
}

async function setUp(s: Scenario): Promise<World> {
  const w = makeWorld();
  if (s.certificate) {
    for (const file of ['app.pem', 'app.pfx'])
      fs.copyFileSync(path.join(entra!.certs, file), path.join(w.dir, file));
    // Nothing from the environment signs in: the certificate flags must.
    delete w.env.DISKPREP_ACCESS_TOKEN;
    w.env.AZURE_AUTHORITY_HOST = entra!.authority.url;
    w.env.NODE_EXTRA_CA_CERTS = f.pki.caFile;
  }
  if (s.signin) {
    delete w.env.DISKPREP_ACCESS_TOKEN;
    w.env.HOME = path.join(w.dir, 'userhome');
    fs.mkdirSync(w.env.HOME);
    w.env.DISKPREP_TOKEN_CACHE = 'unencrypted';
    w.env.AZURE_AUTHORITY_HOST = entra!.authority.url;
    w.env.NODE_EXTRA_CA_CERTS = f.pki.caFile;
    w.approving = setInterval(() => {
      // The operator enters each code shown in a browser elsewhere and approves it.
      for (const c of entra!.authority.deviceCodes)
        if (!c.user) entra!.authority.approve(c.userCode);
    }, 100);
  }
  if (s.imported) {
    w.env.DISKPREP_BLOB_ENDPOINT = azurite!.endpoint;
    // Each world its own container: worlds run side by side on one Azurite.
    w.env.CONTAINER = `import-${path
      .basename(w.dir)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')}`;
  }
  if (s.disk) {
    w.lab = new LoopLab();
    w.disk = w.lab.attach(w.lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
  }
  if (s.external) f.arm.addExternalDataBoxJob(ARM_SUB, 'rg-backup', s.external);
  for (const line of s.setup ?? []) {
    if (typeof line === 'function') {
      line(w);
      continue;
    }
    const r = await runIn(w, line);
    expect(r.exitCode, `setup ${line}\n${r.stderr}`).toBe(0);
  }
  if (s.imported) {
    const c = containerClient(
      {
        account: AZURITE_ACCOUNT,
        container: w.env.CONTAINER!,
        credential: { accountKey: AZURITE_KEY },
        blobEndpoint: azurite!.endpoint,
      },
      new Redactor(),
    );
    await importDrive(c, path.join(w.dir, s.imported.drive));
  }
  for (const drive of [path.join(w.dir, 'mnt', 'drive1'), path.join(w.dir, 'E:\\')]) {
    const manifest = path.join(drive, 'DriveManifest.xml');
    if (fs.existsSync(manifest))
      w.md5 = createHash('md5').update(fs.readFileSync(manifest)).digest('hex').toUpperCase();
  }
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

/** Sets up `text`'s world, runs it, checks it exited 0 (and printed one JSON object under --json). */
async function runExample(text: string): Promise<void> {
  const scenario = scenarioOf(text);
  expect(scenario, `no scenario for: ${text}`).toBeDefined();
  if (scenario!.disk && !canRun) return;
  const w = await setUp(scenario!);
  try {
    const tunnels = proxy!.tunnels.length;
    if (scenario!.advance) f.arm.requests.length = 0;
    const run = runIn(w, text);
    if (scenario!.advance) await advanceOnceSeen(scenario!.advance, run);
    const r = await run;
    expect(r.exitCode, `${text}\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 2000)}`).toBe(
      0,
    );
    if (text.includes('--json')) {
      const doc: unknown = JSON.parse(r.stdout);
      expect(typeof doc === 'object' && doc !== null && !Array.isArray(doc), 'a JSON object').toBe(
        true,
      );
      const documented = JSON_KEYS.get(commandOf(argvOf(text, w)));
      expect(documented, 'its shape is in README "JSON output"').toBeDefined();
      const undocumented = Object.keys(doc as object).filter((k) => !documented!.has(k));
      expect(undocumented, 'top-level keys README "JSON output" does not name').toEqual([]);
    }
    if (text.includes('--proxy')) expect(proxy!.tunnels.length).toBeGreaterThan(tunnels);
  } finally {
    w.lab?.dispose();
    clearInterval(w.approving);
  }
}

/** At most `n` at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

const ALONE = SCRIPTED.filter((e) => scenarioOf(e.text)?.alone);
const TOGETHER = SCRIPTED.filter((e) => !scenarioOf(e.text)?.alone);
const INTERACTIVE = UNIQUE.filter((e) => e.interactive);
const cases = (list: Example[]) => list.map((e) => [e.text, e.source] as const);

describe('every example runs and exits 0: jobs at the fakes or a loop disk, one at a time', () => {
  beforeEach(() => {
    f.arm.databoxJobs.clear();
    f.classic.jobs.clear();
  });
  it.each(cases(ALONE))('%s  (%s)', (text) => runExample(text), 120_000);
});

describe.concurrent('every example runs and exits 0: the others, three at a time', () => {
  const three = limiter(3);
  it.each(cases(TOGETHER))('%s  (%s)', (text) => three(() => runExample(text)), 120_000);
});

/**
 * What an operator types at each question of the interactive examples: the first pattern that
 * matches the active question gives the text; any other question takes Enter (its default, or
 * the first choice of a list).
 */
const TYPED: [RegExp, string][] = [
  [/Return contact name/, RETURN_ADDRESS.recipientName],
  [/Return contact phone/, RETURN_ADDRESS.phone],
  [/Return contact email/, RETURN_ADDRESS.email],
  [/Return street address/, RETURN_ADDRESS.streetAddress1],
  [/Return city/, RETURN_ADDRESS.city],
  [/Return state or province/, RETURN_ADDRESS.stateOrProvince],
  [/Return postal code/, RETURN_ADDRESS.postalCode],
  [/Return country or region/, RETURN_ADDRESS.countryOrRegion],
  [/account number/, ACCOUNT],
  [/Tracking number/, '781234567890'],
  [/Type "yes"/, 'yes'],
  [/Type the job's name \((\S+)\)/, '$1'],
  [/Create import job .* now\?/, 'y'],
  [/Enter the shipping details .* now\?/, 'n'],
];

/** Answers every question on the screen until the program exits: its exit code, the questions answered. */
async function answerUntilExit(
  s: TmuxSession,
  timeoutMs = 90_000,
): Promise<{ code: number; questions: number }> {
  const deadline = Date.now() + timeoutMs;
  let answered = 0;
  for (;;) {
    const code = await s.exitCode(150).catch(() => undefined);
    if (code !== undefined) return { code, questions: answered };
    const lines = (await s.screen()).split('\n');
    const done = lines.filter((l) => l.startsWith('✔')).length;
    const active = lines.findLast((l) => l.startsWith('? '));
    if (active && done >= answered) {
      answered = done + 1;
      const rule = TYPED.find(([re]) => re.test(active));
      if (rule) await s.type(active.replace(new RegExp(`^.*?${rule[0].source}.*$`), rule[1]));
      else await s.keys('Enter');
    }
    if (Date.now() > deadline) throw new Error(`no exit; screen:\n${lines.join('\n')}`);
  }
}

const tmux = await hasTmux();

describe.skipIf(!tmux)('every interactive example runs at a terminal and exits 0', () => {
  beforeEach(() => {
    f.arm.databoxJobs.clear();
    f.classic.jobs.clear();
  });
  it.each(cases(INTERACTIVE))(
    '%s  (%s)',
    async (text) => {
      const scenario = scenarioOf(text);
      expect(scenario, `no scenario for: ${text}`).toBeDefined();
      const w = await setUp(scenario!);
      const session = await startInteractive(argvOf(text, w), {
        env: w.env,
        cwd: w.dir,
        width: 200,
      });
      try {
        const { code, questions } = await answerUntilExit(session);
        const screen = await session.screen();
        expect(code, screen).toBe(0);
        expect(questions, `an interactive example asks: ${screen}`).toBeGreaterThan(0);
      } finally {
        await session.kill();
        w.lab?.dispose();
      }
    },
    120_000,
  );
});
