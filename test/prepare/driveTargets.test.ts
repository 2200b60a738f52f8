/**
 * The drive provider with stub disks: order of `--drive`, the previous volume released before
 * the next disk is asked for, a drive being resumed unlocked with the journal's key, drives
 * already complete skipped, and a non-interactive run that needs one more drive (exit 3 with
 * what remains).
 */
import { describe, expect, it } from 'vitest';
import type { DiskInfo, OpenDriveOptions, PreparedVolume } from '../../src/disk/types.ts';
import type { Deps } from '../../src/deps/types.ts';
import { DiskprepError } from '../../src/errors.ts';
import { type DiskSeams, driveTargets } from '../../src/prepare/driveTargets.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

const KEY_A = '111111-222222-333333-444444-555555-666666-000011-000022';
const KEY_B = '000011-000022-000033-000044-000055-000066-000077-000088';

function disk(path: string, serial: string | undefined): DiskInfo {
  return {
    path,
    serial,
    model: 'TestDisk',
    sizeBytes: 4e12,
    bus: 'SATA',
    media: 'HDD',
    removable: false,
    kind: 'disk',
    system: false,
    boot: false,
    mountpoints: [],
    bitlocker: 'encrypted',
    partitions: [],
  };
}

/** Stub disks that log every open and release. */
function stubDisks(disks: DiskInfo[], log: string[]): DiskSeams {
  return {
    listDisks: () => Promise.resolve(disks),
    openDrive: (_deps: Deps, o: OpenDriveOptions): Promise<PreparedVolume> => {
      log.push(
        `open ${o.spec} ${o.driveId} ${o.bitlockerKey === KEY_A ? 'A' : o.bitlockerKey === KEY_B ? 'B' : '?'}`,
      );
      return Promise.resolve({
        mountPath: `/mnt${o.spec}`,
        driveId: o.driveId!,
        bitlockerKey: o.bitlockerKey!,
        model: 'TestDisk',
        sizeBytes: 4e12,
        fileSystemBytes: 4e12,
        dryRun: false,
        release: () => {
          log.push(`release ${o.spec}`);
          return Promise.resolve();
        },
      });
    },
  };
}

const lists = {
  driveIds: [] as string[],
  alreadyEncrypted: true,
  alreadyFormatted: true,
  yes: true,
  allDisks: false,
};

