import type { DiskprepError } from '../../src/errors.ts';
import { describe, expect, it } from 'vitest';
import { commandLineTargets, validateTargetLists } from '../../src/flows/prepare/targets.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';

const KEY1 = '111111-222222-333333-444444-555555-666666-000011-000022';
const KEY2 = '000000-000011-000022-000033-000044-000055-000066-000077';

describe('prepare --target provider', () => {
  it('hands out the named targets in order, then asks for the next drive when one is full (interactive)', async () => {
    const { deps, asked } = fakeDeps({
      answers: {
        '--target': ['/mnt/b'],
        '--drive-id': ['SER B'.replace(' ', '')],
        '--bitlocker-key': [KEY2],
      },
    });
    const next = commandLineTargets(
      deps,
      { targets: ['/mnt/a'], driveIds: ['SERA'], bitlockerKeys: [KEY1] },
      [],
    );
    expect(await next({ index: 0, remaining: { files: 10, bytes: 100 } })).toEqual({
      path: '/mnt/a',
      driveId: 'SERA',
      bitLockerKey: KEY1,
    });
    expect(asked).toEqual([]);
    const second = await next({
      index: 1,
      previous: { driveId: 'SERA', path: '/mnt/a', ended: 'full' },
      remaining: { files: 4, bytes: 40 },
    });
    expect(second).toEqual({ path: '/mnt/b', driveId: 'SERB', bitLockerKey: KEY2 });
    expect(asked).toEqual(['--target', '--drive-id', '--bitlocker-key']);
    // The key typed at the prompt is a secret from then on.
    expect(deps.redactor.redact(`key ${KEY2}`)).not.toContain(KEY2);
  });

  it('after a failed drive the question says it failed and keeps what it committed, not that it is full', async () => {
    const { deps } = fakeDeps({ answers: { '--target': ['/mnt/c'] } });
    const messages: string[] = [];
    const text = deps.prompt.text.bind(deps.prompt);
    deps.prompt.text = async (q) => (messages.push(q.message), text(q));
    const next = commandLineTargets(
      deps,
      {
        targets: ['/mnt/a', '/mnt/b'],
        driveIds: ['SERA', 'SERB', 'SERC'],
        bitlockerKeys: [KEY1, KEY1, KEY2],
      },
      [],
    );
    await next({ index: 0, remaining: { files: 10, bytes: 100 } });
    await next({ index: 1, remaining: { files: 10, bytes: 100 } });
    await next({
      index: 2,
      previous: { driveId: 'SERB', path: '/mnt/b', ended: 'failed' },
      remaining: { files: 4, bytes: 40 },
    });
    expect(messages).toEqual([
      'Drive SERB failed (what it committed stays on it); 4 files (40 B) remain. Mount drive 3 (unlocked) and give its folder',
    ]);
  });

  it('non-interactive: no more targets means undefined (the engine stops, resumable); a missing drive id names its flag', async () => {
    const { deps } = fakeDeps();
    const next = commandLineTargets(
      deps,
      { targets: ['/mnt/a'], driveIds: ['SERA'], bitlockerKeys: [KEY1] },
      [],
    );
    await next({ index: 0, remaining: { files: 1, bytes: 1 } });
    expect(await next({ index: 1, remaining: { files: 1, bytes: 1 } })).toBeUndefined();
    const noId = commandLineTargets(
      deps,
      { targets: ['/mnt/a'], driveIds: [], bitlockerKeys: [KEY1] },
      [],
    );
    await expect(noId({ index: 0, remaining: { files: 1, bytes: 1 } })).rejects.toMatchObject({
      exitCode: 3,
      flag: '--drive-id',
    });
  });

  it('on resume finds the interrupted drive by its id, skipping drives already complete', async () => {
    const { deps } = fakeDeps();
    const lists = {
      targets: ['/mnt/a', '/mnt/b', '/mnt/c'],
      driveIds: ['A', 'B', 'C'],
      bitlockerKeys: [KEY1, KEY2, KEY1],
    };
    const next = commandLineTargets(deps, lists, ['A', 'B']);
    expect(
      (await next({ index: 1, resumeDriveId: 'B', remaining: { files: 1, bytes: 1 } }))!.path,
    ).toBe('/mnt/b');
    expect((await next({ index: 2, remaining: { files: 1, bytes: 1 } }))!.path).toBe('/mnt/c');
  });

  it('validates every key and drive id up front', () => {
    expect(() =>
      validateTargetLists({ targets: [], driveIds: ['OK1'], bitlockerKeys: ['123'] }),
    ).toThrow(/--bitlocker-key number 1/);
    expect(() =>
      validateTargetLists({ targets: [], driveIds: ['has space'], bitlockerKeys: [] }),
    ).toThrow(/no spaces/);
  });

  it('a --drive-id given wrong is to be corrected, not "passed"', () => {
    let err: DiskprepError | undefined;
    try {
      validateTargetLists({ targets: [], driveIds: ['has space'], bitlockerKeys: [] });
    } catch (e) {
      err = e as DiskprepError;
    }
    expect(err?.message).toMatch(/^--drive-id number 1 \("has space"\)/);
    expect(err?.hint).toBe("correct it: the serial printed on the drive's label, without spaces");
  });
});
