/**
 * Linux disk enumeration from `lsblk -J -b -O`, `/proc/swaps`, `/proc/mounts` and `blkid -p`
 * (lsblk's FSTYPE comes from the udev database, which is empty in containers and minimal
 * systems, so a null FSTYPE is probed directly).
 */
import type { Deps } from '../../deps/types.ts';
import type { BitLockerState, Bus, DiskInfo, PartitionInfo } from '../types.ts';

/** One node of `lsblk -J -b -O` (only the columns diskprep reads). */
export interface LsblkNode {
  name: string;
  kname?: string;
  path?: string;
  type: string;
  size: number | string | null;
  tran?: string | null;
  serial?: string | null;
  model?: string | null;
  vendor?: string | null;
  rm?: boolean | string | null;
  rota?: boolean | string | null;
  fstype?: string | null;
  label?: string | null;
  mountpoint?: string | null;
  mountpoints?: (string | null)[];
  children?: LsblkNode[];
}

/** Mount points that make a disk the system disk. */
const SYSTEM_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/efi', '/usr', '[SWAP]']);

/** Facts from outside lsblk that {@link parseLsblk} merges in. */
export interface LinuxProbe {
  /** Device paths listed in /proc/swaps. */
  swaps: string[];
  /** Device path → mount points, from /proc/mounts. */
  mounts: Map<string, string[]>;
  /** Device path → TYPE from `blkid -p`, for nodes where lsblk had none. */
  fsTypes: Map<string, string>;
  /** Device path → model to show (loop devices: their backing file). */
  models: Map<string, string>;
}

const bool = (v: boolean | string | null | undefined): boolean => v === true || v === '1';
const num = (v: number | string | null | undefined): number => (v == null ? 0 : Number(v));
const pathOf = (n: LsblkNode): string => n.path ?? `/dev/${n.name}`;

/** Reads /proc/swaps: the first column of every line but the header. */
export function parseProcSwaps(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((p) => p.startsWith('/'));
}

/** Reads /proc/mounts into source device → mount points (octal escapes decoded). */
export function parseProcMounts(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const unescape = (s: string) =>
    s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of text.split('\n')) {
    const [src, target] = line.split(' ');
    if (!src?.startsWith('/dev/') || !target) continue;
    const list = map.get(src) ?? [];
    list.push(unescape(target));
    map.set(src, list);
  }
  return map;
}

function busOf(node: LsblkNode): { bus: Bus; kind: DiskInfo['kind'] } {
  if (node.type === 'loop') return { bus: 'loop', kind: 'loop' };
  if (/^(zram|ram|nbd|md|dm-)/.test(node.name)) return { bus: 'virtual', kind: 'virtual' };
  const tran = (node.tran ?? '').toLowerCase();
  const map: Record<string, Bus> = {
    sata: 'SATA',
    sas: 'SAS',
    usb: 'USB',
    nvme: 'NVMe',
    ata: 'ATA',
    spi: 'SCSI',
    fc: 'SCSI',
    iscsi: 'SCSI',
  };
  if (map[tran]) return { bus: map[tran], kind: 'disk' };
  if (/^(vd|xvd)/.test(node.name)) return { bus: 'virtual', kind: 'disk' };
  if (node.name.startsWith('nvme')) return { bus: 'NVMe', kind: 'disk' };
  return { bus: 'unknown', kind: 'disk' };
}

function mountsOf(node: LsblkNode, probe: LinuxProbe): string[] {
  const own = [...(node.mountpoints ?? []), node.mountpoint].filter(
    (m): m is string => typeof m === 'string' && m !== '',
  );
  const extra = probe.mounts.get(pathOf(node)) ?? [];
  const swap = probe.swaps.includes(pathOf(node)) ? ['[SWAP]'] : [];
  const children = (node.children ?? []).flatMap((c) => mountsOf(c, probe));
  return [...new Set([...own, ...extra, ...swap, ...children])];
}

function fsTypeOf(node: LsblkNode, probe: LinuxProbe): string | undefined {
  return node.fstype ?? probe.fsTypes.get(pathOf(node)) ?? undefined;
}

