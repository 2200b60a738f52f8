/**
 * The `drives` table at the terminal's width. When every column fits, one row per disk
 * (DISK SERIAL MODEL SIZE BUS MEDIA BITLOCKER PARTITIONS STATUS). When it does not (80 columns:
 * the reasons alone are longer), each disk takes a short row (DISK SIZE BUS BITLOCKER SERIAL
 * MODEL, the model cut to fit, or moved under the row when little of it would show) and, under
 * it, indented and wrapped, whether it can be used and why not, then its media and partitions. Sizes are binary, the one unit system of the screen.
 */
import {
  alignColumns,
  formatBytes,
  formatCapacity,
  textWidth,
  truncate,
  wrapLine,
} from '../../format.ts';
import type { ListedDisk } from '../../disk/types.ts';

/** The partitions of a disk: `sdb1 ntfs 1.8 TiB, sdb2 ? 16.0 MiB` (or its file system). */
export function partitionsText(d: ListedDisk): string {
  if (d.partitions.length === 0) return d.fsType ?? '-';
  return d.partitions
    .map((p) =>
      [
        p.driveLetter ? `${p.driveLetter}:` : p.path.replace(/^\/dev\//, ''),
        p.fsType ?? '?',
        formatBytes(p.sizeBytes),
      ].join(' '),
    )
    .join(', ');
}

/** BitLocker state, with the cipher when Windows reported it (`unlocked XtsAes128`). */
function bitlockerText(d: ListedDisk): string {
  const method = d.partitions.find((p) => p.encryptionMethod)?.encryptionMethod;
  return method ? `${d.bitlocker} ${method}` : d.bitlocker;
}

/** `ok`, or `no: ` and every reason. */
function statusText(d: ListedDisk): string {
  return d.eligible ? 'ok' : `no: ${d.reasons.join('; ')}`;
}

/** One row per disk, every column: used when it fits. */
function wideTable(disks: readonly ListedDisk[]): string[] {
  return alignColumns([
    ['DISK', 'SERIAL', 'MODEL', 'SIZE', 'BUS', 'MEDIA', 'BITLOCKER', 'PARTITIONS', 'STATUS'],
    ...disks.map((d) => [
      d.path,
      d.serial ?? '-',
      d.model,
      formatCapacity(d.sizeBytes),
      d.bus,
      d.media,
      bitlockerText(d),
      partitionsText(d),
      statusText(d),
    ]),
  ]);
}

const NBSP = '\u00a0';

/** `s` held on one line by the wrapping (`sdb1 ntfs 3.6 TiB` never splits before `TiB`). */
function keep(s: string): string {
  return s.replaceAll(' ', NBSP);
}

/** Columns the model needs in the row to stay readable; with less it goes under the row. */
const MIN_MODEL = 16;

/**
 * A short row per disk (the model last, cut to fit, or under the row when too little of it
 * would show) and its details wrapped under it.
 */
function narrowTable(disks: readonly ListedDisk[], width: number): string[] {
  const cells = (d: ListedDisk): string[] => [
    d.path,
    formatCapacity(d.sizeBytes),
    d.bus,
    bitlockerText(d),
    d.serial ?? '-',
  ];
  const head = ['DISK', 'SIZE', 'BUS', 'BITLOCKER', 'SERIAL'];
  const bare = alignColumns([head, ...disks.map(cells)]);
  const room = width - Math.max(...bare.map(textWidth)) - 2;
  const modelInRow = room >= MIN_MODEL;
  const rows = modelInRow
    ? alignColumns([[...head, 'MODEL'], ...disks.map((d) => [...cells(d), d.model])]).map((r) =>
        truncate(r, width),
      )
    : bare;
  const out = [rows[0]!];
  disks.forEach((d, i) => {
    out.push(rows[i + 1]!);
    out.push(...wrapLine(`  ${statusText(d)}`, width));
    const model = modelInRow ? '' : `model ${keep(d.model)}; `;
    const parts = partitionsText(d).split(', ').map(keep).join(', ');
    out.push(
      ...wrapLine(`  ${model}media ${d.media}; partitions: ${parts}`, width).map((l) =>
        l.replaceAll(NBSP, ' '),
      ),
    );
  });
  return out;
}

/** The table's lines, none wider than `width` unless a single cell cannot be cut (never). */
export function drivesTable(disks: readonly ListedDisk[], width: number): string[] {
  const wide = wideTable(disks);
  return wide.every((l) => textWidth(l) <= width) ? wide : narrowTable(disks, width);
}
