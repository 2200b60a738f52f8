import { describe, expect, it } from 'vitest';
import { giveUpDrives, openDrives } from '../../src/engine/giveUp.ts';
import { confirmGiveUp } from '../../src/flows/prepare/giveUpStep.ts';
import type { CopyState, DriveRecord } from '../../src/journal/copyState.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

const KEY = '111111-222222-333333-444444-555555-666666-000011-000022';
const NOW = new Date('2026-11-30T12:00:00Z');

function drive(index: number, over: Partial<DriveRecord>): DriveRecord {
  return {
    index,
    driveId: `PX${index + 1}`,
    bitLockerKey: KEY,
    target: `/mnt/d${index + 1}`,
    blobsBytes: 0,
    files: 0,
    bytes: 0,
    complete: false,
    manifestFile: 'DriveManifest.xml',
    ...over,
  };
}

/** Drive 1 complete (a..c), drive 2 failed holding d..e of its plan d..h, i.. pending. */
function state(): CopyState {
  return {
    version: 1,
    job: 'photos',
    sessionId: 'photos',
    cursor: { relPath: 'e', files: 5, bytes: 500 },
    drives: [
      drive(0, {
        complete: true,
        files: 3,
        bytes: 300,
        ranges: [{ after: null, last: 'c' }],
        cursor: 'c',
      }),
      drive(1, {
        files: 2,
        bytes: 200,
        ranges: [{ after: 'c', last: 'e' }],
        cursor: 'e',
        failed: 'I/O error (EIO)',
      }),
    ],
    complete: false,
    pending: [{ after: 'e', last: null }],
  };
}

describe('giving up a drive', () => {
  it('hands its ranges back to the plan, takes its files off the job count and marks it', () => {
    const s = state();
    const gone = giveUpDrives(s, ['PX2'], NOW);
    expect(gone.map((d) => d.driveId)).toEqual(['PX2']);
    expect(s.pending).toEqual([
      { after: 'c', last: 'e' },
      { after: 'e', last: null },
    ]);
    expect(s.cursor).toEqual({ relPath: 'e', files: 3, bytes: 300 });
    expect(s.drives[1]).toMatchObject({ ranges: [], givenUp: NOW.toISOString(), files: 2 });
    expect(openDrives(s)).toEqual([]);
    // The same command again: nothing more happens.
    expect(giveUpDrives(s, ['PX2'], NOW)).toEqual([]);
    expect(s.cursor.files).toBe(3);
  });

  it('refuses a complete drive and an unknown one, naming the open drives', () => {
    expect(() => giveUpDrives(state(), ['PX1'], NOW)).toThrow(
      /^drive PX1 is complete \(3 files, manifest written\): only a drive that failed or was interrupted can be given up$/,
    );
    expect(() => giveUpDrives(state(), ['PX9'], NOW)).toThrow(
      'drive PX9 is not a drive of job "photos"; open drives of the job: PX2',
    );
  });

  it('at a terminal the drive id is typed back; anything else leaves the drive as it was', async () => {
    const ok = fakeDeps({ answers: { '--give-up-drive': ['PX2'] } });
    expect(await confirmGiveUp(ok.deps, 'photos', ['PX2'], state())).toEqual(['PX2']);
    const no = fakeDeps({ answers: { '--give-up-drive': ['px2'] } });
    await expect(confirmGiveUp(no.deps, 'photos', ['PX2'], state())).rejects.toMatchObject({
      code: 'ERR_DISKPREP_NOT_CONFIRMED',
      message: 'not confirmed: drive PX2 was left as it was',
    });
    // A script's flag is its confirmation; a job with no copy has nothing to give up.
    expect(await confirmGiveUp(fakeDeps().deps, 'photos', ['PX2'], state())).toEqual(['PX2']);
    await expect(confirmGiveUp(fakeDeps().deps, 'photos', ['PX2'], undefined)).rejects.toThrow(
      'job "photos" has no copy yet: there is no drive to give up',
    );
  });
});
