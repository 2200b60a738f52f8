/**
 * The `jobs` table, within the terminal's width (80 columns when it does not say): one aligned
 * row a job when everything fits; otherwise name, state, location and drives on the row and
 * the creation time and resource group on an indented line under it.
 */
import { alignColumns, textWidth } from '../../format.ts';
import type { JobSummary } from '../../model/importJob.ts';

/** The table's lines for `list`, none wider than `columns` when the values allow it. */
export function jobsTable(list: readonly JobSummary[], columns: number): string[] {
  const created = (j: JobSummary) =>
    j.createdAt ? j.createdAt.replace('T', ' ').slice(0, 16) : '-';
  const drives = (j: JobSummary) => (j.driveCount === undefined ? '-' : String(j.driveCount));
  const wide = alignColumns([
    ['NAME', 'STATE', 'LOCATION', 'DRIVES', 'CREATED (UTC)', 'RESOURCE GROUP'],
    ...list.map((j) => [
      j.name,
      j.serviceState,
      j.location ?? '-',
      drives(j),
      created(j),
      j.resourceGroup ?? '-',
    ]),
  ]);
  if (wide.every((l) => textWidth(l) <= columns)) return wide;
  const narrow = alignColumns([
    ['NAME', 'STATE', 'LOCATION', 'DRIVES'],
    ...list.map((j) => [j.name, j.serviceState, j.location ?? '-', drives(j)]),
  ]);
  return [
    narrow[0]!,
    ...list.flatMap((j, i) => [
      narrow[i + 1]!,
      `  created ${created(j)} UTC, resource group ${j.resourceGroup ?? '-'}`,
    ]),
  ];
}
