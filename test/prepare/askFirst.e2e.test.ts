/**
 * Every answer before the copy, and no answer lost to a slip (issue 14): the built binary in a
 * real terminal (tmux) and as a script, onto a `--target` folder, against the loopback classic
 * service. A mistyped storage key and a mistyped e-mail are explained and asked again, the other
 * answers kept; answers given once are remembered in the journal for the next run (never the
 * carrier account number); a script missing three answers fails once, exit 3, naming all three,
 * before a byte is copied; on a staging location with no job, the job is recorded inline with
 * init's discovery at the loopback ARM (Data Box, spec-validated) and then prepared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEY1 } from '../engine/stagingFixture.ts';
import { answerReturnDetails } from '../helpers/answers.ts';
import { runCli } from '../helpers/cli.ts';
import { RETURN_ADDRESS, returnFlags } from '../helpers/returnFlags.ts';
import { makeStaging } from '../helpers/staging.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { hasTmux, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import {
  ACCOUNT,
  classicJob,
  type Fakes,
  flowEnv,
  JOB_SECRETS,
  startFakes,
  STORAGE_KEY,
  SUB,
} from './flowLab.ts';

const tmux = await hasTmux();
let f: Fakes;
const sessions: TmuxSession[] = [];
beforeAll(async () => {
  // A Data Box create polled at once: the test waits on nothing but the program.
  f = await startFakes({ retryAfterSeconds: 0 });
});
afterAll(async () => {
  await f?.stop();
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.kill();
});

const DATA = { 'seed/a.bin': Buffer.alloc(64 * 1024, 3), 'seed/notes.txt': 'notes\n' };

/** A staging location holding classic job `name` (West US unless `location` is null). */
function staging(name: string, o: { location?: string | null; secrets?: boolean } = {}): string {
  return makeStaging(
    [
      {
        name,
        service: 'classic',
        subscription: SUB,
        ...(o.location === null ? {} : { location: o.location ?? 'West US' }),
        data: 'seed',
      },
    ],
    DATA,
    o.secrets === false ? {} : { secrets: JOB_SECRETS },
  );
}

/** `s:` onto one `--target` folder with its drive id and recovery password. */
function args(dir: string, target: string, extra: string[] = []): string[] {
  return [
    `s:${dir}`,
    `p:${f.publishSettings}`,
    '--ca-file',
    f.pki.caFile,
    '--target',
    target,
    '--drive-id',
    'WD-ASK0001',
    '--bitlocker-key',
    KEY1,
    ...extra,
  ];
}

/** Every file under `dir`, as relative paths. */
function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [];
}

/** The text of every file of a staging location's journal folder. */
function journalText(dir: string): string {
  const root = path.join(dir, '.diskprep');
  return filesUnder(root)
    .map((p) => path.join(root, p))
    .filter((p) => fs.statSync(p).isFile())
    .map((p) => fs.readFileSync(p, 'utf8'))
    .join('\n');
}

const returnAddressSent = {
  Name: RETURN_ADDRESS.recipientName,
  Address: '1 Main St, Redmond, WA, 98052, US',
  Phone: RETURN_ADDRESS.phone,
  Email: RETURN_ADDRESS.email,
};

describe.skipIf(!tmux)('prepare asks again after a slip (tmux)', () => {
  it('a storage key that is not one: explained, asked again; the job gets the key typed next and every other answer', async () => {
    const dir = staging('seedkey', { secrets: false });
    const target = tempDir('ask-target');
    const s = await startInteractive(args(dir, target, ['--no-ship-now']), {
      env: await flowEnv(f),
    });
    sessions.push(s);
    await s.waitFor('Container SAS (backups?sv=...&sig=...) or storage account key of backupacct');
    await s.type('not-a-key!');
    await s.waitFor(
      'that answer: not a container SAS (no sig=) nor a storage account key (base64); try again (2 tries left)',
    );
    await s.type(STORAGE_KEY);
    await answerReturnDetails(s, { account: ACCOUNT });
    await s.waitFor(
      'After the copy, create import job seedkey on the classic service in West US without asking again?',
    );
    await s.keys('Enter'); // yes: nothing is asked after the copy
    await s.waitFor('Copy 2 files');
    await s.keys('Enter');
    expect(await s.exitCode()).toBe(0);
    const screen = await s.screen();
    expect(screen).toContain('created classic import job seedkey');
    expect(screen).not.toMatch(/Create import job seedkey .* now\?/);
    expect(screen.match(/Container SAS \(backups/g)).toHaveLength(2);
    const job = classicJob(f, 'seedkey');
    expect(job.Properties).toMatchObject({
      StorageAccountKey: STORAGE_KEY,
      ReturnAddress: returnAddressSent,
      ReturnShipping: { CarrierName: 'FedEx', CarrierAccountNumber: ACCOUNT },
    });
    const secrets = path.join(dir, '.diskprep', 'journal', 'seedkey', 'secrets.json');
    expect(JSON.parse(fs.readFileSync(secrets, 'utf8'))).toEqual({
      storageAccountKey: STORAGE_KEY,
    });
    expect(fs.statSync(secrets).mode & 0o777).toBe(0o600);
    for (const secret of [STORAGE_KEY, ACCOUNT, 'not-a-key!']) expect(screen).not.toContain(secret);
  });

  it('a mistyped e-mail: asked again, other answers kept; Ctrl-C at the copy, then a script uses the remembered answers, the account number given again and never on disk', async () => {
    const dir = staging('seedmail');
    const target = tempDir('ask-target');
    const env = await flowEnv(f);
    const s = await startInteractive(args(dir, target, ['--no-ship-now']), { env });
    sessions.push(s);
    await answerReturnDetails(s, {
      account: ACCOUNT,
      slips: { 'Return contact email': 'ops.example.org' },
    });
    await s.waitFor('without asking again?');
    await s.keys('Enter');
    await s.waitFor('Copy 2 files');
    await s.keys('C-c');
    expect(await s.exitCode()).toBe(130);
    const screen = await s.screen();
    expect(screen).toContain(
      '"ops.example.org": an email address like ops@example.org; try again (2 tries left)',
    );
    expect(filesUnder(target)).toEqual([]);
    const answers = path.join(dir, '.diskprep', 'journal', 'seedmail', 'answers.json');
    expect(JSON.parse(fs.readFileSync(answers, 'utf8'))).toMatchObject({
      returnAddress: {
        recipientName: 'Backup Ops',
        email: 'ops@example.org',
        phone: RETURN_ADDRESS.phone,
      },
      returnCarrier: 'FedEx',
      shipNow: false,
    });
    expect(fs.statSync(answers).mode & 0o777).toBe(0o600);

    // The script gives only what is never kept: the account number.
    const again = await runCli(
      [...args(dir, target), '--yes', '--return-carrier-account', ACCOUNT, '--json'],
      { env },
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: true, createdNow: true });
    expect(classicJob(f, 'seedmail').Properties).toMatchObject({
      ReturnAddress: returnAddressSent,
      ReturnShipping: { CarrierName: 'FedEx', CarrierAccountNumber: ACCOUNT },
    });
    expect(journalText(dir)).toContain('ops@example.org');
    expect(journalText(dir)).not.toContain(ACCOUNT);
    for (const t of [screen, again.stdout, again.stderr]) expect(t).not.toContain(ACCOUNT);
  });
});