const bitlockerOf = (fsType: string | undefined): BitLockerState =>
  fsType?.toLowerCase() === 'bitlocker' ? 'encrypted' : 'none';

/** Turns lsblk's tree plus the probes into {@link DiskInfo}s (every top-level device). */
export function parseLsblk(json: string, probe: LinuxProbe): DiskInfo[] {
  const doc = JSON.parse(json) as { blockdevices?: LsblkNode[] };
  return (doc.blockdevices ?? [])
    .filter((n) => n.type === 'disk' || n.type === 'loop')
    .map((node) => {
      const { bus, kind } = busOf(node);
      const mountpoints = mountsOf(node, probe);
      const system = mountpoints.some((m) => SYSTEM_MOUNTS.has(m));
      const partitions: PartitionInfo[] = (node.children ?? [])
        .filter((c) => c.type === 'part')
        .map((c) => {
          const fsType = fsTypeOf(c, probe);
          return {
            path: pathOf(c),
            sizeBytes: num(c.size),
            fsType,
            label: c.label ?? undefined,
            mountpoints: mountsOf(c, probe),
            bitlocker: bitlockerOf(fsType),
          };
        });
      const fsType = fsTypeOf(node, probe);
      const bitlocker = fsType
        ? bitlockerOf(fsType)
        : (partitions.find((p) => p.bitlocker !== 'none')?.bitlocker ?? 'none');
      const serial = node.serial?.replace(/\s+/g, '') || undefined;
      const model =
        probe.models.get(pathOf(node)) ??
        ([node.vendor, node.model].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim() ||
          (kind === 'loop' ? 'loop device' : 'unknown'));
      const rota = bool(node.rota);
      return {
        path: pathOf(node),
        serial,
        model,
        sizeBytes: num(node.size),
        bus,
        media: kind !== 'disk' ? 'unknown' : rota ? 'HDD' : 'SSD',
        removable: bool(node.rm),
        kind,
        system,
        boot: system,
        mountpoints,
        ...(fsType ? { fsType } : {}),
        bitlocker,
        partitions,
      } satisfies DiskInfo;
    });
}

function walk(nodes: LsblkNode[] | undefined, out: LsblkNode[] = []): LsblkNode[] {
  for (const n of nodes ?? []) {
    out.push(n);
    walk(n.children, out);
  }
  return out;
}

/** Enumerates the disks of this Linux machine (read-only probes only). */
export async function listLinuxDisks(deps: Deps): Promise<DiskInfo[]> {
  const lsblk = await deps.exec.run('lsblk', ['-J', '-b', '-O']);
  const readOr = (p: string) => deps.fs.readFile(p, 'utf8').catch(() => '');
  const [swaps, mounts] = await Promise.all([readOr('/proc/swaps'), readOr('/proc/mounts')]);
  const probe: LinuxProbe = {
    swaps: parseProcSwaps(swaps),
    mounts: parseProcMounts(mounts),
    fsTypes: new Map(),
    models: new Map(),
  };
  const doc = JSON.parse(lsblk.stdout) as { blockdevices?: LsblkNode[] };
  for (const n of walk(doc.blockdevices)) {
    if (!['disk', 'part', 'loop'].includes(n.type) || num(n.size) === 0) continue;
    if (n.type === 'loop') {
      const back = (await readOr(`/sys/block/${n.kname ?? n.name}/loop/backing_file`)).trim();
      if (back) probe.models.set(pathOf(n), `loop: ${back}`);
    }
    if (n.fstype || busOf(n).kind === 'virtual') continue;
    // blkid exits 2 when it finds nothing: not an error.
    const r = await deps.exec.run('blkid', ['-p', '-o', 'export', pathOf(n)], { reject: false });
    const type = /^TYPE=(.*)$/m.exec(r.stdout)?.[1];
    if (type) probe.fsTypes.set(pathOf(n), type);
  }
  return parseLsblk(lsblk.stdout, probe);
}
