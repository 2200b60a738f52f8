/**
 * scripts/windows-acceptance.ps1 cannot run here (no Windows, no pwsh), so its structure is
 * checked: every diskprep invocation names a real command and only flags that command's --help
 * lists; the steps a maintainer needs are all there (drives, init offline, check, prepare on the
 * typed serial, verify); the disk is chosen by a typed serial and a system/boot disk refused;
 * brackets balance outside strings and comments (a cheap stand-in for the parser).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const SCRIPT = readFileSync(join(REPO_ROOT, 'scripts/windows-acceptance.ps1'), 'utf8');

/** `Invoke-Diskprep '<step>' @(<args>)` calls: step name and the array's elements as written. */
function invocations(): { step: string; args: string[] }[] {
  return [...SCRIPT.matchAll(/Invoke-Diskprep '([^']+)' @\(([^)]*)\)/g)].map((m) => ({
    step: m[1]!,
    args: m[2]!.split(',').map((a) => a.trim()),
  }));
}

/** A literal argument's text (`'--json'` → `--json`); undefined for a variable or expression. */
const literal = (a: string): string | undefined => /^'([^']*)'$/.exec(a)?.[1];

/** Removes strings and comments so brackets can be counted. */
function code(text: string): string {
  return text
    .replace(/<#[\s\S]*?#>/g, '')
    .replace(/'[^']*'/g, "''")
    .replace(/"(?:`.|[^"`])*"/g, '""')
    .replace(/#.*$/gm, '');
}

describe('scripts/windows-acceptance.ps1', () => {
  const program = buildProgram(
    '0.0.0',
    () => {},
    () => {},
  );
  const help = (name: string) => {
    const cmd = program.commands.find((c) => c.name() === name);
    return cmd?.helpInformation();
  };

  it('runs diskprep through drives, an offline init, check, prepare on the typed serial, and verify', () => {
    const calls = invocations();
    expect(calls.map((c) => c.step)).toEqual([
      'version',
      'drives',
      'init',
      'check',
      'prepare',
      'verify',
    ]);
    const prepare = calls.find((c) => c.step === 'prepare')!.args;
    expect(prepare.slice(prepare.indexOf("'--drive'"), prepare.indexOf("'--drive'") + 2)).toEqual([
      "'--drive'",
      '$disk.serial',
    ]);
    expect(prepare).toEqual(expect.arrayContaining(["'--offline'", "'--yes'"]));
    expect(calls.find((c) => c.step === 'init')!.args.join(', ')).toContain(
      "'--service', 'offline'",
    );
  });

  it('uses only commands and flags the CLI --help lists', () => {
    for (const { step, args } of invocations()) {
      const words = args.map(literal);
      if (words[0] === '--version') {
        expect(program.helpInformation()).toContain('--version');
        continue;
      }
      const text = help(words[0]!);
      expect(text, `${step}: no command ${words[0]}`).toMatch(
        new RegExp(`^Usage: diskprep ${words[0]} `),
      );
      for (const flag of words.filter((w): w is string => w?.startsWith('--') === true)) {
        expect(text, `${step}: diskprep ${words[0]} has no ${flag}`).toMatch(
          new RegExp(`(^|[\\s,])${flag}(\\s|$)`, 'm'),
        );
      }
    }
  });

  it('chooses the disk by a typed serial, twice, and refuses the system or boot disk', () => {
    expect(SCRIPT).toMatch(/Read-Host 'Type the serial number of the SPARE disk/);
    expect(SCRIPT).toMatch(
      /if \(\$win\.IsSystem -or \$win\.IsBoot -or \$disk\.system -or \$disk\.boot\)/,
    );
    expect(SCRIPT).toMatch(/Type the serial again/);
    // The recovery password goes to Unlock-BitLocker only, never into the report.
    expect(SCRIPT).toContain('-RecoveryPassword <from the journal>');
    expect(SCRIPT).toContain('RecoveryPassword $drive.bitLockerKey');
  });

  it('balances its brackets outside strings and comments', () => {
    const c = code(SCRIPT);
    for (const [open, close] of [
      ['(', ')'],
      ['{', '}'],
      ['[', ']'],
    ] as const) {
      expect(c.split(open).length, `${open}${close}`).toBe(c.split(close).length);
    }
  });
});
