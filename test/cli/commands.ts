/** The commands of diskprep in the order its help lists them (the CLI tests pin each one). */
export const COMMANDS = [
  'prepare',
  'ship',
  'status',
  'jobs',
  'cancel',
  'init',
  'plan',
  'drives',
  'verify',
  'verify-import',
  'check',
  'settings',
  'whoami',
  'login',
  'logout',
];

/** The pinned help text of `command` (undefined: the top-level help), a file snapshot. */
export function helpSnapshot(command?: string): string {
  return `__snapshots__/help/${command ?? 'diskprep'}.txt`;
}
