/** `diskprep drives` as a child process, with a real loop device holding a BitLocker volume. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRun, LoopLab } from '../disk/loopImages.ts';
import { runCli } from '../helpers/cli.ts';
import { hasTmux, saveCapture, startInteractive } from '../helpers/tmux.ts';

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

  it('prints a table of 80 columns without --json (no terminal), and hides loop devices without --all', async () => {
    const r = await runCli(['drives']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^DISK\s+SIZE\s+BUS\s+BITLOCKER\s+SERIAL\s+MODEL$/);
    expect(r.stdout).not.toContain(dev);
    const all = await runCli(['drives', '--all']);
    const lines = all.stdout.trimEnd().split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    const row = lines.findIndex((l) => l.startsWith(`${dev} `));
    expect(lines[row]).toMatch(
      new RegExp(`^${dev}\\s+100 MiB\\s+loop\\s+encrypted\\s+-\\s+loop: .*(bitlk|…)`),
    );
    expect(lines[row + 1]).toBe('  no: not SATA (loop): the service takes SATA drives only');
    expect(lines[row + 2]).toBe('  media unknown; partitions: BitLocker');
    // One unit system: no decimal size beside the binary one.
    expect(all.stdout).not.toMatch(/\d (kB|MB|GB|TB)\b/);
  });

  it('at an 80-column terminal (tmux): every line fits, the key fields present', async () => {
    if (!(await hasTmux()))
      throw new Error('tmux is required for this test (apt-get install tmux)');
    const s = await startInteractive(['drives', '--all'], { width: 80, height: 50 });
    try {
      expect(await s.exitCode(30_000)).toBe(0);
      const screen = (await s.screen()).trimEnd();
      const lines = screen.split('\n');
      for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
      expect(screen).toMatch(/^DISK\s+SIZE\s+BUS\s+BITLOCKER\s+SERIAL\s+MODEL$/m);
      expect(screen).toContain(dev);
      expect(screen).toMatch(/100 MiB\s+loop\s+encrypted/);
      await saveCapture('drives --all', screen);
    } finally {
      await s.kill();
    }
  });
});
