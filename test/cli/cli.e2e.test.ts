import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/paths.ts';
import { COMMANDS, helpSnapshot } from './commands.ts';

/** The help text pinned by help.test.ts: the binary prints exactly that. */
const pinned = (command?: string) =>
  readFileSync(new URL(helpSnapshot(command), import.meta.url), 'utf8');

describe('diskprep binary: CLI contract', () => {
  it('--help lists every command and the exit codes, exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toContain('130 interrupted');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(pinned());
  });

  it.each(COMMANDS)('%s --help has examples and exits 0', async (c) => {
    const r = await runCli([c, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`Usage: diskprep ${c}`);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toBe(pinned(c));
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown flag exits 2 with one line on stderr and nothing on stdout', async () => {
    const r = await runCli(['drives', '--frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('a missing option value exits 2 with one line', async () => {
    const r = await runCli(['plan', '--staging']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/argument missing/);
  });

  it('legacy s: with no value exits 2 and says how to fix it', async () => {
    const r = await runCli(['s:']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/s: needs a value — glue the staging location path/);
  });

  it('no stack trace reaches the operator', async () => {
    const r = await runCli(['u:bogus']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('diskprep binary on an old Node', () => {
  it('refuses Node < 22 with one line naming the fix, exit 2, no stack trace', async () => {
    const { execa } = await import('execa');
    const { BIN } = await import('../helpers/cli.ts');
    // Simulate an old runtime: the check reads process.versions.node before importing anything.
    const r = await execa(
      process.execPath,
      [
        '--import',
        'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})',
        BIN,
        '--version',
      ],
      { reject: false },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^diskprep: needs Node\.js 22\.22\.2 or newer/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('one Node floor everywhere: 22.22.1 is refused and 22.22.2 runs, as package.json engines says', async () => {
    const { execa } = await import('execa');
    const { BIN } = await import('../helpers/cli.ts');
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe('>=22.22.2');
    const as = (version: string) =>
      execa(
        process.execPath,
        [
          '--import',
          `data:text/javascript,Object.defineProperty(process.versions,"node",{value:"${version}"})`,
          BIN,
          '--version',
        ],
        { reject: false },
      );
    expect((await as('22.21.9')).exitCode).toBe(2);
    expect((await as('22.22.1')).exitCode).toBe(2);
    expect((await as('22.22.2')).exitCode).toBe(0);
    expect((await as('24.0.0')).exitCode).toBe(0);
  });
});

describe('diskprep binary run through its shebang', () => {
  it('starts with its node flags (env -S) and answers --version', async () => {
    const { execa } = await import('execa');
    const path = await import('node:path');
    const { BIN } = await import('../helpers/cli.ts');
    const r = await execa(BIN, ['--version'], {
      reject: false,
      env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
