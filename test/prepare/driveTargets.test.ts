/**
 * The drive provider with stub disks: order of `--drive`, the previous volume released before
 * the next disk is asked for, a drive being resumed unlocked with the journal's key, drives
 * already complete skipped, and a non-interactive run that needs one more drive (exit 3 with
 * what remains).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiskInfo, DriveIdentity, OpenDriveOptions } from '../../src/disk/types.ts';
import { writeCopyState } from '../../src/journal/copyState.ts';
import { DiskprepError } from '../../src/errors.ts';
import { type DriveJob, driveTargets } from '../../src/flows/prepare/driveTargets.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { stubDisk, stubDisks } from './stubDisks.ts';

const KEY_A = '111111-222222-333333-444444-555555-666666-000011-000022';
const KEY_B = '000011-000022-000033-000044-000055-000066-000077-000088';

const KEY_NAMES = { [KEY_A]: 'A', [KEY_B]: 'B' };

const tmp: string[] = [];
afterEach(() => {
  for (const d of tmp.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A staging location whose journals record `drives` per job (copy-state.json only). */
async function stagingWith(
  jobs: Record<string, { driveId: string; complete: boolean; disk?: DriveIdentity }[]>,
): Promise<DriveJob> {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'diskprep-dt-'));
  tmp.push(staging);
  const { deps } = fakeDeps();
  for (const [job, drives] of Object.entries(jobs)) {
    await writeCopyState(deps, staging, {
      version: 1,
      job,
      sessionId: job,
      cursor: { relPath: 'a', files: 3, bytes: 3 },
      complete: false,
      drives: drives.map((d, index) => ({
        index,
        driveId: d.driveId,
        bitLockerKey: d.driveId.endsWith('B') ? KEY_B : KEY_A,
        target: '/mnt',
        blobsBytes: 0,
        files: 3,
        bytes: 3,
        complete: d.complete,
        manifestFile: '\\DriveManifest.xml',
        ...(d.disk ? { disk: d.disk } : {}),
      })),
    });
  }
  return { staging, name: 'job1' };
}

const lists = {
  driveIds: [] as string[],
  alreadyEncrypted: true,
  alreadyFormatted: true,
  yes: true,
  allDisks: false,
};

/** Three SATA disks asked for with no --drive (the multi-select first), answered from `answers`. */
async function askedForThree(
  answers: (sdb: DiskInfo, sdc: DiskInfo, sdd: DiskInfo) => Record<string, unknown[]>,
) {
  const disks = [
    stubDisk('/dev/sdb', 'SER-B'),
    stubDisk('/dev/sdc', 'SER-C'),
    stubDisk('/dev/sdd', 'SER-D'),
  ] as const;
  const made = fakeDeps({ answers: answers(...disks) });
  const log: string[] = [];
  const t = driveTargets(
    made.deps,
    { ...lists, yes: false, drives: [], bitlockerKeys: [] },
    await stagingWith({}),
    [],
    stubDisks([...disks], log, { keyNames: KEY_NAMES }),
  );
  return { ...made, log, t };
}

