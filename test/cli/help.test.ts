/**
 * The CLI contract pinned: the top-level help and every command's `--help`, as main prints them
 * (in-process through run() of src/main.ts, the binary's path), each one a file snapshot under
 * test/cli/__snapshots__/help/. A changed flag, description or example shows as a diff to review;
 * `npx vitest run test/cli/help.test.ts -u` accepts it. Every help exits 0 with nothing on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { runMain } from '../helpers/runMain.ts';
import { COMMANDS as LISTED, helpSnapshot } from './commands.ts';

/** Every command the program registers, read from it (a new command gets a snapshot too). */
const COMMANDS = buildProgram(
  '0.0.0',
  () => {},
  () => {},
).commands.map((c) => c.name());

// Commander wraps help at the terminal's width when stdout is a TTY; a pipe gets 80 columns, as
// here and in scripts.
const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
beforeAll(() => {
  Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
});
afterAll(() => {
  if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
  else delete (process.stdout as { isTTY?: boolean }).isTTY;
});

describe('--help of diskprep and of every command', () => {
  it('pins every command the program registers', () => {
    expect(COMMANDS).toEqual(LISTED);
  });

  it.each([
    ['diskprep', ['--help']],
    ['diskprep (no arguments)', []],
  ])('%s: the top-level help, exit 0', async (_name, args) => {
    const r = await runMain(args);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    await expect(r.stdout).toMatchFileSnapshot(helpSnapshot());
  });

  it.each(COMMANDS)('diskprep %s --help, exit 0', async (command) => {
    const r = await runMain([command, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    await expect(r.stdout).toMatchFileSnapshot(helpSnapshot(command));
  });
});
