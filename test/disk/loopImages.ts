/**
 * Real BitLocker volumes from /work/shared/testdata/bitlocker on real loop devices, for the
 * integration tests. Images are unpacked into a temp dir (never touched in place); every loop
 * device a test attaches is detached by {@link LoopLab.dispose}.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec } from '../../src/deps/exec.ts';
import { fakeDeps, type FakeDepsOptions } from '../helpers/fakeDeps.ts';
import { SHARED_DIR } from '../helpers/paths.ts';

export const BITLOCKER_DIR = join(SHARED_DIR, 'testdata', 'bitlocker');
export const XTS_KEY = '235818-357951-253979-013365-241120-245575-342914-591910';
export const ELEPHANT_KEY = '529573-278784-259347-197835-171457-264044-610280-313269';

/** What {@link missingForLoopTests} looks at (tests pass their own). */
export interface LoopProbe {
  uid: number | undefined;
  /** True when `tool` is on the PATH. */
  has(tool: string): boolean;
  /** True when /dev/fuse exists. */
  fuse: boolean;
}

/** The tools the loop-device tests run. */
export const LOOP_TOOLS = ['dislocker', 'ntfs-3g', 'cryptsetup'] as const;

const thisMachine: LoopProbe = {
  uid: process.getuid?.(),
  has: (tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  },
  fuse: existsSync('/dev/fuse'),
};

/** What the loop-device integration tests need that `probe` lacks, in the order to fix it. */
export function missingForLoopTests(probe: LoopProbe = thisMachine): string[] {
  return [
    ...(probe.uid === 0 ? [] : ['root']),
    ...LOOP_TOOLS.filter((t) => !probe.has(t)),
    ...(probe.fuse ? [] : ['/dev/fuse']),
  ];
}

/** What this machine lacks for the loop-device tests (empty: they run). */
export const missingHere = missingForLoopTests();

/** Root and the tools present: the integration tests need both. */
export const canRun = missingHere.length === 0;

/** A temp dir with images and the loop devices attached to them. */
export class LoopLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'diskprep-looplab-'));
  private readonly loops: string[] = [];

  /** Unpacks one of the `*-ntfs.img.xz` images. */
  unpackNtfs(name: 'bitlk-aes-xts-128-ntfs' | 'bitlk-aes-cbc-elephant-128-ntfs'): string {
    const out = join(this.dir, `${name}.img`);
    writeFileSync(
      out,
      execFileSync('xz', ['-dc', join(BITLOCKER_DIR, `${name}.img.xz`)], {
        maxBuffer: 256 * 1024 * 1024,
      }),
    );
    return out;
  }

  /** Extracts one image of cryptsetup's set (trimmed: metadata only). */
  unpackOriginal(name: string): string {
    execFileSync('tar', [
      'xJSf',
      join(BITLOCKER_DIR, 'bitlk-images.tar.xz'),
      '-C',
      this.dir,
      `bitlk-images/${name}.img`,
    ]);
    return join(this.dir, 'bitlk-images', `${name}.img`);
  }

  /** A blank file of `bytes`. */
  blank(bytes: number): string {
    const out = join(this.dir, `blank-${this.loops.length}.img`);
    execFileSync('truncate', ['-s', String(bytes), out]);
    return out;
  }

  /** Attaches a loop device (`losetup -fP --show`). */
  attach(file: string): string {
    const dev = execFileSync('losetup', ['-fP', '--show', file], { encoding: 'utf8' }).trim();
    this.loops.push(dev);
    return dev;
  }

  /**
   * Detaches this lab's loop devices and removes its files. A device still open (udev probing
   * the partitions, a dislocker that is exiting) is only marked autoclear by `losetup -d` and
   * goes when the last opener closes: wait for that (up to 10 s), asking again meanwhile.
   */
  dispose(): void {
    const devs = this.loops.splice(0);
    const detach = (dev: string) => {
      try {
        execFileSync('losetup', ['-d', dev], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    };
    devs.forEach(detach);
    for (let i = 0; i < 200 && this.attached().length > 0; i++) {
      execFileSync('sleep', ['0.05']);
      if (i % 20 === 19) this.attached().forEach(detach);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Loop devices this lab still has attached (per `losetup -a`). */
  attached(): string[] {
    const all = execFileSync('losetup', ['-a'], { encoding: 'utf8' });
    return all
      .split('\n')
      .filter((l) => l.includes(this.dir))
      .map((l) => l.split(':')[0]!);
  }
}

/** Mount points under `prefix` in /proc/mounts. */
export function mountsUnder(prefix: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(prefix));
}

/** The dislocker daemons unlocking `dev`: pid and command line (found by their command line). */
function dislockerDaemons(dev: string): { pid: number; args: string[] }[] {
  const found: { pid: number; args: string[] }[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (args[0]?.endsWith('dislocker') && args.includes(dev))
      found.push({ pid: Number(pid), args });
  }
  return found;
}

/**
 * Mount points of dislocker daemons unlocking `dev` that are still mounted: none once a run
 * released its volume. Unlike {@link mountsUnder}, it sees only this device, not the runs of
 * other tests.
 */
export function dislockersOf(dev: string): string[] {
  const mounted = new Set(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? ''),
  );
  return dislockerDaemons(dev)
    .map((d) => d.args.at(-1))
    .filter((mp): mp is string => mp !== undefined && mounted.has(mp));
}

/** The pid of the dislocker daemon unlocking `dev` (to pull the drive out), if one runs. */
export function dislockerPid(dev: string): number | undefined {
  return dislockerDaemons(dev)[0]?.pid;
}

/** Stub deps with the real exec seam (real lsblk, cryptsetup, dislocker, ntfs-3g). */
export function realDeps(options: FakeDepsOptions = {}) {
  const made = fakeDeps({ platform: 'linux', ...options });
  made.deps.exec = createExec({ dryRun: options.dryRun ?? false, terminal: made.deps.terminal });
  return made;
}
