/** The reviews (prepare's before the job is created, ship's before sending) fit 80 columns. */
import { describe, expect, it } from 'vitest';
import { resultLines, reviewLines, type PrepareResult } from '../../src/flows/prepare/report.ts';
import { reviewLines as shipReviewLines } from '../../src/flows/ship/review.ts';
import type { JobDescriptor } from '../../src/model/job.ts';
import { textWidth } from '../../src/format.ts';

const job = {
  version: 1,
  name: 'seed01',
  service: 'classic',
  storageAccount: 'backupacct',
  container: 'backups',
  prefix: 'servers/backup-pc-with-a-long-name/2026-11',
  createdAt: '2026-11-21T10:00:00Z',
} as JobDescriptor;
const drive = {
  driveId: 'WD-WMATV123456',
  manifestFile: '\\DriveManifest.xml',
  manifestHash: '4492E3B626299FA16AD7409632025187',
  files: 3,
  bytes: 9437192,
  complete: true,
  driveInfoFile:
    '/srv/staging/with/a/rather/deep/folder/.diskprep/journal/seed01/WD-WMATV123456.xml',
};

const fits = (lines: string[], width: number) => {
  for (const l of lines) expect(textWidth(l), l).toBeLessThanOrEqual(width);
};

describe('prepare review and result at 80 columns', () => {
  it('the review: each drive on two lines (id, files, bytes; manifest and MD5)', () => {
    const lines = reviewLines(
      job,
      'classic',
      'West US',
      [drive, { ...drive, driveId: 'WD-2' }],
      80,
    );
    fits(lines, 80);
    expect(lines).toContain('  drive 1:          WD-WMATV123456: 3 files, 9.0 MiB');
    expect(lines).toContain(
      '    manifest \\DriveManifest.xml, MD5 4492E3B626299FA16AD7409632025187',
    );
    expect(lines).toContain('  drive 2:          WD-2: 3 files, 9.0 MiB');
    expect(lines).toContain('  data:             6 files, 18.0 MiB on 2 drives');
  });

  it('the result: drive info path and note wrapped, nothing lost', () => {
    const r = {
      job: 'seed01',
      service: 'classic',
      files: 3,
      bytes: 9437192,
      sessionId: 'seed01',
      drives: [drive],
      note: 'import job seed01 created on the classic service; ship the drives, then enter the tracking number with diskprep u:',
      shipTo: { location: 'West US', lines: ['Microsoft Azure Import/Export Service'] },
      carriers: ['FedEx', 'DHL'],
    } as unknown as PrepareResult;
    const lines = resultLines(r, 80);
    fits(lines, 80);
    const text = lines.map((l) => l.trim()).join(' ');
    expect(text).toContain('manifest \\DriveManifest.xml, MD5 4492E3B626299FA16AD7409632025187');
    expect(lines.map((l) => l.trim()).join('')).toContain(drive.driveInfoFile);
    expect(text).toContain('enter the tracking number with diskprep u:');
    // A wide terminal keeps each on one line.
    expect(resultLines(r, 200)).toContain(`    drive info: ${drive.driveInfoFile}`);
  });
});

describe('ship review at 80 columns', () => {
  it('a long value goes on under itself, aligned with the values', () => {
    const lines = shipReviewLines(
      'seed01',
      'classic',
      {
        shipment: {
          carrierName: 'FedEx',
          trackingNumber: '781234567890',
          driveCount: 1,
          shipDate: '2026-11-21',
        },
        returnAddress: {
          recipientName: 'Backup Operations Team of the Northwest Region',
          phone: '+1 425 555 0100',
          email: 'backup-operations-northwest@example.org',
          streetAddress1: '1 Microsoft Way, Building 92, Loading Dock B',
          city: 'Redmond',
          stateOrProvince: 'WA',
          postalCode: '98052',
          countryOrRegion: 'US',
        },
        returnShipping: { carrierName: 'FedEx', carrierAccountNumber: '123456789' },
      },
      80,
    );
    fits(lines, 80);
    const i = lines.findIndex((l) => l.startsWith('  return contact:'));
    expect(lines[i]).toMatch(/^ {2}return contact: {12}Backup Operations Team/);
    expect(lines[i + 1]).toMatch(/^ {29}\S/);
    expect(lines.some((l) => l.includes('781234567890'))).toBe(true);
    expect(lines.join('\n')).not.toContain('123456789\n');
  });
});
