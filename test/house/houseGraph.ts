/**
 * The folder import graph of src/ and what is wrong with it against the house plan
 * (test/house/plan.ts). Import specifiers come from the TypeScript compiler's own pre-parser,
 * so `import type`, re-exports and dynamic `import()` all count and comments do not.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { FLOORS } from './plan.ts';

/** One import between two rooms, with the file and specifier that makes it. */
export interface RoomEdge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

/** The room of a path relative to src/: `engine`, `commands/ship`, `main.ts`. */
export function roomOf(relPath: string): string {
  const [top, sub] = relPath.split('/');
  const floor = FLOORS.find((f) => f.perSubfolder === top);
  return floor && sub !== undefined && relPath.split('/').length > 2 ? `${top}/${sub}` : top!;
}

/** The floor index of a room (0 is the top), or undefined for a room the plan does not know. */
export function floorOf(room: string): number | undefined {
  const top = room.split('/')[0]!;
  const i = FLOORS.findIndex((f) => f.rooms.includes(top));
  return i < 0 ? undefined : i;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every import between two different rooms of the sources under `srcDir`. */
export function roomEdges(srcDir: string): { files: number; edges: RoomEdge[] } {
  const files = sourceFiles(srcDir);
  const edges: RoomEdge[] = [];
  for (const file of files) {
    const rel = path.relative(srcDir, file).split(path.sep).join('/');
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(srcDir, path.resolve(path.dirname(file), specifier));
      const from = roomOf(rel);
      const to = roomOf(target.split(path.sep).join('/'));
      if (from !== to) edges.push({ from, to, file: rel, specifier });
    }
  }
  return { files: files.length, edges };
}

/** A cycle among the rooms as `a -> b -> a`, or undefined when there is none. */
export function findCycle(edges: readonly Pick<RoomEdge, 'from' | 'to'>[]): string | undefined {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (room: string): string | undefined => {
    const at = stack.indexOf(room);
    if (at >= 0) return [...stack.slice(at), room].join(' -> ');
    if (done.has(room)) return undefined;
    stack.push(room);
    for (const to of next.get(room) ?? []) {
      const cycle = visit(to);
      if (cycle) return cycle;
    }
    stack.pop();
    done.add(room);
    return undefined;
  };
  for (const room of [...next.keys()].sort()) {
    const cycle = visit(room);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every way `edges` break the plan: unknown rooms, arrows up, commands importing commands, a cycle. */
export function houseViolations(edges: readonly RoomEdge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    const from = floorOf(e.from);
    const to = floorOf(e.to);
    const where = `${e.file} imports ${e.specifier}`;
    if (from === undefined || to === undefined) {
      const room = from === undefined ? e.from : e.to;
      problems.push(`${where}: room ${room} is on no floor of test/house/plan.ts`);
    } else if (to < from) {
      problems.push(`${where}: ${e.from} (${FLOORS[from]!.name}) points up to ${e.to}`);
    } else if (FLOORS[from]!.name === 'commands' && to === from) {
      problems.push(`${where}: commands do not import each other (share it through flows/)`);
    }
  }
  const cycle = findCycle(edges);
  if (cycle) problems.push(`rooms import each other in a cycle: ${cycle}`);
  return problems;
}
