/**
 * `verify --drive`'s unlock on Linux, on a real BitLocker volume (made by Windows) on a loop
 * device: dislocker --readonly + ntfs-3g ro, so a write fails with EROFS and the image stays
 * byte for byte the same; a wrong key and Ctrl-C leave nothing mounted.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDriveReadOnly } from '../../src/disk/openReadOnly.ts';
import { DiskprepError } from '../../src/errors.ts';
import { canRun, LoopLab, mountsUnder, realDeps, XTS_KEY } from './loopImages.ts';

// Mounts go under this file's own temp dir: other tests on the machine mount under /tmp too.
const TMP = mkdtempSync(join(tmpdir(), 'dp-ro-'));
const WORK = join(TMP, 'diskprep-bitlocker-');
const realTmp = process.env.TMPDIR;
beforeAll(() => {
  process.env.TMPDIR = TMP;
});
afterAll(() => {
  if (realTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = realTmp;
  rmSync(TMP, { recursive: true, force: true });
});
const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');
/** Mount options of the mounts under `prefix`, per mount point. */
const mountOptions = (prefix: string) =>
  readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[1]?.startsWith(prefix))
    .map((f) => [f[1]!.slice(f[1]!.lastIndexOf('/') + 1), f[3]!.split(',')[0]]);

describe.skipIf(!canRun)('read-only unlock of a BitLocker loop device (root)', () => {
  let lab: LoopLab;
  afterEach(() => {
    lab.dispose();
    expect(mountsUnder(WORK)).toEqual([]);
  });

  it('mounts dislocker and the NTFS read-only: a write fails with EROFS, the image is unchanged after release', async () => {
    lab = new LoopLab();
    const image = lab.unpackNtfs('bitlk-aes-xts-128-ntfs');
    const dev = lab.attach(image);
    const before = md5(image);
    const { deps } = realDeps();
    const vol = await openDriveReadOnly(deps, dev, async () => XTS_KEY);
    try {
      expect(vol.disk.path).toBe(dev);
      expect(mountOptions(WORK).sort()).toEqual([
        ['dislocker', 'ro'],
        ['ntfs', 'ro'],
      ]);
      let code: string | undefined;
      try {
        writeFileSync(join(vol.mountPath, 'written-by-verify.txt'), 'x');
      } catch (err) {
        code = (err as NodeJS.ErrnoException).code;
      }
      expect(code).toBe('EROFS');
    } finally {
      await vol.release();
    }
    expect(mountsUnder(WORK)).toEqual([]);
    expect(md5(image)).toBe(before);
  });

  it('a wrong key is exit 2 with nothing mounted; an abort (Ctrl-C) releases an open volume', async () => {
    lab = new LoopLab();
    const dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
    const wrong = XTS_KEY.replace(/^\d{6}/, '000000');
    const err = await openDriveReadOnly(realDeps().deps, dev, async () => wrong).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DiskprepError);
    expect((err as DiskprepError).exitCode).toBe(2);
    expect((err as DiskprepError).message).not.toContain(wrong);
    expect(mountsUnder(WORK)).toEqual([]);

    const abort = new AbortController();
    const vol = await openDriveReadOnly(
      realDeps({ signal: abort.signal }).deps,
      dev,
      async () => XTS_KEY,
    );
    expect(mountsUnder(WORK)).toHaveLength(2);
    abort.abort();
    await vol.release(); // the same run the abort started
    expect(mountsUnder(WORK)).toEqual([]);
  });
});
