/**
 * The classic manifest's credential asked before the copy (src/flows/prepare/collectAnswers.ts):
 * checked by the rules `init` applies to a given one, asked again when wrong, kept 0600.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAnswers } from '../../src/flows/prepare/collectAnswers.ts';
import { readJobSecrets } from '../../src/journal/jobs.ts';
import { rememberAnswers } from '../../src/journal/answersRecord.ts';
import type { PrepareOptions } from '../../src/flows/prepare/options.ts';
import { RETURN_ADDRESS } from '../helpers/returnFlags.ts';
import { containerSasToken, KEY1, KEY2, STORAGE_KEY, writeJob } from '../engine/stagingFixture.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { stubService } from '../ship/stubService.ts';

/** Options of a run onto one `--target` folder (no flag answers a question). */
function options(staging: string, over: Partial<PrepareOptions> = {}): PrepareOptions {
  return {
    azure: {},
    staging,
    targets: [tempDir('collect-target')],
    drives: [],
    driveIds: ['WD-1'],
    bitlockerKeys: [KEY1],
    alreadyEncrypted: false,
    alreadyFormatted: false,
    offline: false,
    yes: false,
    ...over,
  };
}

describe('collectAnswers: answers remembered in the journal', () => {
  it("are offered as the defaults of the next run's questions (Enter takes them); the account is asked again", async () => {
    const dir = tempDir('collect-staging');
    const job = writeJob(dir, { name: 'seed01', service: 'importexport', location: 'West US' });
    const { deps } = fakeDeps();
    await rememberAnswers(deps, dir, 'seed01', {
      returnAddress: RETURN_ADDRESS,
      returnCarrier: 'DHL',
      shipNow: true,
      carrier: 'FedEx',
    });
    // Every question answered with Enter (undefined: the offered default), but the account.
    const enter = undefined;
    const f = fakeDeps({
      answers: {
        '--return-name': enter,
        '--return-phone': enter,
        '--return-email': enter,
        '--return-street': enter,
        '--return-city': enter,
        '--return-state': enter,
        '--return-postal-code': enter,
        '--return-country': enter,
        '--return-carrier': 'DHL',
        '--return-carrier-account': 'DHL-ACCT-1',
        '--ship-now': false,
        '--yes': true,
      },
      env: { DISKPREP_HOME: tempDir('collect-home') },
    });
    const answers = await collectAnswers(
      f.deps,
      {
        o: options(dir),
        job,
        service: stubService().service,
        secrets: {},
        freshCopy: true,
        created: false,
      },
      (location) => stubService().service.getShippingInfo(location),
    );
    expect(answers.returnDetails).toEqual({
      returnAddress: RETURN_ADDRESS,
      returnShipping: { carrierName: 'DHL', carrierAccountNumber: 'DHL-ACCT-1' },
    });
    expect(answers).toMatchObject({ shipNow: false, confirmed: true, location: 'West US' });
  });
});

describe('collectAnswers: a classic job recorded without a key or SAS', () => {
  it('a SAS that would not outlive the import is explained and asked again; the key typed next is kept (0600), never shown', async () => {
    const dir = tempDir('collect-staging');
    const job = writeJob(dir, { name: 'seed01', service: 'classic', container: 'backups' }, {});
    const short = containerSasToken('backups', {
      now: new Date('2026-11-21T10:00:00Z'),
      validDays: 20,
    });
    const f = fakeDeps({
      answers: { DISKPREP_CONTAINER_SAS: [`backups?${short}`, STORAGE_KEY] },
      env: { DISKPREP_HOME: tempDir('collect-home') },
    });
    const answers = await collectAnswers(
      f.deps,
      {
        o: {
          azure: {},
          staging: dir,
          targets: [tempDir('collect-target')],
          drives: [],
          driveIds: ['WD-1'],
          bitlockerKeys: [KEY1],
          alreadyEncrypted: false,
          alreadyFormatted: false,
          offline: false,
          yes: true,
          shipNow: false,
          location: 'West US',
        },
        job,
        // The job exists already: only the credential is asked.
        service: stubService({ kind: 'classic' }).service,
        secrets: {},
        freshCopy: true,
        created: true,
      },
      () => Promise.resolve(undefined),
    );
    expect(answers.secrets).toEqual({ storageAccountKey: STORAGE_KEY });
    expect(f.asked).toEqual(['DISKPREP_CONTAINER_SAS', 'DISKPREP_CONTAINER_SAS']);
    expect(f.recorded.stderr.join('\n')).toMatch(
      /that answer: the SAS expires at \S+, in 20 days: the datacenter uses it until the import completes \(make a SAS valid for at least 60 days .*\); try again \(2 tries left\)/,
    );
    expect(await readJobSecrets(f.deps, dir, 'seed01')).toEqual({ storageAccountKey: STORAGE_KEY });
    const file = path.join(dir, '.diskprep', 'journal', 'seed01', 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const said = f.recorded.stderr.join('\n');
    expect(said).not.toContain(new URLSearchParams(short).get('sig'));
  });
});

describe('collectAnswers: named --target folders without their drive ids or keys', () => {
  it('asks each drive id and recovery password first, before the return details; the answers go to the copy', async () => {
    const dir = tempDir('collect-staging');
    const job = writeJob(dir, { name: 'seed01', service: 'importexport', location: 'West US' });
    const f = fakeDeps({
      answers: {
        '--drive-id': ['WD-2'],
        '--bitlocker-key': [KEY1, KEY2],
        '--return-name': RETURN_ADDRESS.recipientName,
        '--return-phone': RETURN_ADDRESS.phone,
        '--return-email': RETURN_ADDRESS.email,
        '--return-street': RETURN_ADDRESS.streetAddress1,
        '--return-city': RETURN_ADDRESS.city,
        '--return-state': RETURN_ADDRESS.stateOrProvince,
        '--return-postal-code': RETURN_ADDRESS.postalCode,
        '--return-country': RETURN_ADDRESS.countryOrRegion,
        '--return-carrier': 'DHL',
        '--return-carrier-account': 'DHL-ACCT-1',
        '--ship-now': false,
        '--yes': false,
      },
      env: { DISKPREP_HOME: tempDir('collect-home') },
    });
    const o = options(dir, {
      targets: [tempDir('collect-target'), tempDir('collect-target')],
      driveIds: ['WD-1'],
      bitlockerKeys: [],
    });
    const input = { o, job, service: stubService().service, secrets: {}, created: false };
    const answers = await collectAnswers(f.deps, { ...input, freshCopy: true }, (location) =>
      stubService().service.getShippingInfo(location),
    );
    expect(f.asked.slice(0, 4)).toEqual([
      '--bitlocker-key',
      '--drive-id',
      '--bitlocker-key',
      '--return-name',
    ]);
    expect(answers.targetIdentities).toEqual({
      driveIds: ['WD-1', 'WD-2'],
      bitlockerKeys: [KEY1, KEY2],
    });
    // A resumed copy asks them when its drive is reached (the journal knows the drives).
    const resumed = fakeDeps({ answers: {}, env: { DISKPREP_HOME: tempDir('collect-home') } });
    const again = await collectAnswers(
      resumed.deps,
      { ...input, o: { ...o, yes: true, shipNow: false }, created: true, freshCopy: false },
      () => Promise.resolve(undefined),
    );
    expect(again.targetIdentities).toBeUndefined();
    expect(resumed.asked).toEqual([]);
  });
});
