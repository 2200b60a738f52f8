/**
 * Who else has a disk open on Linux, beyond what lsblk's mount points show: a dislocker FUSE
 * daemon unlocking it (started by diskprep or by hand: its mount's source is "dislocker", not
 * the device, so the disk does not look mounted), a device-mapper holder (cryptsetup
 * bitlkOpen, LVM), or a plain mount of the disk or one of its partitions.
 */
import path from 'node:path';
import type { Deps } from '../../deps/types.ts';
import type { DiskInfo } from '../types.ts';
import { parseProcMounts } from './lsblk.ts';
import { isMounted } from './mounts.ts';

/** One user of a disk. */
export interface DiskUser {
  kind: 'dislocker' | 'holder' | 'mount';
  /** Process id of a dislocker daemon. */
  pid?: number;
  /** Where a dislocker daemon or a mount makes it visible. */
  mountPoint?: string;
  /** One phrase for messages. */
  text: string;
}

/** The argument naming the volume in a dislocker command line (`-V dev`, `-Vdev`, `--volume=dev`). */
function volumeArgs(args: string[]): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if ((a === '-V' || a === '--volume') && args[i + 1]) out.push(args[i + 1]!);
    else if (a.startsWith('--volume=')) out.push(a.slice('--volume='.length));
    else if (a.startsWith('-V') && a.length > 2) out.push(a.slice(2));
  });
  return out;
}

/** Every user of `disk` or its partitions; empty when nothing else has it. */
export async function diskUsers(deps: Deps, disk: DiskInfo): Promise<DiskUser[]> {
  const devices = new Set([disk.path, ...disk.partitions.map((p) => p.path)]);
  const real = async (p: string): Promise<string> =>
    p.startsWith('/dev/') ? await deps.fs.realpath(p).catch(() => p) : p;
  const users: DiskUser[] = [];

  const mountsText = await deps.fs.readFile('/proc/mounts', 'utf8').catch(() => '');
  const pids = (await deps.fs.readdir('/proc').catch(() => [] as string[])).filter((n) =>
    /^\d+$/.test(n),
  );
  for (const pid of pids) {
    const cmdline = await deps.fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const args = cmdline.split('\0').filter((a) => a !== '');
    if (!args[0] || !path.basename(args[0]).startsWith('dislocker')) continue;
    for (const v of volumeArgs(args)) {
      if (devices.has(v) || devices.has(await real(v))) {
        const mountPoint = args.at(-1);
        // A daemon whose mount is gone is exiting (a run just released the disk): not a user.
        if (mountPoint && !isMounted(mountsText, mountPoint)) break;
        users.push({
          kind: 'dislocker',
          pid: Number(pid),
          ...(mountPoint ? { mountPoint } : {}),
          text: `dislocker (pid ${pid}) has it unlocked${mountPoint ? ` at ${mountPoint}` : ''}`,
        });
        break;
      }
    }
  }

  for (const dev of devices) {
    const name = path.basename(dev);
    const holders = await deps.fs
      .readdir(`/sys/class/block/${name}/holders`)
      .catch(() => [] as string[]);
    for (const h of holders)
      users.push({
        kind: 'holder',
        text: `${h} holds ${dev} (device-mapper: cryptsetup bitlkOpen, LVM...)`,
      });
  }

  const mounts = parseProcMounts(mountsText);
  for (const dev of devices)
    for (const m of mounts.get(dev) ?? [])
      users.push({ kind: 'mount', mountPoint: m, text: `${dev} is mounted at ${m}` });
  return users;
}
