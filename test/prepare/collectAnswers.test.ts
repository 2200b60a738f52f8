/**
 * The classic manifest's credential asked before the copy (src/flows/prepare/collectAnswers.ts):
 * checked by the rules `init` applies to a given one, asked again when wrong, kept 0600.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAnswers } from '../../src/flows/prepare/collectAnswers.ts';
import { readJobSecrets } from '../../src/journal/jobs.ts';
import { containerSasToken, KEY1, STORAGE_KEY, writeJob } from '../engine/stagingFixture.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { stubService } from '../ship/stubService.ts';

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
