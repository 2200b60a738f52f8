/** `diskprep drives` as a child process, with a real loop device holding a BitLocker volume. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, LoopLab } from '../disk/loopImages.ts';
import { runCli } from '../helpers/cli.ts';

describe.skipIf(!canRun)('diskprep drives (built binary, root, loop device)', () => {
  let lab: LoopLab;
  let dev: string;
  beforeAll(() => {
    lab = new LoopLab();
    dev = lab.attach(lab.unpackNtfs('bitlk-aes-xts-128-ntfs'));
  });
  afterAll(() => lab.dispose());

  it('--all --json lists the loop device with size, BitLocker state and why it is refused', async () => {
    const r = await runCli(['drives', '--all', '--json']);
    expect(r.exitCode).toBe(0);
    const disks = (JSON.parse(r.stdout) as { drives: Record<string, unknown>[] }).drives;
    const loop = disks.find((d) => d.path === dev);
    expect(loop).toMatchObject({
      sizeBytes: 104857600,
      bitlocker: 'encrypted',
      bus: 'loop',
      serial: null,
      eligible: false,
    });
    expect((loop!.reasons as string[]).join()).toContain('not SATA');
    const system = disks.find((d) => d.system === true);
    expect(system?.eligible).toBe(false);
    expect(system?.reasons).toContain('system or boot disk');
  });

  it('prints a table without --json, and hides loop devices without --all', async () => {
    const r = await runCli(['drives']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /^DISK\s+SERIAL\s+MODEL\s+SIZE\s+BUS\s+MEDIA\s+BITLOCKER\s+PARTITIONS\s+STATUS$/,
    );
    expect(r.stdout).not.toContain(dev);
    const all = await runCli(['drives', '--all']);
    expect(all.stdout).toMatch(
      new RegExp(
        `${dev}\\s+-\\s+loop: .*bitlk-aes-xts-128-ntfs.img\\s+105 MB \\(100 MiB\\)\\s+loop`,
      ),
    );
  });
});
