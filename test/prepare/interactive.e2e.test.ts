/**
 * `diskprep s:` as an operator runs it: the built binary in a real terminal (tmux), onto a
 * real BitLocker volume (made by Windows) on a loop device, against the loopback classic
 * service with a generated publish-settings file. Every prompt is answered by typing (the return
 * details before the disk: every answer comes before the copy); the data
 * is read back through a fresh unlock. Then Ctrl-C in the middle of a copy: exit 130, every
 * mount released, and the same command resumes without rewriting the files already done.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  canRun,
  dislockersOf,
  ELEPHANT_KEY,
  LoopLab,
  mountsUnder,
  XTS_KEY,
} from '../disk/loopImages.ts';
import { runCli } from '../helpers/cli.ts';
import { answerReturnDetails, pickDisks } from '../helpers/answers.ts';
import { hasTmux, startInteractive, type TmuxSession } from '../helpers/tmux.ts';
import {
  ACCOUNT,
  bytes,
  classicJob,
  type Fakes,
  flowEnv,
  journalOf,
  JOB_SECRETS,
  readBack,
  readVolume,
  startFakes,
  STORAGE_KEY,
  SUB,
  withVolume,
} from './flowLab.ts';
import { makeStaging } from '../helpers/staging.ts';

const tmux = await hasTmux();
let f: Fakes;
let lab: LoopLab | undefined;
const sessions: TmuxSession[] = [];
// A private TMPDIR (passed to every child, under tmux too): the "nothing left mounted" checks
// then see only this file's dislocker mounts, not those of tests running beside it.
const PRIVATE_TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'diskprep-interactive-'));
process.env.TMPDIR = PRIVATE_TMP;
const BITLOCKER_WORK = path.join(PRIVATE_TMP, 'diskprep-bitlocker-');
// Removed only when nothing is mounted under it: a volume left mounted must stay visible.
afterAll(() => {
  if (mountsUnder(PRIVATE_TMP).length === 0)
    fs.rmSync(PRIVATE_TMP, { recursive: true, force: true });
});

beforeAll(async () => {
  f = await startFakes();
});
afterAll(async () => {
  await f?.stop();
});
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.kill();
  lab?.dispose();
  lab = undefined;
});

function expectNoSecrets(...texts: string[]): void {
  for (const t of texts)
    for (const s of [XTS_KEY, ACCOUNT, STORAGE_KEY, f.cert.keyPem.split('\n')[1]!])
      expect(t).not.toContain(s);
}

describe.skipIf(!canRun || !tmux)('diskprep s: in a real terminal (root, tmux)', () => {
  it('classic: job, disk, drive id, confirm, key, return details, review: the service gets the drive with the manifest hash on the drive, and the data reads back', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const data = {
      'seed/Backup/Disk0.AIBBlob': bytes(768 * 1024, 7),
      'seed/Backup/Disk0.BaseBlob': bytes(96 * 1024, 8),
      'seed/notes/read me.txt': 'staging notes\n',
      'other/x.txt': 'belongs to the other job',
    };
    const staging = makeStaging(
      [
        {
          name: 'seed01',
          service: 'classic',
          subscription: SUB,
          location: 'West US',
          data: 'seed',
        },
        { name: 'other01', service: 'offline', data: 'other' },
      ],
      data,
      { secrets: JOB_SECRETS },
    );
    const env = await flowEnv(f);
    const s = await startInteractive(
      [`s:${staging}`, `p:${f.publishSettings}`, '--all', '--ca-file', f.pki.caFile],
      { env },
    );
    sessions.push(s);
    await s.waitFor('holds 2 import jobs. Which one?');
    await s.type('seed01');
    // Every answer before the copy: FedEx, the first return carrier the service lists.
    await answerReturnDetails(s, { account: ACCOUNT });
    await s.waitFor('After the copy, enter the shipping details');
    await s.keys('Enter'); // no
    // Keep the question for the review after the copy.
    await s.waitFor(
      'After the copy, create import job seed01 on the classic service in West US without asking again?',
    );
    await s.type('n');
    // The one question, or the multi-select when other loop devices on this machine qualify.
    await pickDisks(s, [dev]);
    await s.waitFor('reports no serial number');
    await s.type('WD-E2E0100');
    await s.waitFor(`ERASE everything on`);
    await s.type('y');
    await s.waitFor('BitLocker recovery password of');
    await s.type(XTS_KEY);
    await s.waitFor('Review of job seed01', 120_000);
    await s.waitFor('Create import job seed01 on the classic service in West US with 1 drive now?');
    const review = await s.screen();
    expect(review).toMatch(/return carrier account:\s+•+ \(hidden\)/);
    expect(review).toMatch(/storage account:\s+backupacct, container backups/);
    await s.type('y');
    expect(await s.exitCode()).toBe(0);
    const screen = await s.screen();
    expect(mountsUnder(BITLOCKER_WORK)).toEqual([]);

    const job = classicJob(f, 'seed01') as {
      Properties: { StorageAccountKey: string; Location: string };
      DriveList: {
        DriveId: string;
        BitLockerKey: string;
        ManifestFile: string;
        ManifestHash: string;
      }[];
    };
    expect(job.Properties).toMatchObject({ StorageAccountKey: STORAGE_KEY, Location: 'West US' });
    const back = await readBack(dev, XTS_KEY, 'seed01');
    expect(job.DriveList).toEqual([
      {
        DriveId: 'WD-E2E0100',
        BitLockerKey: XTS_KEY,
        ManifestFile: '\\DriveManifest.xml',
        ManifestHash: back.manifestMd5,
        State: 'Specified',
      },
    ]);
    expect(f.classic.violations).toEqual([]);
    expect([...back.files.keys()].sort()).toEqual([
      'Backup/Disk0.AIBBlob',
      'Backup/Disk0.BaseBlob',
      'notes/read me.txt',
    ]);
    for (const [rel, d] of Object.entries(data).filter(([k]) => k.startsWith('seed/')))
      expect(back.files.get(rel.slice(5)), rel).toEqual(Buffer.from(d));

    expect(screen).toContain('Ship the drives to');
    expect(screen).toContain('3020 Coronado');
    expect(screen).toContain('Carriers the service takes: FedEx, DHL');
    expect(screen).toContain('drive 1 of 1: serial WD-E2E0100, job seed01');
    expect(screen).toContain('one package and one tracking number per job');
    // Warnings true to this run: the loop device was picked from the list (not named by path),
    // and the drive id was typed, so nothing says to pass --drive-id.
    expect(screen).toContain(
      `${dev}: not SATA (loop): accepted because it was picked from the list --all widens`,
    );
    expect(screen).not.toContain('named by path');
    expect(screen).not.toContain('pass --drive-id');
    expectNoSecrets(screen);
    const record = JSON.parse(
      fs.readFileSync(path.join(staging, '.diskprep', 'journal', 'seed01', 'job.json'), 'utf8'),
    ) as { drives: unknown };
    expect(record.drives).toEqual([{ driveId: 'WD-E2E0100', manifestHash: back.manifestMd5 }]);
  });

  it('Ctrl-C during the copy: exit 130, every mount released; the same command resumes without asking to erase, for the drive id or the key, and without formatting; verify passes', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const data: Record<string, Buffer> = {};
    const N = 600;
    // Small files: each is created, written and fsynced through ntfs-3g (FUSE), slow enough to
    // interrupt mid-way; a commit every 40 files so the interrupt comes after one.
    for (let i = 0; i < N; i++)
      data[`seed/d${i % 10}/part-${String(i).padStart(4, '0')}.bin`] = bytes(4096, 100 + i);
    const staging = makeStaging([{ name: 'big01', service: 'offline', data: 'seed' }], data, {
      secrets: JOB_SECRETS,
    });
    const env = { ...(await flowEnv(f)), DISKPREP_COMMIT_FILES: '40' };
    // The operator's command: no --drive-id (a loop device has no serial: asked), no
    // --already-formatted (a fresh NTFS: the erase is confirmed), no --yes.
    const args = [
      `s:${staging}`,
      '--drive',
      dev,
      '--already-encrypted',
      '--bitlocker-key',
      XTS_KEY,
    ];
    const s = await startInteractive(args, { env });
    sessions.push(s);
    await s.waitFor('reports no serial number');
    await s.type('WD-E2E0200');
    await s.waitFor('ERASE everything on');
    await s.type('y');
    const journal = () => journalOf(staging, 'big01');
    // Interrupt once a batch is committed and the copy is still going.
    const deadline = Date.now() + 120_000;
    while (journal().files === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    await s.keys('C-c');
    expect(await s.exitCode()).toBe(130);
    const screen = await s.screen();
    expect(screen).toMatch(/interrupted/);
    expect(dislockersOf(dev)).toEqual([]);
    const done = journal();
    expect(done.files).toBeGreaterThan(0);
    expect(done.files).toBeLessThan(N);
    expectNoSecrets(screen);

    const before = await readBack(dev, XTS_KEY, 'big01');
    expect(before.ntfsSerial).toBe(done.ntfsSerial);
    // The same command, in the same terminal: no question at all, exit 0.
    const again = await startInteractive(args, { env });
    sessions.push(again);
    expect(await again.exitCode(120_000)).toBe(0);
    const resumed = await again.screen();
    expect(resumed).not.toMatch(
      /ERASE|reports no serial number|drive id|recovery password of|does not hold/,
    );
    expect(resumed).toContain('resuming drive WD-E2E0200');
    expect(resumed).toContain(
      done.files === 1
        ? 'resumed: 1 file was already on the drives'
        : `resumed: ${done.files} files were already on the drives`,
    );
    expectNoSecrets(resumed);

    // Not formatted again, the files finished before Ctrl-C not written again, verify agrees.
    const { after, v } = await withVolume(dev, XTS_KEY, async (vol) => ({
      after: readVolume(vol, 'big01'),
      v: await runCli(['verify', '--target', vol.mountPath, `s:${staging}`, '--json']),
    }));
    expect(after.ntfsSerial).toBe(done.ntfsSerial);
    expect(after.files.size).toBe(N);
    const finished = [...before.mtimes.keys()].sort().slice(0, done.files);
    for (const rel of finished) expect(after.mtimes.get(rel), rel).toBe(before.mtimes.get(rel));
    for (const [rel, d] of Object.entries(data))
      expect(after.files.get(rel.slice(5)), rel).toEqual(d);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(dislockersOf(dev)).toEqual([]);
  });

  it('a full drive is released and the operator is asked for the next disk (same choose / confirm / key cycle)', async () => {
    lab = new LoopLab();
    const dev1 = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const dev2 = lab.attach(lab.unpackNtfs('bitlk-aes-cbc-elephant-128-ntfs'));
    const data: Record<string, Buffer> = {};
    // 40 MiB: more than the 32 MiB NTFS of one test volume.
    for (let i = 0; i < 10; i++) data[`seed/vol-${i}.bin`] = bytes(4 * 1024 * 1024, 300 + i);
    const staging = makeStaging([{ name: 'span01', service: 'offline', data: 'seed' }], data, {
      secrets: JOB_SECRETS,
    });
    const s = await startInteractive(
      [
        `s:${staging}`,
        '--all',
        '--drive',
        dev1,
        '--drive-id',
        'WD-SPAN0001',
        '--already-encrypted',
        '--already-formatted',
        '--bitlocker-key',
        XTS_KEY,
      ],
      { env: await flowEnv(f) },
    );
    sessions.push(s);
    await s.waitFor('? unlock and write to');
    await s.type('y');
    await s.waitFor('Drive WD-SPAN0001 is full and released', 120_000);
    // The first volume is unmounted before the next disk is asked for.
    expect(mountsUnder(BITLOCKER_WORK)).toEqual([]);
    await s.type(dev2);
    await s.waitFor('reports no serial number');
    await s.type('WD-SPAN0002');
    await s.waitFor('? unlock and write to');
    await s.type('y');
    await s.waitFor('BitLocker recovery password of');
    await s.type(ELEPHANT_KEY);
    expect(await s.exitCode(120_000)).toBe(0);
    const screen = await s.screen();
    expect(screen).toMatch(/drive 1 of 2: serial WD-SPAN0001/);
    expect(screen).toMatch(/drive 2 of 2: serial WD-SPAN0002/);
    expect(mountsUnder(BITLOCKER_WORK)).toEqual([]);
    const a = await readBack(dev1, XTS_KEY, 'span01');
    const b = await readBack(dev2, ELEPHANT_KEY, 'span01');
    expect(a.files.size + b.files.size).toBe(10);
    for (const [rel, d] of Object.entries(data)) {
      const k = rel.slice(5);
      expect(a.files.get(k) ?? b.files.get(k), rel).toEqual(d);
    }
    for (const x of [XTS_KEY, ELEPHANT_KEY]) expect(screen).not.toContain(x);
  });
});