describe.skipIf(!tmux)('prepare on a staging location with no job (tmux)', () => {
  it('records the job inline: name and container typed, subscription, storage account and resource group picked from ARM; then prepared and created', async () => {
    const dir = makeStaging([], DATA);
    const target = tempDir('ask-target');
    const s = await startInteractive(
      [
        `s:${dir}`,
        '--arm-endpoint',
        f.arm.url,
        '--ca-file',
        f.pki.caFile,
        '--target',
        target,
        '--drive-id',
        'WD-ASK0003',
        '--bitlocker-key',
        KEY1,
        '--no-ship-now',
      ],
      { env: await flowEnv(f) },
    );
    sessions.push(s);
    await s.waitFor('no import job is recorded in');
    await s.waitFor('Name of the new import job');
    await s.type('photos01');
    await s.waitFor('Container the data goes to');
    await s.type('photos');
    await s.waitFor('Contoso Dev');
    await s.keys('Enter'); // Contoso Backup
    await s.waitFor('contosobackup');
    await s.keys('Enter'); // contosoarchive, northeurope
    await s.waitFor('rg-network');
    await s.keys('Enter'); // its group, rg-archive
    await answerReturnDetails(s, { account: ACCOUNT });
    await s.waitFor(
      'After the copy, create import job photos01 on the databox service in northeurope without asking again?',
    );
    await s.keys('Enter');
    await s.waitFor('Copy 2 files');
    await s.keys('Enter');
    expect(await s.exitCode()).toBe(0);
    expect(f.arm.databoxJobs.has('photos01')).toBe(true);
    expect(f.arm.violations).toEqual([]);
    const descriptor = JSON.parse(
      fs.readFileSync(path.join(dir, '.diskprep', 'jobs', 'photos01.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(descriptor).toMatchObject({
      service: 'databox',
      storageAccount: 'contosoarchive',
      container: 'photos',
      resourceGroup: 'rg-archive',
      location: 'northeurope',
    });
    expect(filesUnder(target)).toContain('DriveManifest.xml');
    expect(await s.screen()).not.toContain(ACCOUNT);
  });
});

describe('prepare without a terminal', () => {
  it('missing --location, --return-email and --return-carrier-account: one exit 3 naming all three, before any byte is copied', async () => {
    const dir = staging('seedmiss', { location: null });
    const target = tempDir('ask-target');
    const flags = returnFlags('FedEx', ACCOUNT);
    const without = (names: string[]) =>
      flags.filter((_, i) => !names.includes(flags[i - (i % 2)]!));
    const r = await runCli(
      [...args(dir, target), '--yes', ...without(['--return-email', '--return-carrier-account'])],
      { env: await flowEnv(f) },
    );
    expect(r.exitCode).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.includes('missing'));
    expect(lines).toEqual([
      'diskprep: missing --location, --return-email, --return-carrier-account: no answer in a non-interactive run — pass all 3 and run the same command again (nothing was copied, no disk was touched)',
    ]);
    expect(filesUnder(target)).toEqual([]);
    // The journal holds the secrets file it was given, and nothing from this run.
    expect(filesUnder(path.join(dir, '.diskprep', 'journal', 'seedmiss'))).toEqual([
      'secrets.json',
    ]);
    expect(f.classic.jobs.has('seedmiss')).toBe(false);
  });
});
