/**
 * The house plan: every room of src/ and the floor it stands on, top to bottom. A file may
 * import from its own room and from rooms on lower floors; rooms on the same floor may import
 * each other as long as no cycle forms (commands never import each other). Read by
 * eslint.config.js (`no-restricted-imports` per floor, so `npm run lint` refuses an upward
 * import) and by test/house/layers.test.ts (the whole folder graph, dynamic imports included,
 * follows the floors and has no cycle). README "Development" draws the same house.
 *
 * Plain data without TypeScript-only syntax: eslint.config.js imports this file directly.
 */

/** One floor: its name and its rooms (folders under src/, or top-level files of src/). */
export interface Floor {
  name: string;
  rooms: readonly string[];
  /** Rooms of this floor are `<folder>/<name>/`, one room per subfolder. */
  perSubfolder?: string;
}

/** Top to bottom. */
export const FLOORS: readonly Floor[] = [
  { name: 'process boundary', rooms: ['main.ts', 'createDeps.ts'] },
  { name: 'cli', rooms: ['cli'] },
  { name: 'commands', rooms: ['commands'], perSubfolder: 'commands' },
  { name: 'flows', rooms: ['flows'], perSubfolder: 'flows' },
  {
    name: 'domain',
    rooms: [
      'importjob',
      'storage',
      'engine',
      'staging',
      'journal',
      'registry',
      'disk',
      'publishsettings',
      'model',
      'signin',
    ],
  },
  { name: 'support', rooms: ['fsutil', 'deps', 'errors.ts', 'redact.ts', 'format.ts'] },
];

/** The folder or top-level file names of the rooms on floor `index` and every floor above it. */
export function roomsAbove(index: number): string[] {
  return FLOORS.slice(0, index).flatMap((f) => f.rooms);
}
