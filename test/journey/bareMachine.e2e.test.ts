/**
 * Issue 13's closing session: what an operator types on a bare copy computer (no sign-in, no
 * diskprep files, no keyring: the unencrypted token cache opted into) to a created Data Box
 * customer-disk job, as one shell session in a real 80-column terminal (tmux), the built binary
 * against the loopback Entra authority (device code approved as the operator would in a browser)
 * and the spec-validating fake ARM:
 *
 *   diskprep login --login device-code
 *   diskprep init s:<staging> --job photos --container photos       (discovery asks the rest)
 *   diskprep s:<staging> --target <folder>                          (every answer, copy, job)
 *   diskprep status                                                 (the job, from the service)
 *
 * No DISKPREP_ACCESS_TOKEN: every Azure call after `login` signs in from its cache. The only
 * things the operator would not type are where the loopback services are: `--arm-endpoint
 * $ARM` (a real run uses the public cloud's), AZURE_AUTHORITY_HOST, NODE_EXTRA_CA_CERTS and
 * DISKPREP_BLOB_ENDPOINT (the storage account's endpoint that preflight probes) in the shell's
 * environment. With DISKPREP_CAPTURE=<file> the whole session, as the operator saw it (temp
 * paths shortened), is written there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY1 } from '../engine/stagingFixture.ts';
import type { TestPki } from '../fakes/certs.ts';
import { FAKE_DIRECTORY, type FakeArm } from '../fakes/fakeArm.ts';
import { type FakeEntra, OPERATOR } from '../fakes/fakeEntra.ts';
import { answerReturnDetails } from '../helpers/answers.ts';
import { BIN } from '../helpers/cli.ts';
import { type SignInFakes, startSignInFakes } from '../helpers/fakeServices.ts';
import { RETURN_ADDRESS } from '../helpers/returnFlags.ts';
import { writeTree } from '../helpers/staging.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { hasTmux, type ShellSession, startShell } from '../helpers/tmux.ts';

const USER = OPERATOR;
const TENANT = USER.tenant;
const ACCOUNT = 'FEDEX-ACCT-55443322';
const DRIVE_ID = 'WD-WMATV7654321';
const SUB = FAKE_DIRECTORY.subscriptions[0]!;
const WIDTH = 80;

const tmux = await hasTmux();
let fakes: SignInFakes;
let pki: TestPki;
let entra: FakeEntra;
let arm: FakeArm;
/** The temp root: HOME, the staging location and the target live under it as on a real computer. */
let root: string;
let shell: ShellSession;

beforeAll(async () => {
  // A Data Box create polled at once: the test waits on nothing but the program.
  fakes = await startSignInFakes({ retryAfterSeconds: 0 });
  ({ pki, entra, arm } = fakes);
  // A short temp root: the paths on the screen stay close to an operator's (/srv/staging).
  root = tempDir('j');
  const bin = path.join(root, 'usr', 'bin');
  mkdirSync(bin, { recursive: true });
  // `diskprep` on PATH, as the installed package puts it there.
  writeFileSync(
    path.join(bin, 'diskprep'),
    `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`,
    { mode: 0o755 },
  );
  writeTree(path.join(root, 'srv', 'staging'), {
    'DCIM/IMG_0001.jpg': Buffer.alloc(96 * 1024, 1),
    'DCIM/IMG_0002.jpg': Buffer.alloc(160 * 1024, 2),
    'albums.txt': 'summer 2026\n',
  });
  // The --target folder stands in for the drive: a BitLocker volume the operator unlocked and
  // mounted (the loop-device drive is covered by the prepare e2e tests; here the seams between
  // sign-in, discovery and the questions are the subject).
  mkdirSync(path.join(root, 'mnt', 'drive'), { recursive: true });
  mkdirSync(path.join(root, 'home', 'op'), { recursive: true });
});

afterAll(async () => {
  await shell?.kill();
  await fakes?.stop();
});