describe('driveTargets', () => {
  it('takes --drive in order, releasing the full drive before opening the next; releaseAll releases the last', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb', 'SER-C'], bitlockerKeys: [KEY_A, KEY_B] },
      [],
      stubDisks([disk('/dev/sdb', 'SER-B'), disk('/dev/sdc', 'SER-C')], log),
    );
    expect(await t.next({ index: 0, remaining: { files: 3, bytes: 30 } })).toEqual({
      path: '/mnt/dev/sdb',
      driveId: 'SER-B',
      bitLockerKey: KEY_A,
    });
    await t.next({
      index: 1,
      previous: { driveId: 'SER-B', path: '/mnt/dev/sdb' },
      remaining: { files: 1, bytes: 10 },
    });
    await t.releaseAll();
    await t.releaseAll();
    expect(log).toEqual([
      'open /dev/sdb SER-B A',
      'release /dev/sdb',
      'open /dev/sdc SER-C B',
      'release /dev/sdc',
    ]);
  });

  it('resumes a drive with the key the journal recorded and skips drives already complete', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const recorded = [
      {
        driveId: 'SER-B',
        bitLockerKey: KEY_A,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: 'X',
        files: 1,
        bytes: 1,
        complete: true,
      },
      {
        driveId: 'SER-C',
        bitLockerKey: KEY_B,
        manifestFile: '\\DriveManifest.xml',
        manifestHash: undefined,
        files: 1,
        bytes: 1,
        complete: false,
      },
    ];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb', '/dev/sdc'], bitlockerKeys: [] },
      recorded,
      stubDisks([disk('/dev/sdb', 'SER-B'), disk('/dev/sdc', 'SER-C')], log),
    );
    const spec = await t.next({
      index: 1,
      resumeDriveId: 'SER-C',
      remaining: { files: 2, bytes: 2 },
    });
    expect(spec).toMatchObject({ driveId: 'SER-C', bitLockerKey: KEY_B });
    expect(log).toEqual(['open /dev/sdc SER-C B']);
  });

  it('non-interactive with no --drive left: exit 3 naming --drive with what remains, after releasing the full one', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], bitlockerKeys: [KEY_A] },
      [],
      stubDisks([disk('/dev/sdb', 'SER-B'), disk('/dev/sdc', 'SER-C')], log),
    );
    await t.next({ index: 0, remaining: { files: 5, bytes: 5 * 1024 * 1024 } });
    const err = await t
      .next({
        index: 1,
        previous: { driveId: 'SER-B', path: '/mnt/dev/sdb' },
        remaining: { files: 2, bytes: 2 * 1024 * 1024 },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskprepError);
    const e = err as DiskprepError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('drive 2 is needed: 2 files (2.0 MiB) remain to copy');
    expect(e.hint).toContain('--drive');
    expect(log).toEqual(['open /dev/sdb SER-B A', 'release /dev/sdb']);
  });

  it('asks which disk (flag --drive) when none is named, and asks its key (flag --bitlocker-key)', async () => {
    const sdc = disk('/dev/sdc', 'SER-C');
    const { deps, asked } = fakeDeps({
      answers: { '--drive': [sdc], '--yes': [true], '--bitlocker-key': [KEY_B] },
    });
    const log: string[] = [];
    const t = driveTargets(
      deps,
      { ...lists, yes: false, drives: [], bitlockerKeys: [] },
      [],
      stubDisks([disk('/dev/sdb', 'SER-B'), sdc], log),
    );
    await t.next({ index: 0, remaining: { files: 1, bytes: 1 } });
    expect(asked).toEqual(['--drive', '--yes', '--bitlocker-key']);
    expect(log).toEqual(['open /dev/sdc SER-C B']);
  });

  it('two --drive entries with one id are refused before either disk is opened', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const same = [disk('/dev/sdb', 'SER-B'), disk('/dev/sdc', 'SER-B')];
    for (const given of [
      { drives: ['/dev/sdb', '/dev/sdc'], driveIds: [] },
      { drives: ['/dev/sdb', '/dev/sdc'], driveIds: ['LABEL-1', 'label-1'] },
      { drives: ['/dev/sdb', 'SER-B'], driveIds: [] },
    ]) {
      const t = driveTargets(
        deps,
        { ...lists, ...given, bitlockerKeys: [KEY_A, KEY_B] },
        [],
        stubDisks(same, log),
      );
      const err: unknown = await t
        .next({ index: 0, remaining: { files: 1, bytes: 1 } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiskprepError);
      expect((err as DiskprepError).code).toMatch(/^ERR_DISKPREP_DUPLICATE_DRIVE/);
      expect((err as DiskprepError).exitCode).toBe(2);
    }
    expect(log).toEqual([]);
  });

  it('a placeholder serial is no drive id: non-interactive, exit 3 naming --drive-id; with --drive-id it opens', async () => {
    const bridge = [disk('/dev/sdb', '000000000000')];
    const log: string[] = [];
    const { deps } = fakeDeps();
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], bitlockerKeys: [KEY_A] },
      [],
      stubDisks(bridge, log),
    );
    const err = (await t
      .next({ index: 0, remaining: { files: 1, bytes: 1 } })
      .catch((e: unknown) => e)) as DiskprepError;
    expect([err.exitCode, err.hint]).toEqual([3, 'pass --drive-id']);
    expect(err.message).toContain('reports the placeholder serial 000000000000');
    const named = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], driveIds: ['WX41A0000001'], bitlockerKeys: [KEY_A] },
      [],
      stubDisks(bridge, log),
    );
    await named.next({ index: 0, remaining: { files: 1, bytes: 1 } });
    expect(log).toEqual(['open /dev/sdb WX41A0000001 A']);
  });

  it('refuses the disk holding the staging location, naming it, and passes the kept folders on', async () => {
    const staging = disk('/dev/sdb', 'SER-B');
    staging.mountpoints = ['/srv'];
    const { deps } = fakeDeps();
    const log: string[] = [];
    const keep = [{ what: 'the staging location', path: '/srv/staging' }];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], bitlockerKeys: [KEY_A], keep },
      [],
      stubDisks([staging], log),
    );
    const err = (await t
      .next({ index: 0, remaining: { files: 1, bytes: 1 } })
      .catch((e: unknown) => e)) as DiskprepError;
    expect(err.code).toBe('ERR_DISKPREP_DISK_REFUSED');
    expect(err.message).toContain('holds the staging location /srv/staging');
    expect(log).toEqual([]);
  });
});
