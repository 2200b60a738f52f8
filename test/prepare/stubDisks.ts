/**
 * Stub disks for the prepare flow's unit tests (the `disks` seam of src/prepare/driveTargets.ts):
 * disks listed from a table, every claim, open and release logged in order, the opened volume
 * mounted where the test says (a real temp folder when the engine copies onto it).
 */
import type { Deps } from '../../src/deps/types.ts';
import type {
  DiskInfo,
  DriveIdentity,
  OpenDriveOptions,
  PreparedVolume,
} from '../../src/disk/types.ts';
import type { DiskSeams } from '../../src/flows/prepare/driveTargets.ts';

/** A SATA disk as lsblk would list it, BitLocker-encrypted, not mounted. */
export function stubDisk(path: string, serial: string | undefined): DiskInfo {
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

/** Options of {@link stubDisks}. */
export interface StubDiskOptions {
  /** Identities by device path (default: serial `ID<path>`). */
  ids?: Record<string, DriveIdentity>;
  /** Receives the options of every open. */
  opened?: OpenDriveOptions[];
  /** Names logged for recovery passwords (`open <spec> <driveId> <name>`; unknown: `?`). */
  keyNames?: Record<string, string>;
  /** Where a disk's volume is mounted (default `/mnt<path>`). */
  mountPathOf?: (spec: string) => string;
}

/** Stub disks that log every claim, open and release to `log`. */
export function stubDisks(disks: DiskInfo[], log: string[], o: StubDiskOptions = {}): DiskSeams {
  const idOf = (p: string): DriveIdentity => o.ids?.[p] ?? { serial: `ID${p}` };
  return {
    listDisks: () => Promise.resolve(disks),
    claimDisk: (_deps: Deps, d: DiskInfo) => {
      log.push(`claim ${d.path}`);
      return Promise.resolve({
        note: () => Promise.resolve(),
        release: () => {
          log.push(`unclaim ${d.path}`);
          return Promise.resolve();
        },
      });
    },
    identify: (_deps: Deps, d: DiskInfo) => Promise.resolve(idOf(d.path)),
    openDrive: (_deps: Deps, opt: OpenDriveOptions): Promise<PreparedVolume> => {
      o.opened?.push(opt);
      log.push(`open ${opt.spec} ${opt.driveId} ${o.keyNames?.[opt.bitlockerKey ?? ''] ?? '?'}`);
      return Promise.resolve({
        mountPath: o.mountPathOf?.(opt.spec) ?? `/mnt${opt.spec}`,
        driveId: opt.driveId!,
        bitlockerKey: opt.bitlockerKey!,
        model: 'TestDisk',
        sizeBytes: 4e12,
        fileSystemBytes: 4e12,
        identity: { ...idOf(opt.spec), ntfsSerial: 'ABCDEF0123456789' },
        dryRun: false,
        release: () => {
          log.push(`release ${opt.spec}`);
          return Promise.resolve();
        },
      });
    },
  };
}
