/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument -- JSON documents and fake records are free-form */
/**
 * `diskprep s:` as a script runs it (no TTY): every answer a flag, `--json`, onto a real
 * BitLocker volume (made by Windows) on a loop device, against the loopback Data Box ARM
 * (every request validated against the OpenAPI spec); a missing answer exits 3 naming the
 * flag; a system disk is refused; no secret in any output.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canRun, LoopLab, mountsUnder, XTS_KEY } from '../disk/loopImages.ts';
import { runCli } from '../helpers/cli.ts';
import {
  ACCOUNT,
  ARM_SUB,
  bytes,
  type Fakes,
  flowEnv,
  JOB_SECRETS,
  readBack,
  startFakes,
  STORAGE_KEY,
  TOKEN,
} from './flowLab.ts';
import { makeStaging } from '../helpers/staging.ts';
import { returnFlags } from '../helpers/returnFlags.ts';

let f: Fakes;
let lab: LoopLab;
beforeAll(async () => {
  f = await startFakes();
});
afterAll(async () => {
  await f?.stop();
});
afterEach(() => {
  lab?.dispose();
});

const RETURN_FLAGS = returnFlags('FedEx', ACCOUNT);

const DATA = {
  'seed/Backup/Disk0.AIBBlob': Buffer.concat([bytes(512 * 1024, 1), Buffer.alloc(256 * 1024)]),
  'seed/Backup/Disk0.BaseBlob': bytes(64 * 1024, 2),
  'seed/docs/read me.txt': 'hello from the staging location\n',
  'seed/docs/empty.txt': '',
};

function databoxStaging(name: string): string {
  return makeStaging(
    [
      {
        name,
        service: 'databox',
        storageAccount: 'armacct',
        container: 'backups',
        subscription: ARM_SUB,
        resourceGroup: 'rg-backup',
        location: 'westus',
        data: 'seed',
      },
    ],
    DATA,
    { secrets: JOB_SECRETS },
  );
}

function secretsIn(...texts: string[]): string[] {
  const found: string[] = [];
  for (const t of texts)
    for (const s of [XTS_KEY, ACCOUNT, STORAGE_KEY, TOKEN, f.cert.keyPem.split('\n')[1]!])
      if (t.includes(s)) found.push(s.slice(0, 6));
  return found;
}

describe.skipIf(!canRun)('diskprep s: scripted onto a loop-mounted BitLocker volume (root)', () => {
  it('databox: --drive --already-encrypted --already-formatted --bitlocker-key --yes --json creates the job with the manifest hash read back from the drive', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const staging = databoxStaging('photos01');
    const env = await flowEnv(f);
    const r = await runCli(
      [
        `s:${staging}`,
        '--drive',
        dev,
        '--drive-id',
        'WD-E2E0001',
        '--already-encrypted',
        '--already-formatted',
        '--bitlocker-key',
        XTS_KEY,
        '--arm-endpoint',
        f.arm.url,
        '--ca-file',
        f.pki.caFile,
        ...RETURN_FLAGS,
        '--yes',
        '--json',
      ],
      { env },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      job: 'photos01',
      service: 'databox',
      created: true,
      createdNow: true,
      drives: [{ driveId: 'WD-E2E0001', manifestFile: '\\DriveManifest.xml', files: 4 }],
      carriers: ['FedEx', 'DHL'],
      shipTo: { location: 'westus' },
    });
    expect(out.shipTo.lines.join('\n')).toContain('1 Datacenter Way');
    // A script is not left in silence while Azure creates the job: one line says what it waits for.
    expect(r.stderr).toContain(
      'creating import job photos01 on the databox service: waiting for Azure to accept it (this can take a minute)',
    );
    expect(mountsUnder('/tmp/diskprep-bitlocker-')).toEqual([]);

    // The service got the drive with the hash of the manifest on the drive.
    const back = await readBack(dev, XTS_KEY, out.sessionId);
    const job = f.arm.databoxJobs.get('photos01')!;
    expect(job.properties.details.importDiskDetailsCollection).toEqual({
      'WD-E2E0001': {
        manifestFile: '\\DriveManifest.xml',
        manifestHash: back.manifestMd5,
        bitLockerKey: XTS_KEY,
      },
    });
    expect(out.drives[0].manifestHash).toBe(back.manifestMd5);
    expect(f.arm.violations).toEqual([]);
    for (const [rel, data] of Object.entries(DATA))
      expect(back.files.get(rel.slice('seed/'.length)), rel).toEqual(Buffer.from(data));
    expect(secretsIn(r.stdout, r.stderr)).toEqual([]);

    // Again: nothing copied, nothing created twice.
    const creates = f.arm.requests.filter((q) => q.operationId === 'Jobs_Create').length;
    const again = await runCli(
      [`s:${staging}`, '--arm-endpoint', f.arm.url, '--ca-file', f.pki.caFile, '--yes', '--json'],
      { env },
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: true, createdNow: false });
    expect(f.arm.requests.filter((q) => q.operationId === 'Jobs_Create').length).toBe(creates);
    // This computer's list has the job.
    const list = JSON.parse(fs.readFileSync(path.join(env.DISKPREP_HOME!, 'jobs.json'), 'utf8'));
    expect(list.jobs).toMatchObject([{ name: 'photos01', service: 'databox', staging }]);
  });

  it('non-interactive without an answer exits 3 naming the flag; a system disk is refused', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const staging = databoxStaging('photos02');
    const env = await flowEnv(f);
    const base = [`s:${staging}`, '--arm-endpoint', f.arm.url, '--ca-file', f.pki.caFile];

    const noDrive = await runCli([...base, '--yes'], { env });
    expect(noDrive.exitCode).toBe(3);
    expect(noDrive.stderr).toMatch(/--drive/);

    const noKey = await runCli(
      [...base, '--drive', dev, '--drive-id', 'WD-E2E0002', '--already-encrypted', '--yes'],
      { env },
    );
    expect(noKey.exitCode).toBe(3);
    expect(noKey.stderr).toContain('--bitlocker-key');

    const noReturn = await runCli(
      [
        ...base,
        '--drive',
        dev,
        '--drive-id',
        'WD-E2E0002',
        '--already-encrypted',
        '--already-formatted',
        '--bitlocker-key',
        XTS_KEY,
        '--non-interactive',
      ],
      { env },
    );
    expect(noReturn.exitCode).toBe(3);
    // Every missing answer in one line, before the drive was opened.
    expect(noReturn.stderr).toContain(
      'missing --return-name, --return-phone, --return-email, --return-street, --return-city, --return-postal-code, --return-country, --return-carrier, --return-carrier-account, --yes:',
    );
    expect(mountsUnder('/tmp/diskprep-bitlocker-')).toEqual([]);

    const root = execFileSync('findmnt', ['-n', '-o', 'SOURCE', '/'], { encoding: 'utf8' }).trim();
    const sys = await runCli(
      [
        ...base,
        '--drive',
        root,
        '--already-encrypted',
        '--bitlocker-key',
        XTS_KEY,
        ...RETURN_FLAGS,
        '--yes',
      ],
      {
        env,
      },
    );
    expect(sys.exitCode).toBe(2);
    expect(sys.stderr).toMatch(/refusing .*system or boot disk/);
    expect(secretsIn(noDrive.stderr, noKey.stderr, noReturn.stderr, sys.stderr)).toEqual([]);
  });

  it('--dry-run walks the flow printing the disk-changing commands, changes no disk and makes no Azure write call', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const staging = databoxStaging('photos03');
    const writes = () =>
      f.arm.requests.filter((q) => ['PUT', 'PATCH', 'DELETE'].includes(q.method)).length;
    const before = writes();
    const r = await runCli(
      [
        `s:${staging}`,
        '--drive',
        dev,
        '--drive-id',
        'WD-E2E0003',
        '--already-encrypted',
        '--bitlocker-key',
        XTS_KEY,
        '--arm-endpoint',
        f.arm.url,
        '--ca-file',
        f.pki.caFile,
        '--dry-run',
        '--yes',
        '--json',
      ],
      { env: await flowEnv(f) },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dryRun: true,
      created: false,
      drives: [],
      files: 4,
    });
    expect(r.stderr).toMatch(/^! dislocker /m);
    expect(r.stderr).toMatch(/^! mkntfs /m);
    expect(r.stderr).toMatch(/^! ntfs-3g /m);
    expect(r.stderr).toContain('no Azure write call was made');
    expect(writes()).toBe(before);
    expect(f.arm.databoxJobs.has('photos03')).toBe(false);
    expect(mountsUnder('/tmp/diskprep-bitlocker-')).toEqual([]);
    expect(
      fs.existsSync(path.join(staging, '.diskprep', 'journal', 'photos03', 'copy-state.json')),
    ).toBe(false);
    expect(secretsIn(r.stdout, r.stderr)).toEqual([]);
  });
});