describe('driveTargets', () => {
  it('takes --drive in order, releasing the full drive before opening the next; releaseAll releases the last', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb', 'SER-C'], bitlockerKeys: [KEY_A, KEY_B] },
      await stagingWith({}),
      [],
      stubDisks([stubDisk('/dev/sdb', 'SER-B'), stubDisk('/dev/sdc', 'SER-C')], log, {
        keyNames: KEY_NAMES,
      }),
    );
    expect(await t.next({ index: 0, remaining: { files: 3, bytes: 30 } })).toEqual({
      path: '/mnt/dev/sdb',
      driveId: 'SER-B',
      bitLockerKey: KEY_A,
      identity: { serial: 'ID/dev/sdb', ntfsSerial: 'ABCDEF0123456789' },
    });
    await t.next({
      index: 1,
      previous: { driveId: 'SER-B', path: '/mnt/dev/sdb', ended: 'full' },
      remaining: { files: 1, bytes: 10 },
    });
    await t.releaseAll();
    await t.releaseAll();
    expect(log).toEqual([
      'claim /dev/sdb',
      'open /dev/sdb SER-B A',
      'release /dev/sdb',
      'unclaim /dev/sdb',
      'claim /dev/sdc',
      'open /dev/sdc SER-C B',
      'release /dev/sdc',
      'unclaim /dev/sdc',
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
      await stagingWith({
        job1: [
          { driveId: 'SER-B', complete: true },
          { driveId: 'SER-C', complete: false },
        ],
      }),
      recorded,
      stubDisks([stubDisk('/dev/sdb', 'SER-B'), stubDisk('/dev/sdc', 'SER-C')], log, {
        keyNames: KEY_NAMES,
      }),
    );
    const spec = await t.next({
      index: 1,
      resumeDriveId: 'SER-C',
      remaining: { files: 2, bytes: 2 },
    });
    expect(spec).toMatchObject({ driveId: 'SER-C', bitLockerKey: KEY_B });
    expect(log).toEqual(['claim /dev/sdc', 'open /dev/sdc SER-C B']);
  });

  it('non-interactive with no --drive left: exit 3 naming --drive with what remains, after releasing the full one', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], bitlockerKeys: [KEY_A] },
      await stagingWith({}),
      [],
      stubDisks([stubDisk('/dev/sdb', 'SER-B'), stubDisk('/dev/sdc', 'SER-C')], log, {
        keyNames: KEY_NAMES,
      }),
    );
    await t.next({ index: 0, remaining: { files: 5, bytes: 5 * 1024 * 1024 } });
    const err = await t
      .next({
        index: 1,
        previous: { driveId: 'SER-B', path: '/mnt/dev/sdb', ended: 'full' },
        remaining: { files: 2, bytes: 2 * 1024 * 1024 },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskprepError);
    const e = err as DiskprepError;
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('drive 2 is needed: 2 files (2.0 MiB) remain to copy');
    expect(e.hint).toContain('--drive');
    expect(log).toEqual([
      'claim /dev/sdb',
      'open /dev/sdb SER-B A',
      'release /dev/sdb',
      'unclaim /dev/sdb',
    ]);
  });

  it('asks which disk (flag --drive) when none is named, and asks its key (flag --bitlocker-key)', async () => {
    const sdc = stubDisk('/dev/sdc', 'SER-C');
    // Two disks attached: the first question picks the disks to fill together (here one).
    const { deps, asked } = fakeDeps({
      answers: { '--drive': [[sdc]], '--yes': [true], '--bitlocker-key': [KEY_B] },
    });
    const log: string[] = [];
    const t = driveTargets(
      deps,
      { ...lists, yes: false, drives: [], bitlockerKeys: [] },
      await stagingWith({}),
      [],
      stubDisks([stubDisk('/dev/sdb', 'SER-B'), sdc], log, { keyNames: KEY_NAMES }),
    );
    await t.next({ index: 0, remaining: { files: 1, bytes: 1 } });
    expect(asked).toEqual(['--drive', '--yes', '--bitlocker-key']);
    expect(log).toEqual(['claim /dev/sdc', 'open /dev/sdc SER-C B']);
  });

  it('a recovery password that does not unlock the drive is explained and asked again; the drive opens with the next one', async () => {
    const sdc = stubDisk('/dev/sdc', 'SER-C');
    const { deps, asked, recorded } = fakeDeps({
      answers: { '--yes': [true], '--bitlocker-key': [KEY_A, KEY_B] },
    });
    const log: string[] = [];
    const seams = stubDisks([sdc], log, { keyNames: KEY_NAMES });
    const open = seams.openDrive.bind(seams);
    seams.openDrive = (d, o) =>
      o.bitlockerKey === KEY_A
        ? Promise.reject(
            new DiskprepError(
              'the BitLocker recovery password given for /dev/sdc does not unlock it',
              2,
              {
                code: 'ERR_DISKPREP_WRONG_KEY',
              },
            ),
          )
        : open(d, o);
    const t = driveTargets(
      deps,
      { ...lists, yes: false, drives: ['/dev/sdc'], bitlockerKeys: [] },
      await stagingWith({}),
      [],
      seams,
    );
    await t.next({ index: 0, remaining: { files: 1, bytes: 1 } });
    expect(asked).toEqual(['--yes', '--bitlocker-key', '--bitlocker-key']);
    expect(log).toEqual(['claim /dev/sdc', 'open /dev/sdc SER-C B']);
    expect(recorded.stderr.join('\n')).toContain('does not unlock it; try again (2 left)');
  });

  it('no --drive: the first drives are picked together (one multi-select), each confirmed and keyed before any is opened; then none until a drive completes, when one disk is asked for', async () => {
    const { asked, log, t } = await askedForThree((sdb, sdc, sdd) => ({
      '--drive': [[sdb, sdc], sdd],
      '--yes': [true, true, true],
      '--bitlocker-key': [KEY_A, KEY_B, KEY_A],
    }));
    const remaining = { files: 9, bytes: 9 };
    expect((await t.next({ index: 0, remaining }))?.driveId).toBe('SER-B');
    // Every question about both disks came before the first was opened.
    expect(asked).toEqual(['--drive', '--yes', '--bitlocker-key', '--yes', '--bitlocker-key']);
    expect(log).toEqual(['claim /dev/sdb', 'open /dev/sdb SER-B A']);
    expect((await t.next({ index: 1, remaining }))?.driveId).toBe('SER-C');
    // Only two were picked: the third first request gets none, without a question.
    expect(await t.next({ index: 2, remaining })).toBeUndefined();
    expect(asked).toEqual(['--drive', '--yes', '--bitlocker-key', '--yes', '--bitlocker-key']);
    // Drive SER-B completes: it is released, and one disk is asked for.
    const next = await t.next({
      index: 2,
      previous: { driveId: 'SER-B', path: '/mnt/dev/sdb', ended: 'full' },
      remaining,
    });
    expect(next?.driveId).toBe('SER-D');
    expect(asked.slice(5)).toEqual(['--drive', '--yes', '--bitlocker-key']);
    expect(log).toEqual([
      'claim /dev/sdb',
      'open /dev/sdb SER-B A',
      'claim /dev/sdc',
      'open /dev/sdc SER-C B',
      'release /dev/sdb',
      'unclaim /dev/sdb',
      'claim /dev/sdd',
      'open /dev/sdd SER-D A',
    ]);
  });

  it('a ticked disk the operator then declines is left as it was and the others go on; declining the only one stops', async () => {
    const { asked, log, recorded, t } = await askedForThree((sdb, sdc, sdd) => ({
      '--drive': [[sdb, sdc, sdd]],
      '--yes': [true, false, true],
      '--bitlocker-key': [KEY_A, KEY_B],
    }));
    const remaining = { files: 9, bytes: 9 };
    expect((await t.next({ index: 0, remaining }))?.driveId).toBe('SER-B');
    // Drive 2 is the next disk confirmed.
    expect((await t.next({ index: 1, remaining }))?.driveId).toBe('SER-D');
    expect(await t.next({ index: 2, remaining })).toBeUndefined();
    expect(asked).toEqual([
      '--drive',
      '--yes',
      '--bitlocker-key',
      '--yes',
      '--yes',
      '--bitlocker-key',
    ]);
    // Declined before anything touched it: never even claimed.
    expect(log).toEqual([
      'claim /dev/sdb',
      'open /dev/sdb SER-B A',
      'claim /dev/sdd',
      'open /dev/sdd SER-D B',
    ]);
    expect(recorded.stderr.join('\n')).toContain(
      'not confirmed: /dev/sdc was left as it was; going on with the other disks ticked',
    );

    const one = await askedForThree((_sdb, sdc) => ({ '--drive': [[sdc]], '--yes': [false] }));
    const err = await one.t.next({ index: 0, remaining }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_NOT_CONFIRMED', exitCode: 1 });
  });

  describe('a drive the journal records as partly filled', () => {
    const LOOP: DriveIdentity = {
      model: 'loop',
      sizeBytes: 100,
      bitlockerGuid: '8f595209-f5b9-49a0-85d4-cb8f80258c27',
    };
    const recordedC = {
      driveId: 'WD-C',
      bitLockerKey: KEY_B,
      manifestFile: '\\DriveManifest.xml',
      manifestHash: undefined,
      files: 3,
      bytes: 3,
      complete: false,
    };

    it('is unlocked and filled on without --already-formatted: never formatted, no question asked, id and key from the journal', async () => {
      // An interactive prompt with no answers: any question fails the test.
      const { deps, asked } = fakeDeps({ answers: {} });
      const log: string[] = [];
      const opened: OpenDriveOptions[] = [];
      const job = await stagingWith({
        job1: [{ driveId: 'WD-C', complete: false, disk: { ...LOOP, ntfsSerial: '11' } }],
      });
      const t = driveTargets(
        deps,
        {
          ...lists,
          alreadyFormatted: false,
          yes: false,
          drives: ['/dev/loop5'],
          bitlockerKeys: [],
        },
        job,
        [recordedC],
        stubDisks([{ ...stubDisk('/dev/loop5', undefined), kind: 'loop', bus: 'loop' }], log, {
          keyNames: KEY_NAMES,
          ids: { '/dev/loop5': LOOP },
          opened,
        }),
      );
      const spec = await t.next({
        index: 0,
        resumeDriveId: 'WD-C',
        resumeIdentity: { ...LOOP, ntfsSerial: '11' },
        remaining: { files: 2, bytes: 2 },
      });
      expect(asked).toEqual([]);
      expect(spec).toMatchObject({ driveId: 'WD-C', bitLockerKey: KEY_B });
      expect(opened[0]).toMatchObject({
        alreadyEncrypted: true,
        alreadyFormatted: true,
        driveId: 'WD-C',
        expect: { ...LOOP, ntfsSerial: '11' },
        protectedDrives: [],
      });
      expect(log).toEqual(['claim /dev/loop5', 'open /dev/loop5 WD-C B']);
    });

    it('found by its recorded serial when the drive id was typed for a USB bridge, skipping the complete drive named first', async () => {
      const { deps } = fakeDeps();
      const log: string[] = [];
      const t = driveTargets(
        deps,
        { ...lists, drives: ['/dev/sdb', '/dev/sdc'], bitlockerKeys: [] },
        await stagingWith({
          job1: [
            { driveId: 'SER-B', complete: true, disk: { serial: 'SER-B' } },
            { driveId: 'LABEL-C', complete: false, disk: { serial: 'BRIDGE-C' } },
          ],
        }),
        [{ ...recordedC, driveId: 'LABEL-C' }],
        stubDisks([stubDisk('/dev/sdb', 'SER-B'), stubDisk('/dev/sdc', 'BRIDGE-C')], log, {
          keyNames: KEY_NAMES,
          ids: { '/dev/sdb': { serial: 'SER-B' }, '/dev/sdc': { serial: 'BRIDGE-C' } },
        }),
      );
      const spec = await t.next({
        index: 1,
        resumeDriveId: 'LABEL-C',
        resumeIdentity: { serial: 'BRIDGE-C' },
        remaining: { files: 1, bytes: 1 },
      });
      expect(spec).toMatchObject({ driveId: 'LABEL-C', bitLockerKey: KEY_B });
      expect(log).toEqual(['claim /dev/sdc', 'open /dev/sdc LABEL-C B']);
    });

    it('with no --drive, the same command finds it among the attached disks by what was recorded: no question; two disks that could be it: asked which', async () => {
      const ELEPHANT: DriveIdentity = { model: 'loop', sizeBytes: 100, bitlockerGuid: 'd166' };
      const loop = (p: string) => ({ ...stubDisk(p, undefined), kind: 'loop' as const });
      const disks = [loop('/dev/loop3'), loop('/dev/loop4'), loop('/dev/loop7')];
      const job = await stagingWith({
        job1: [
          { driveId: 'WD-C', complete: false, disk: LOOP },
          { driveId: 'WD-B', complete: false, disk: ELEPHANT },
        ],
      });
      const recordedB = { ...recordedC, driveId: 'WD-B', bitLockerKey: KEY_A };
      const ids = {
        '/dev/loop3': { ...ELEPHANT, bitlockerGuid: 'D166' },
        '/dev/loop4': LOOP,
        // Another copy of the first image: the same BitLocker volume, another size.
        '/dev/loop7': { ...LOOP, sizeBytes: 200 },
      };
      const { deps, asked } = fakeDeps({ answers: {} });
      const log: string[] = [];
      const t = driveTargets(
        deps,
        { ...lists, allDisks: true, drives: [], bitlockerKeys: [] },
        job,
        [recordedC, recordedB],
        stubDisks(disks, log, { keyNames: KEY_NAMES, ids }),
      );
      const remaining = { files: 2, bytes: 2 };
      const c = await t.next({ index: 0, resumeDriveId: 'WD-C', resumeIdentity: LOOP, remaining });
      const b = await t.next({
        index: 1,
        resumeDriveId: 'WD-B',
        resumeIdentity: ELEPHANT,
        remaining,
      });
      expect(asked).toEqual([]);
      expect([c?.driveId, b?.driveId]).toEqual(['WD-C', 'WD-B']);
      expect(log).toEqual([
        'claim /dev/loop4',
        'open /dev/loop4 WD-C B',
        'claim /dev/loop3',
        'open /dev/loop3 WD-B A',
      ]);

      // Two disks carry drive WD-C's BitLocker volume and nothing tells them apart: asked.
      const two = fakeDeps({ answers: { '--drive': [disks[1]] } });
      const again = driveTargets(
        two.deps,
        { ...lists, allDisks: true, drives: [], bitlockerKeys: [] },
        job,
        [recordedC],
        stubDisks(disks, [], { keyNames: KEY_NAMES, ids: { ...ids, '/dev/loop7': LOOP } }),
      );
      await again.next({ index: 0, resumeDriveId: 'WD-C', resumeIdentity: LOOP, remaining });
      expect(two.asked).toEqual(['--drive']);
      // The model tells them apart (a loop device's names its backing file): not asked.
      const copy = { ...LOOP, model: 'loop: /elsewhere/copy.img' };
      const three = fakeDeps({ answers: {} });
      const log3: string[] = [];
      await driveTargets(
        three.deps,
        { ...lists, allDisks: true, drives: [], bitlockerKeys: [] },
        job,
        [recordedC],
        stubDisks(disks, log3, { keyNames: KEY_NAMES, ids: { ...ids, '/dev/loop7': copy } }),
      ).next({ index: 0, resumeDriveId: 'WD-C', resumeIdentity: LOOP, remaining });
      expect(three.asked).toEqual([]);
      expect(log3).toEqual(['claim /dev/loop4', 'open /dev/loop4 WD-C B']);
    });

    it('another disk given for it is refused naming the drive expected, before anything opens it', async () => {
      const { deps } = fakeDeps();
      const log: string[] = [];
      const t = driveTargets(
        deps,
        { ...lists, drives: ['/dev/sdz'], driveIds: ['WD-C'], bitlockerKeys: [KEY_B] },
        await stagingWith({ job1: [{ driveId: 'WD-C', complete: false, disk: LOOP }] }),
        [recordedC],
        stubDisks([stubDisk('/dev/sdz', undefined)], log, {
          keyNames: KEY_NAMES,
          ids: { '/dev/sdz': { bitlockerGuid: '00000000-0000-0000-0000-000000000001' } },
        }),
      );
      const err = (await t
        .next({
          index: 0,
          resumeDriveId: 'WD-C',
          resumeIdentity: LOOP,
          remaining: { files: 1, bytes: 1 },
        })
        .catch((e: unknown) => e)) as DiskprepError;
      expect(err.exitCode).toBe(2);
      expect(err.message).toBe(
        '/dev/sdz is not drive WD-C, whose copy is being resumed (BitLocker volume 00000000-0000-0000-0000-000000000001 here, 8f595209-f5b9-49a0-85d4-cb8f80258c27 recorded)',
      );
      expect(err.hint).toContain('attach drive WD-C (BitLocker volume 8f595209');
      expect(log).toEqual(['claim /dev/sdz', 'unclaim /dev/sdz']);
    });
  });

  describe("another job's partly filled drive", () => {
    const THEIRS: DriveIdentity = { bitlockerGuid: 'aaaa', ntfsSerial: '22' };
    const other = () =>
      stagingWith({ other1: [{ driveId: 'WD-OTHER', complete: false, disk: THEIRS }] });
    const sdb = [stubDisk('/dev/sdb', undefined)];

    it('is refused, naming the job and --discard-partial-drive', async () => {
      const { deps } = fakeDeps();
      const log: string[] = [];
      const t = driveTargets(
        deps,
        {
          ...lists,
          alreadyFormatted: false,
          drives: ['/dev/sdb'],
          driveIds: ['WD-NEW'],
          bitlockerKeys: [KEY_A],
        },
        await other(),
        [],
        stubDisks(sdb, log, {
          keyNames: KEY_NAMES,
          ids: { '/dev/sdb': { bitlockerGuid: 'AAAA' } },
        }),
      );
      const err = (await t
        .next({ index: 0, remaining: { files: 1, bytes: 1 } })
        .catch((e: unknown) => e)) as DiskprepError;
      expect(err.exitCode).toBe(2);
      expect(err.message).toBe(
        'refusing /dev/sdb: it is drive WD-OTHER, drive 1 of job "other1", partly filled (3 files)',
      );
      expect(err.hint).toContain('--discard-partial-drive WD-OTHER');
      expect(log).toEqual(['claim /dev/sdb', 'unclaim /dev/sdb']);
    });

    it('with --discard-partial-drive: a script goes on (warned); interactively the drive id must be typed', async () => {
      const job = await other();
      const run = async (answers: Record<string, unknown> | undefined) => {
        const made = fakeDeps(answers ? { answers } : {});
        const log: string[] = [];
        const opened: OpenDriveOptions[] = [];
        const t = driveTargets(
          made.deps,
          {
            ...lists,
            drives: ['/dev/sdb'],
            driveIds: ['WD-NEW'],
            bitlockerKeys: [KEY_A],
            discardPartialDrives: ['WD-OTHER'],
          },
          job,
          [],
          stubDisks(sdb, log, { keyNames: KEY_NAMES, ids: { '/dev/sdb': THEIRS }, opened }),
        );
        const r = await t
          .next({ index: 0, remaining: { files: 1, bytes: 1 } })
          .catch((e: unknown) => e);
        return { r, log, opened, ...made };
      };
      const script = await run(undefined);
      expect(script.r).toMatchObject({ driveId: 'WD-NEW' });
      expect(script.opened[0]!.protectedDrives).toEqual([]);
      expect(script.recorded.stderr.join('\n')).toContain(
        'discarding drive WD-OTHER of job "other1"',
      );

      const typo = await run({ '--discard-partial-drive': ['WD-OTHR'], '--yes': [true] });
      expect((typo.r as DiskprepError).exitCode).toBe(1);
      expect((typo.r as DiskprepError).message).toBe(
        'not confirmed: drive WD-OTHER of job "other1" was left as it was',
      );
      expect(typo.opened).toEqual([]);
      expect(typo.log).toEqual(['claim /dev/sdb', 'unclaim /dev/sdb']);

      const typed = await run({ '--discard-partial-drive': ['WD-OTHER'], '--yes': [true] });
      expect(typed.asked).toEqual(['--discard-partial-drive']);
      expect(typed.r).toMatchObject({ driveId: 'WD-NEW' });
    });

    it("this job's own complete drive is refused as a new drive, by identity", async () => {
      const { deps } = fakeDeps();
      const t = driveTargets(
        deps,
        { ...lists, drives: ['/dev/sdb'], driveIds: ['WD-AGAIN'], bitlockerKeys: [KEY_A] },
        await stagingWith({ job1: [{ driveId: 'WD-1', complete: true, disk: { serial: 'S1' } }] }),
        [],
        stubDisks(sdb, [], { keyNames: KEY_NAMES, ids: { '/dev/sdb': { serial: 'S1' } } }),
      );
      await expect(t.next({ index: 1, remaining: { files: 1, bytes: 1 } })).rejects.toThrow(
        'refusing /dev/sdb: it is drive WD-1, complete drive 1 of job "job1"',
      );
    });
  });

  it('two --drive entries with one id are refused before either disk is opened', async () => {
    const { deps } = fakeDeps();
    const log: string[] = [];
    const same = [stubDisk('/dev/sdb', 'SER-B'), stubDisk('/dev/sdc', 'SER-B')];
    for (const given of [
      { drives: ['/dev/sdb', '/dev/sdc'], driveIds: [] },
      { drives: ['/dev/sdb', '/dev/sdc'], driveIds: ['LABEL-1', 'label-1'] },
      { drives: ['/dev/sdb', 'SER-B'], driveIds: [] },
    ]) {
      const t = driveTargets(
        deps,
        { ...lists, ...given, bitlockerKeys: [KEY_A, KEY_B] },
        await stagingWith({}),
        [],
        stubDisks(same, log, { keyNames: KEY_NAMES }),
      );
      const err: unknown = await t
        .next({ index: 0, remaining: { files: 1, bytes: 1 } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiskprepError);
      expect((err as DiskprepError).code).toMatch(/^ERR_DISKPREP_DUPLICATE_DRIVE/);
      expect((err as DiskprepError).exitCode).toBe(2);
      // The hint fits what was given: two --drive-id to correct, or --drive-id to add.
      if ((err as DiskprepError).code === 'ERR_DISKPREP_DUPLICATE_DRIVE_ID')
        expect((err as DiskprepError).hint).toBe(
          given.driveIds.length > 0
            ? "give each --drive-id the serial printed on that drive's own label"
            : "pass --drive-id for each with the serial printed on that drive's label",
        );
    }
    expect(log).toEqual([]);
  });

  it('a placeholder serial is no drive id: non-interactive, exit 3 naming --drive-id; with --drive-id it opens', async () => {
    const bridge = [stubDisk('/dev/sdb', '000000000000')];
    const log: string[] = [];
    const { deps } = fakeDeps();
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], bitlockerKeys: [KEY_A] },
      await stagingWith({}),
      [],
      stubDisks(bridge, log, { keyNames: KEY_NAMES }),
    );
    const err = (await t
      .next({ index: 0, remaining: { files: 1, bytes: 1 } })
      .catch((e: unknown) => e)) as DiskprepError;
    expect([err.exitCode, err.hint]).toEqual([3, 'pass --drive-id']);
    expect(err.message).toContain('reports the placeholder serial 000000000000');
    const named = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], driveIds: ['WX41A0000001'], bitlockerKeys: [KEY_A] },
      await stagingWith({}),
      [],
      stubDisks(bridge, log, { keyNames: KEY_NAMES }),
    );
    await named.next({ index: 0, remaining: { files: 1, bytes: 1 } });
    // The refused run let go of the disk it had claimed; the named one claims it and opens it.
    expect(log).toEqual([
      'claim /dev/sdb',
      'unclaim /dev/sdb',
      'claim /dev/sdb',
      'open /dev/sdb WX41A0000001 A',
    ]);
  });

  it('refuses the disk holding the staging location, naming it, and passes the kept folders on', async () => {
    const staging = stubDisk('/dev/sdb', 'SER-B');
    staging.mountpoints = ['/srv'];
    const { deps } = fakeDeps();
    const log: string[] = [];
    const keep = [{ what: 'the staging location', path: '/srv/staging' }];
    const t = driveTargets(
      deps,
      { ...lists, drives: ['/dev/sdb'], bitlockerKeys: [KEY_A], keep },
      await stagingWith({}),
      [],
      stubDisks([staging], log, { keyNames: KEY_NAMES }),
    );
    const err = (await t
      .next({ index: 0, remaining: { files: 1, bytes: 1 } })
      .catch((e: unknown) => e)) as DiskprepError;
    expect(err.code).toBe('ERR_DISKPREP_DISK_REFUSED');
    expect(err.message).toContain('holds the staging location /srv/staging');
    expect(log).toEqual([]);
  });
});
