/**
 * `diskprep drives`: every disk with serial (the drive id), model, size, bus, media, partitions,
 * mount state, system/boot, BitLocker, and why a disk cannot be used. A table on stdout that fits
 * the terminal (./table.ts), or `{"drives": [...]}` with `--json`.
 */
import type { Deps } from '../../deps/types.ts';
import { screenColumns, wrapLine } from '../../format.ts';
import { withSpinner } from '../../deps/spinner.ts';
import { listDisksWithEligibility } from '../../disk/listDisks.ts';
import { drivesTable } from './table.ts';

/** Options of {@link drives}. */
export interface DrivesOptions {
  all: boolean;
}

/** Lists the disks. */
export async function drives(options: DrivesOptions, deps: Deps): Promise<void> {
  // Windows answers through PowerShell, which can take seconds.
  const disks = await withSpinner(deps.terminal, 'listing the disks', () =>
    listDisksWithEligibility(deps, { all: options.all }),
  );
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
  const width = screenColumns(deps.terminal);
  for (const line of drivesTable(disks, width)) deps.output.line(line);
  // Warnings are about preparing a disk: a refused one's reasons say all there is. The
  // warning sign and its space take two columns.
  for (const d of disks.filter((x) => x.eligible))
    for (const w of d.warnings) {
      const [first, ...rest] = wrapLine(`${d.path}: ${w}`, width - 2);
      deps.terminal.warn(first!);
      for (const l of rest) deps.terminal.info(`  ${l}`);
    }
}
