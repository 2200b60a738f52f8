/**
 * `diskprep drives`: every disk with serial (the drive id), model, size, bus, media, partitions,
 * mount state, system/boot, BitLocker, and why a disk cannot be used. A table on stdout, or
 * `{"drives": [...]}` with `--json`.
 */
import type { Deps } from '../../deps/types.ts';
import { formatBytes, formatDriveSize } from '../../format.ts';
import { listDisksWithEligibility } from '../../disk/listDisks.ts';
import type { ListedDisk } from '../../disk/types.ts';

/** Options of {@link drives}. */
export interface DrivesOptions {
  all: boolean;
}

function partitionsText(d: ListedDisk): string {
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

/** Pads columns to equal width (plain text, no colour codes inside cells). */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Lists the disks. */
export async function drives(options: DrivesOptions, deps: Deps): Promise<void> {
  const disks = await listDisksWithEligibility(deps, { all: options.all });
  if (deps.output.jsonMode) {
    deps.output.json({
      drives: disks.map((d) => ({ ...d, serial: d.serial ?? null, fsType: d.fsType ?? null })),
    });
    return;
  }
  if (disks.length === 0) {
    deps.output.line(
      options.all
        ? 'No disks found.'
        : 'No disks found (diskprep drives --all also lists loop and virtual devices).',
    );
    return;
  }
  const rows = [
    ['DISK', 'SERIAL', 'MODEL', 'SIZE', 'BUS', 'MEDIA', 'BITLOCKER', 'PARTITIONS', 'STATUS'],
  ];
  for (const d of disks) {
    const status = d.eligible ? 'ok' : `no: ${d.reasons.join('; ')}`;
    rows.push([
      d.path,
      d.serial ?? '-',
      d.model,
      formatDriveSize(d.sizeBytes),
      d.bus,
      d.media,
      bitlockerText(d),
      partitionsText(d),
      status,
    ]);
  }
  for (const line of table(rows)) deps.output.line(line);
  for (const d of disks) for (const w of d.warnings) deps.terminal.warn(`${d.path}: ${w}`);
}
