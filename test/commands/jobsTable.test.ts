import { describe, expect, it } from 'vitest';
import { jobsTable } from '../../src/commands/jobs/table.ts';
import type { JobSummary } from '../../src/model/importJob.ts';

const job = (name: string, over: Partial<JobSummary> = {}): JobSummary =>
  ({
    name,
    service: 'databox',
    serviceState: 'AwaitingShipmentDetails',
    location: 'westeurope',
    resourceGroup: 'rg-backup-offline-seeding',
    driveCount: 3,
    createdAt: '2026-11-30T20:54:04.698Z',
    ...over,
  }) as JobSummary;

describe('jobs table', () => {
  const list = [job('photos-2026-11-seed'), job('finance', { driveCount: undefined })];

  it('one row a job when it fits the terminal', () => {
    const lines = jobsTable(list, 200);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^NAME +STATE +LOCATION +DRIVES +CREATED \(UTC\) +RESOURCE GROUP$/);
    expect(lines[1]).toMatch(
      /^photos-2026-11-seed +AwaitingShipmentDetails +westeurope +3 +2026-11-30 20:54 +rg-backup-offline-seeding$/,
    );
    expect(lines[2]).toMatch(/^finance +AwaitingShipmentDetails +westeurope +- +2026-11-30 20:54/);
  });

  it('at 80 columns: created and resource group move under each row, every value kept', () => {
    expect(Math.max(...jobsTable(list, 200).map((l) => l.length))).toBeGreaterThan(80);
    const lines = jobsTable(list, 80);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines).toEqual([
      expect.stringMatching(/^NAME +STATE +LOCATION +DRIVES$/),
      expect.stringMatching(/^photos-2026-11-seed +AwaitingShipmentDetails +westeurope +3$/),
      '  created 2026-11-30 20:54 UTC, resource group rg-backup-offline-seeding',
      expect.stringMatching(/^finance +AwaitingShipmentDetails +westeurope +-$/),
      '  created 2026-11-30 20:54 UTC, resource group rg-backup-offline-seeding',
    ]);
  });
});
