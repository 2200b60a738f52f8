/**
 * Every service call is waited for under a spinner; creating a job, the longest wait, also says
 * what it waits for on stderr when there is no terminal to draw a spinner on (a script).
 */
import { describe, expect, it } from 'vitest';
import { withWaitIndicators } from '../../src/importjob/waiting.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { stubService } from '../ship/stubService.ts';
import type { Spinner, Terminal } from '../../src/deps/types.ts';

/** A terminal that records the spinners started and stopped. */
function spinnerLog(base: Terminal, log: string[], tty: boolean): Terminal {
  return {
    ...base,
    isTTY: tty,
    spinner: (text: string): Spinner => {
      log.push(`start ${text}`);
      return { text: () => {}, succeed: () => {}, fail: () => {}, stop: () => log.push('stop') };
    },
  };
}

const request = {
  name: 'seed01',
  location: 'westus',
  storageAccount: 'backupacct',
  container: 'backups',
  drives: [
    {
      driveId: 'WD-1',
      bitLockerKey: '111111-222222-333333-444444-555555-666666-000011-000022',
      manifestFile: '\\DriveManifest.xml',
      manifestHash: '4492E3B626299FA16AD7409632025187',
    },
  ],
  returnAddress: {
    recipientName: 'Backup Ops',
    streetAddress1: '1 Main St',
    city: 'Redmond',
    postalCode: '98052',
    countryOrRegion: 'US',
    phone: '+1 425 555 0100',
    email: 'ops@example.org',
  },
  returnShipping: { carrierName: 'FedEx', carrierAccountNumber: '123456789' },
};

describe('withWaitIndicators', () => {
  it('turns a spinner naming each call while it runs, and stops it after', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const stub = stubService({ kind: 'databox' });
    const service = withWaitIndicators(spinnerLog(deps.terminal, log, true), stub.service);
    await service.getJob('seed01');
    await service.getShippingInfo('westus');
    expect(log).toEqual([
      'start asking the databox service about job seed01',
      'stop',
      'start asking the databox service for the datacenter address of westus',
      'stop',
    ]);
    expect(stub.calls.map((c) => c.op)).toEqual(['getJob', 'getShippingInfo']);
  });

  it('stops the spinner when the call fails', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const stub = stubService({ kind: 'databox', absent: true });
    const service = withWaitIndicators(spinnerLog(deps.terminal, log, true), stub.service);
    await expect(service.getJob('seed01')).rejects.toThrow(/not found/);
    expect(log.at(-1)).toBe('stop');
  });

  it('a scripted job creation (no terminal) prints one line saying what it waits for', async () => {
    const { deps, recorded } = fakeDeps();
    const stub = stubService({ kind: 'databox', absent: true });
    const service = withWaitIndicators(deps.terminal, stub.service);
    await service.createJob(request);
    expect(recorded.stderr).toEqual([
      'creating import job seed01 on the databox service: waiting for Azure to accept it (this can take a minute)',
    ]);
  });

  it('on a terminal the spinner says it instead (no extra line)', async () => {
    const { deps, recorded } = fakeDeps();
    const log: string[] = [];
    const stub = stubService({ kind: 'databox', absent: true });
    const service = withWaitIndicators(spinnerLog(deps.terminal, log, true), stub.service);
    await service.createJob(request);
    expect(recorded.stderr).toEqual([]);
    expect(log[0]).toBe(
      'start creating import job seed01 on the databox service: waiting for Azure to accept it',
    );
  });
});
