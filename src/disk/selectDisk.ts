/**
 * Finding the disk an operator meant, and asking before anything on it changes. `prepare`
 * calls {@link chooseDisk} (prompt flag `--drive`) and passes {@link confirmDisk} as
 * openDrive's `confirm` (confirm flag `--yes`).
 */
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import { checkEligible } from './eligibility.ts';
import { formatDriveSize } from '../format.ts';
import type { DiskInfo } from './types.ts';

/** True when a spec names a device by path rather than by serial or letter. */
export const isDevicePath = (spec: string): boolean =>
  spec.startsWith('/dev/') || /^\\\\\.\\PHYSICALDRIVE\d+$/i.test(spec);

/** One line describing a disk: model, serial, size, path. */
export function describeDisk(d: DiskInfo): string {
  return `${d.model} (serial ${d.serial ?? 'none'}, ${formatDriveSize(d.sizeBytes)}, ${d.bus}) at ${d.path}`;
}

/**
 * The disk a spec names: a device path (or a partition on it, or a /dev symlink), a serial
 * (case-insensitive), or a Windows drive letter (`E` / `E:`).
 */
export async function resolveDisk(deps: Deps, disks: DiskInfo[], spec: string): Promise<DiskInfo> {
  const s = spec.trim();
  const byPath = (p: string) =>
    disks.find(
      (d) => d.path === p || (deps.platform !== 'win32' && d.partitions.some((x) => x.path === p)),
    );
  let found =
    byPath(s) ??
    disks.find(
      (d) =>
        d.serial !== undefined && d.serial.toLowerCase() === s.replace(/\s+/g, '').toLowerCase(),
    );
  if (!found && s.startsWith('/dev/')) {
    const real = await deps.fs.realpath(s).catch(() => undefined);
    if (real) found = byPath(real);
  }
  const letter = /^([A-Za-z]):?\\?$/.exec(s)?.[1]?.toUpperCase();
  if (!found && letter && deps.platform === 'win32')
    found = disks.find((d) => d.partitions.some((p) => p.driveLetter === letter));
  const m = /^\\\\\.\\PHYSICALDRIVE(\d+)$/i.exec(s);
  if (!found && m) found = disks.find((d) => d.number === Number(m[1]));
  if (!found) {
    throw new UsageError(`no disk matches --drive ${spec}`, {
      code: 'ERR_DISKPREP_NO_SUCH_DISK',
      hint: 'run diskprep drives --all to see serials and paths',
    });
  }
  return found;
}

/**
 * The disk to prepare: resolved from `spec`, or chosen interactively from the eligible disks.
 * Non-interactive runs without `--drive` fail with exit 3 naming the flag.
 */
export async function chooseDisk(deps: Deps, disks: DiskInfo[], spec?: string): Promise<DiskInfo> {
  if (spec) return resolveDisk(deps, disks, spec);
  const choices = disks
    .filter((d) => d.kind === 'disk')
    .map((d) => {
      const { reasons } = checkEligible(d);
      return {
        name: describeDisk(d),
        value: d,
        flagValue: d.serial ?? d.path,
        ...(reasons.length ? { disabled: reasons.join('; ') } : {}),
      };
    });
  return deps.prompt.select({
    message: 'Which disk should diskprep prepare?',
    flag: '--drive',
    choices,
  });
}

/**
 * The confirmation before a disk changes. With `--yes` it passes, but only for a disk the
 * operator named (serial or path): a script never formats "the first disk".
 */
export function confirmDisk(deps: Deps, options: { yes: boolean; named: boolean; erase: boolean }) {
  return async (disk: DiskInfo): Promise<boolean> => {
    if (options.yes) {
      if (!options.named) {
        throw new UsageError('--yes needs the disk named with --drive (serial or path)', {
          code: 'ERR_DISKPREP_UNNAMED_DISK',
          hint: 'add --drive <serial|/dev/path|letter> (diskprep drives lists them)',
        });
      }
      deps.terminal.info(`Preparing ${describeDisk(disk)}`);
      return true;
    }
    const what = options.erase ? 'ERASE everything on' : 'unlock and write to';
    return deps.prompt.confirm({
      message: `${what} ${describeDisk(disk)}?`,
      flag: '--yes',
      default: false,
    });
  };
}
