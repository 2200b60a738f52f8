/** What s: says about the job after the drives, per the job's state on the service. */
import { describe, expect, it } from 'vitest';
import { awaitsDrives, jobNote, nextCommands } from '../../src/flows/prepare/jobWords.ts';
import type { JobStatus } from '../../src/model/importJob.ts';

const how = nextCommands({ staging: '/srv/staging', publishSettings: '/keys/my.publishsettings' });

function job(
  service: JobStatus['service'],
  serviceState: string,
  state: JobStatus['state'],
): JobStatus {
  return { name: 'seed01', service, serviceState, state, drives: [] };
}

describe('jobNote', () => {
  it('a job waiting for its drives: ship them, then u:', () => {
    for (const j of [
      job('classic', 'Creating', 'creating'),
      job('databox', 'AwaitingShipmentDetails', 'creating'),
    ])
      expect(jobNote('seed01', j.service, false, j, how)).toBe(
        `import job seed01 exists on the ${j.service} service; ship the drives, then enter the tracking number with diskprep u:`,
      );
  });

  it('a job past shipping: where it is and what next, never "ship the drives"', () => {
    const cases: [JobStatus, RegExp][] = [
      [
        job('databox', 'ShippedToAzureDC', 'shipping'),
        /is ShippedToAzureDC: its shipping details were already entered.*next: waiting for the drives to arrive/,
      ],
      [
        job('classic', 'Transferring', 'transferring'),
        /is Transferring: the datacenter is copying the drives into the storage account; next: the datacenter is copying the drives: check again later$/,
      ],
      [
        job('importexport', 'Completed', 'completed'),
        /is Completed: the import finished without errors; next: done: check the imported data with diskprep verify-import s:\/srv\/staging/,
      ],
      [job('classic', 'Cancelled', 'cancelled'), /is Cancelled: the job was cancelled/],
    ];
    for (const [j, words] of cases) {
      const note = jobNote('seed01', j.service, false, j, how);
      expect(note).toMatch(words);
      expect(note).not.toContain('ship the drives');
    }
  });

  it('awaitsDrives: unknown state (offline, dry run) or waiting: yes; shipped: no', () => {
    expect(awaitsDrives({ service: 'offline', state: null })).toBe(true);
    expect(awaitsDrives({ service: 'classic', state: 'Creating' })).toBe(true);
    expect(awaitsDrives({ service: 'classic', state: 'Shipping' })).toBe(false);
    expect(awaitsDrives({ service: 'databox', state: 'ShippedToAzureDC' })).toBe(false);
  });

  it('the u: command carries s: and, when given, p:', () => {
    expect(how.shipCommand).toBe('diskprep u: s:/srv/staging p:/keys/my.publishsettings');
    expect(nextCommands({ staging: '/srv/staging' }).shipCommand).toBe(
      'diskprep u: s:/srv/staging',
    );
  });
});
