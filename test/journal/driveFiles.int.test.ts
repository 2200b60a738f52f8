/** The journal's per-drive files on a real file system: blob lists and drive-info XML. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobsPath } from '../../src/journal/copyState.ts';
import { openBlobList, writeDriveInfo } from '../../src/journal/driveFiles.ts';
import { journalDir } from '../../src/journal/layout.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

let staging: string;
beforeEach(() => {
  staging = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-drivefiles-'));
});
afterEach(() => fs.rmSync(staging, { recursive: true, force: true }));

describe('openBlobList', () => {
  it('cuts the list back to the bytes copy-state records, then appends after them', async () => {
    fs.mkdirSync(journalDir(staging, 'job1'), { recursive: true });
    const file = blobsPath(staging, 'job1', 1);
    fs.writeFileSync(file, '<Blob>committed</Blob><Blob>never committed');
    const fh = await openBlobList(staging, 'job1', 1, '<Blob>committed</Blob>'.length);
    await fh.write('<Blob>next</Blob>');
    await fh.close();
    expect(path.basename(file)).toBe('drive-2.blobs.xml');
    expect(fs.readFileSync(file, 'utf8')).toBe('<Blob>committed</Blob><Blob>next</Blob>');
  });
});

describe('writeDriveInfo', () => {
  it('writes <DriveID>.xml in the journal folder, mode 0600 (it holds the BitLocker key)', async () => {
    const { deps } = fakeDeps();
    const dir = journalDir(staging, 'job1');
    const file = await writeDriveInfo(deps.fs, dir, 'WD-123', '<Drive>one</Drive>');
    expect(file).toBe(path.join(dir, 'WD-123.xml'));
    expect(fs.readFileSync(file, 'utf8')).toBe('<Drive>one</Drive>');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await writeDriveInfo(deps.fs, dir, 'WD-123', '<Drive>two</Drive>');
    expect(fs.readFileSync(file, 'utf8')).toBe('<Drive>two</Drive>');
  });

  it('with keepExisting, leaves a file the copy engine already wrote as it is', async () => {
    const { deps } = fakeDeps();
    const dir = journalDir(staging, 'job1');
    await writeDriveInfo(deps.fs, dir, 'WD-123', '<Drive>from the copy</Drive>');
    const file = await writeDriveInfo(deps.fs, dir, 'WD-123', '<Drive>rebuilt</Drive>', {
      keepExisting: true,
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('<Drive>from the copy</Drive>');
    await writeDriveInfo(deps.fs, dir, 'WD-456', '<Drive>missing one</Drive>', {
      keepExisting: true,
    });
    expect(fs.readFileSync(path.join(dir, 'WD-456.xml'), 'utf8')).toBe(
      '<Drive>missing one</Drive>',
    );
  });
});