/** The text the last `$ <command>` line of `screen` printed, up to the next prompt. */
function printedBy(screen: string, command: string): string {
  const at = screen.lastIndexOf(`$ ${command}\n`);
  expect(at, `"${command}" on the screen`).toBeGreaterThanOrEqual(0);
  const rest = screen.slice(at + command.length + 3);
  const end = rest.search(/^\$ /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** `text` with the continuation lines of diskprep's wrapping joined to their line. */
function unwrapped(text: string): string {
  return text.replace(/\n {2,}(?=\S)/g, ' ');
}

/** Writes the session to DISKPREP_CAPTURE, temp root shortened to nothing (/srv/staging...). */
function writeCapture(screen: string): void {
  const file = process.env.DISKPREP_CAPTURE;
  if (!file) return;
  // Inquirer breaks its own long lines at the width, inside a path too: a break may sit anywhere.
  const rootAnywhere = new RegExp(
    [...root].map((c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('\n?'),
    'g',
  );
  const text = screen
    // A break inside the root stays a break: the line was wrapped there on the screen.
    .replace(rootAnywhere, (m) => (m.includes('\n') ? '\n' : ''))
    .replaceAll(arm.url, '$ARM/')
    .replace(/ +\n/g, '\n')
    .replace(/\n\$ \n*$/, '\n');
  writeFileSync(
    file,
    `# diskprep from a bare machine to a created Data Box job, tmux at ${WIDTH} columns\n` +
      `# (test/journey/bareMachine.e2e.test.ts): the loopback Entra and ARM ($ARM);\n` +
      `# the temp root of HOME (/home/op), the staging location (/srv/staging) and the\n` +
      `# target (/mnt/drive, an unlocked BitLocker volume's stand-in) cut from paths.\n\n${text}`,
  );
}

describe.skipIf(!tmux)('from a bare machine to a created Data Box job', () => {
  it('login, init with discovery, s: with every answer first, status and jobs: one shell, 80 columns', async () => {
    const home = path.join(root, 'home', 'op');
    shell = await startShell(
      {
        HOME: home,
        PATH: `${path.join(root, 'usr', 'bin')}:/usr/bin:/bin`,
        DISKPREP_TOKEN_CACHE: 'unencrypted',
        AZURE_AUTHORITY_HOST: entra.url,
        NODE_EXTRA_CA_CERTS: pki.caFile,
        DISKPREP_BLOB_ENDPOINT: arm.url,
        ARM: arm.url,
      },
      { cwd: home, width: WIDTH },
    );
    const staging = path.join(root, 'srv', 'staging');
    const target = path.join(root, 'mnt', 'drive');
    const deviceCodeRequests = () => entra.requests.filter((r) => r.path.endsWith('/devicecode'));

    // 1. Sign in with a device code; the test approves it as the operator would in a browser.
    await shell.run('diskprep login --login device-code');
    const code = /enter the code ([0-9A-F]{9})/.exec(
      await shell.waitFor(/enter the code [0-9A-F]{9}/),
    )![1]!;
    entra.approve(code);
    expect(await shell.exitCode()).toBe(0);
    expect(
      unwrapped(printedBy(await shell.screen(), 'diskprep login --login device-code')),
    ).toContain(`signed in as ${USER.upn} (tenant ${TENANT}) with DeviceCodeCredential`);
    expect(deviceCodeRequests()).toHaveLength(1);

    // 2. Record the job: subscription, storage account and resource group picked from ARM.
    const init = `diskprep init s:${staging} --job photos --container photos --arm-endpoint $ARM`;
    await shell.run(init);
    await shell.waitFor('Subscription of the job');
    await shell.waitFor('Contoso Dev');
    await shell.keys('Enter'); // Contoso Backup
    await shell.waitFor('Storage account the data goes to');
    await shell.waitFor('contosobackup');
    await shell.keys('Down', 'Enter'); // contosobackup (StorageV2, westeurope)
    await shell.waitFor('Resource group of the job');
    await shell.waitFor('rg-network');
    await shell.keys('Enter'); // the account's own group, offered first
    expect(await shell.exitCode()).toBe(0);
    const initSaid = printedBy(await shell.screen(), init);
    expect(initSaid).toContain('location: westeurope (the region of contosobackup)');
    expect(initSaid).toContain('recorded job "photos" (databox) → contosobackup/photos');

    // 3. Prepare: every question first (the drive's id and key, the return details, the
    // decisions), then the copy, the review, the confirmation, the job, where to ship.
    const prepare = `diskprep s:${staging} --target ${target} --arm-endpoint $ARM`;
    await shell.run(prepare);
    await shell.waitFor('Drive id (hardware serial number, no spaces) of the drive mounted at');
    await shell.type(DRIVE_ID);
    await shell.waitFor(`BitLocker recovery password of drive ${DRIVE_ID}`);
    await shell.type(KEY1);
    await answerReturnDetails(shell, { account: ACCOUNT });
    await shell.waitFor('enter the shipping details');
    await shell.keys('Enter'); // No: the drives are shipped later, with u:
    await shell.waitFor('without asking again?');
    await shell.type('n'); // No: the review first, then the confirmation
    await shell.waitFor('Copy 3 files');
    expect(arm.created).toBe(0);
    await shell.keys('Enter');
    // Inquirer breaks its long question at the width: wait for the part on its first line.
    await shell.waitFor('Create import job photos on the databox service in westeurope with 1');
    await shell.type('y');
    expect(await shell.exitCode()).toBe(0);
    const prepared = printedBy(await shell.screen(), prepare);
    // Every question came before the copy, but the confirmation that creates the job.
    const copiedAt = prepared.indexOf(`✓ drive ${DRIVE_ID} complete: 3 files, 256 KiB`);
    const asked = [...prepared.matchAll(/^✔ (\S+ \S+)/gm)];
    expect(copiedAt).toBeGreaterThan(0);
    expect(asked.filter((q) => q.index < copiedAt).map((q) => q[1])).toEqual([
      'Drive id',
      'BitLocker recovery',
      'Return contact',
      'Return contact',
      'Return contact',
      'Return street',
      'Return city',
      'Return state',
      'Return postal',
      'Return country',
      'Carrier for',
      'Your FedEx',
      'After the',
      'After the',
      'Copy 3',
    ]);
    expect(asked.filter((q) => q.index > copiedAt).map((q) => q[1])).toEqual(['Create import']);
    expect(prepared).toContain('✓ created Data Box import job photos (AwaitingShipmentDetails)');
    expect(prepared).toMatch(
      /Ship the drives to \(westeurope\):\n {2}1 Datacenter Way\n {2}Quincy/,
    );
    expect(prepared).toContain(`drive 1 of 1: serial ${DRIVE_ID}, job photos`);
    const put = arm.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/jobs/photos'));
    expect(put).toHaveLength(1);
    expect(put[0]!.path).toBe(
      `/subscriptions/${SUB.id}/resourceGroups/rg-backup/providers/Microsoft.DataBox/jobs/photos`,
    );
    expect(put[0]!.body).toMatchObject({
      location: 'westeurope',
      sku: { name: 'DataBoxCustomerDisk' },
      properties: {
        transferType: 'ImportToAzure',
        details: {
          jobDetailsType: 'DataBoxCustomerDisk',
          contactDetails: {
            contactName: RETURN_ADDRESS.recipientName,
            phone: RETURN_ADDRESS.phone,
            emailList: [RETURN_ADDRESS.email],
          },
          shippingAddress: {
            streetAddress1: RETURN_ADDRESS.streetAddress1,
            city: RETURN_ADDRESS.city,
            stateOrProvince: RETURN_ADDRESS.stateOrProvince,
            postalCode: RETURN_ADDRESS.postalCode,
            country: RETURN_ADDRESS.countryOrRegion,
          },
          dataImportDetails: [
            {
              accountDetails: {
                dataAccountType: 'StorageAccount',
                storageAccountId: `/subscriptions/${SUB.id}/resourceGroups/rg-backup/providers/Microsoft.Storage/storageAccounts/contosobackup`,
              },
            },
          ],
          importDiskDetailsCollection: {
            [DRIVE_ID]: { manifestFile: '\\DriveManifest.xml', bitLockerKey: KEY1 },
          },
          returnToCustomerPackageDetails: { carrierName: 'FedEx', carrierAccountNumber: ACCOUNT },
        },
      },
    });

    // 4. The job as the service has it: status (from this computer's list), then jobs --json.
    await shell.run('diskprep status --arm-endpoint $ARM');
    expect(await shell.exitCode()).toBe(0);
    expect(printedBy(await shell.screen(), 'diskprep status --arm-endpoint $ARM')).toContain(
      `job photos (databox): AwaitingShipmentDetails\n  drive ${DRIVE_ID}: NotStarted`,
    );
    const jobs = `diskprep jobs --subscription ${SUB.id} --arm-endpoint $ARM --json`;
    await shell.run(jobs);
    expect(await shell.exitCode()).toBe(0);
    const screen = await shell.screen();
    expect(JSON.parse(printedBy(screen, jobs))).toEqual({
      jobs: [
        expect.objectContaining({
          name: 'photos',
          state: 'AwaitingShipmentDetails',
          location: 'westeurope',
          resourceGroup: 'rg-backup',
          drives: 1,
        }),
      ],
    });
    writeCapture(screen);

    // The sign-in of step 1 served every later command: no second device code, and every ARM
    // call carried the token it got.
    expect(deviceCodeRequests()).toHaveLength(1);
    const calls = arm.requests.filter((r) => r.operationId !== undefined);
    expect(calls.length).toBeGreaterThan(5);
    expect(new Set(calls.map((r) => r.authorization))).toEqual(new Set([`Bearer ${fakes.token}`]));
    expect(entra.deviceCodes.map((c) => c.userCode)).toEqual([code]);
    expect(entra.violations).toEqual([]);
    expect(arm.violations).toEqual([]);
    // No token, refresh token, device code (the polling secret), key or account on the screen.
    const secrets = [
      fakes.token,
      ...entra.refreshTokens,
      ...entra.deviceCodes.map((c) => c.deviceCode),
      KEY1,
      ACCOUNT,
    ];
    expect(entra.refreshTokens.length).toBeGreaterThanOrEqual(1);
    for (const secret of secrets) expect(screen).not.toContain(secret);
    // diskprep's own lines fit the 80 columns (the typed commands are the operator's).
    const wide = screen.split('\n').filter((l) => !l.startsWith('$ ') && [...l].length > WIDTH);
    expect(wide).toEqual([]);
  });
});
