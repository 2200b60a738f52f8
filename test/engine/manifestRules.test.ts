import { describe, expect, it } from 'vitest';
import {
  blobViolations,
  elementOrderProblem,
  headViolations,
} from '../../src/engine/manifestRules.ts';
import type { ManifestEntry } from '../../src/engine/readManifest.ts';
import { childElementNames } from '../../src/engine/xml.ts';
import { containerSasToken } from './stagingFixture.ts';

const TOKEN = containerSasToken('seed');

function entry(over: Partial<ManifestEntry> = {}): ManifestEntry {
  return {
    blobPath: 'seed/a.txt',
    filePath: '\\s\\a.txt',
    length: 1,
    kind: 'block',
    ranges: [],
    disposition: 'overwrite',
    elements: ['BlobPath', 'FilePath', 'Length', 'ImportDisposition', 'BlockList'],
    ...over,
  };
}

describe('manifest rules', () => {
  it('lists child elements in document order, nested ones and comments left out', () => {
    expect(
      childElementNames(
        '<Blob><BlobPath>a</BlobPath><!-- <X/> --><Length>1</Length><BlockList><Block Offset="0"/></BlockList><MetadataPath Hash="1">m</MetadataPath></Blob>',
      ),
    ).toEqual(['BlobPath', 'Length', 'BlockList', 'MetadataPath']);
  });

  it('holds a blob to the format order: ImportDisposition after Length, before the list', () => {
    expect(
      elementOrderProblem([
        'BlobPath',
        'FilePath',
        'ClientData',
        'Length',
        'ImportDisposition',
        'PageRangeList',
        'MetadataPath',
        'PropertiesPath',
      ]),
    ).toBeUndefined();
    expect(
      elementOrderProblem(['BlobPath', 'FilePath', 'ImportDisposition', 'Length', 'BlockList']),
    ).toBe('Length after ImportDisposition');
    expect(
      elementOrderProblem(['BlobPath', 'FilePath', 'Length', 'BlockList', 'ImportDisposition']),
    ).toBe('ImportDisposition after PageRangeList/BlockList');
    expect(
      elementOrderProblem(['BlobPath', 'FilePath', 'Length', 'BlockList', 'PageRangeList']),
    ).toMatch(/repeated/);
    expect(elementOrderProblem(['BlobPath', 'Length'])).toBe('no FilePath');
    expect(elementOrderProblem(['BlobPath', 'FilePath', 'Length', 'Colour'])).toBe(
      'unknown element Colour',
    );
  });

  it('wants a disposition on every blob, a valid one, the one the journal recorded', () => {
    expect(blobViolations(entry(), { disposition: 'overwrite' })).toEqual([]);
    const noDisposition: ManifestEntry = entry();
    delete noDisposition.disposition;
    expect(
      blobViolations({ ...noDisposition, elements: ['BlobPath', 'FilePath', 'Length'] }, {}),
    ).toEqual([
      expect.objectContaining({ file: '\\s\\a.txt', actual: expect.stringMatching(/^none/) }),
    ]);
    expect(blobViolations(entry({ disposition: 'Overwrite' }), {})[0]!.actual).toBe('"Overwrite"');
    expect(
      blobViolations(entry({ disposition: 'rename' }), { disposition: 'overwrite' })[0],
    ).toEqual({
      file: '\\s\\a.txt',
      expected: "ImportDisposition overwrite (recorded in the job's journal)",
      actual: 'rename',
    });
  });

  it('wants root-container blobs without "/" and blobs in the job\'s and the SAS\'s container', () => {
    expect(blobViolations(entry({ blobPath: '$root/Disk0.AIBBlob' }), {})).toEqual([]);
    expect(
      blobViolations(entry({ blobPath: '$root/Backup/Disk0.AIBBlob' }), {})[0]!.expected,
    ).toMatch(/without "\/" in the root container/);
    expect(
      blobViolations(entry({ blobPath: 'other/a.txt' }), { container: 'seed' })[0]!.expected,
    ).toBe("BlobPath in the job's container seed");
    expect(blobViolations(entry({ blobPath: 'other/a.txt' }), {}, 'seed')[0]!.expected).toBe(
      "BlobPath in the SAS's container seed",
    );
    expect(blobViolations(entry({ blobPath: 'a.txt' }), {})[0]!.expected).toMatch(
      /<container>\/<blob name>/,
    );
  });

  it('wants one credential for classic, none for the ARM services, a SAS in the Put Job form', () => {
    const sas = (v: string): string =>
      `<Drive><DriveId>D</DriveId><ContainerSas>${v.replace(/&/g, '&amp;')}</ContainerSas>`;
    expect(headViolations(sas(`seed?${TOKEN}`), { service: 'classic', container: 'seed' })).toEqual(
      [],
    );
    const bare = headViolations(sas(TOKEN), { service: 'classic', container: 'seed' });
    expect(bare).toEqual([
      {
        file: '\\DriveManifest.xml',
        expected: 'ContainerSas "seed?<SAS token>"',
        actual: 'a bare SAS token, without "<container>?" in front',
      },
    ]);
    expect(JSON.stringify(bare)).not.toContain(new URLSearchParams(TOKEN).get('sig')!);
    expect(headViolations('<Drive><DriveId>D</DriveId>', { service: 'classic' })[0]!.actual).toBe(
      'none',
    );
    expect(
      headViolations('<StorageAccountKey>k</StorageAccountKey>', { service: 'databox' })[0],
    ).toEqual({
      file: '\\DriveManifest.xml',
      expected:
        "no StorageAccountKey or ContainerSas (a databox job's service is given the storage account by the job)",
      actual: 'StorageAccountKey',
    });
    expect(headViolations('<Drive><DriveId>D</DriveId>', { service: 'databox' })).toEqual([]);
    // Without a job, only the format: at most one credential, a SAS in its form.
    expect(headViolations('<Drive><DriveId>D</DriveId>', {})).toEqual([]);
    expect(
      headViolations('<StorageAccountKey>k</StorageAccountKey>' + sas(`seed?${TOKEN}`), {})[0]!
        .actual,
    ).toBe('StorageAccountKey, ContainerSas');
  });
});
