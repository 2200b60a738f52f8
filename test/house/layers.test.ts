/**
 * Arrows only point down: the folder graph of src/ follows the floors of test/house/plan.ts
 * and has no cycle, and `npm run lint` (ESLint with the project's own config) refuses an
 * upward import.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';
import { findCycle, houseViolations, roomEdges, roomOf, type RoomEdge } from './houseGraph.ts';

const SRC = path.join(REPO_ROOT, 'src');

const edge = (file: string, specifier: string): RoomEdge => {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return { from: roomOf(file), to: roomOf(target), file, specifier };
};

describe('the house checker', () => {
  it('names an arrow that points up, with the file and specifier that make it', () => {
    const problems = houseViolations([
      edge('journal/jobs.ts', '../cli/common.ts'),
      edge('fsutil/atomicWrite.ts', '../engine/copyJob.ts'),
      edge('flows/ship/index.ts', '../../commands/ship/index.ts'),
      edge('engine/copyJob.ts', '../journal/copyState.ts'),
    ]);
    expect(problems).toEqual([
      'journal/jobs.ts imports ../cli/common.ts: journal (domain) points up to cli',
      'fsutil/atomicWrite.ts imports ../engine/copyJob.ts: fsutil (support) points up to engine',
      'flows/ship/index.ts imports ../../commands/ship/index.ts: flows/ship (flows) points up to commands/ship',
    ]);
  });

  it('refuses a cycle between rooms of one floor, a command importing another, and an unknown room', () => {
    expect(
      findCycle([edge('engine/a.ts', '../journal/b.ts'), edge('journal/b.ts', '../staging/c.ts')]),
    ).toBeUndefined();
    expect(
      houseViolations([
        edge('engine/a.ts', '../journal/b.ts'),
        edge('journal/b.ts', '../staging/c.ts'),
        edge('staging/c.ts', '../engine/a.ts'),
        edge('commands/verify/index.ts', '../prepare/index.ts'),
        edge('attic/x.ts', '../model/job.ts'),
      ]),
    ).toEqual([
      'commands/verify/index.ts imports ../prepare/index.ts: commands do not import each other (share it through flows/)',
      'attic/x.ts imports ../model/job.ts: room attic is on no floor of test/house/plan.ts',
      'rooms import each other in a cycle: engine -> journal -> staging -> engine',
    ]);
  });
});

describe('src/', () => {
  it('follows the plan: every import between rooms points down or sideways, and none forms a cycle', () => {
    const { files, edges } = roomEdges(SRC);
    expect(files).toBeGreaterThan(100);
    // The walk sees the real arrows (a static, a type-only and a dynamic import).
    expect(edges).toContainEqual(expect.objectContaining({ from: 'engine', to: 'journal' }));
    expect(edges).toContainEqual(expect.objectContaining({ from: 'cli', to: 'model' }));
    expect(edges).toContainEqual(
      expect.objectContaining({
        from: 'cli',
        to: 'commands/ship',
        specifier: '../../commands/ship/index.ts',
      }),
    );
    expect(houseViolations(edges)).toEqual([]);
  });
});

describe('npm run lint', () => {
  // The project's own eslint.config.js, on one file at a path inside a room; type-aware parsing
  // and every other rule are left out so this stays a second or two.
  const eslint = new ESLint({
    cwd: REPO_ROOT,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
  const lint = async (file: string, specifier: string): Promise<string[]> => {
    const code = `import type { Probe } from '${specifier}';\n\nexport type Again = Probe;\n`;
    const [result] = await eslint.lintText(code, { filePath: path.join(SRC, file) });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  };

  it('fails on a domain room importing cli/, and on support importing a domain room', async () => {
    expect(await lint('journal/houseProbe.ts', '../cli/common.ts')).toEqual([
      `no-restricted-imports: '../cli/common.ts' import is restricted from being used by a pattern. domain is below cli: arrows only point down (README "Development"); move what both need down a floor`,
    ]);
    expect(await lint('disk/linux/houseProbe.ts', '../../flows/prepare/flow.ts')).toHaveLength(1);
    expect(await lint('fsutil/houseProbe.ts', '../journal/jobs.ts')).toEqual([
      expect.stringContaining('support is below journal'),
    ]);
    expect(await lint('flows/ship/houseProbe.ts', '../../commands/ship/index.ts')).toEqual([
      expect.stringContaining('flows is below commands'),
    ]);
  });

  it('passes the same file importing down a floor', async () => {
    expect(await lint('journal/houseProbe.ts', '../model/job.ts')).toEqual([]);
    expect(await lint('cli/houseProbe.ts', '../commands/ship/index.ts')).toEqual([]);
  });
});
