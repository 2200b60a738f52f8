import { describe, expect, it } from 'vitest';
import { rewriteLegacyArgs } from '../../src/cli/legacyArgs.ts';
import { parseCommandLine } from '../../src/cli/program.ts';
import { UsageError } from '../../src/errors.ts';

const commands = new Set(['prepare', 'ship', 'status', 'settings', 'plan']);
const valueOptions = new Set(['--target', '--staging', '-s', '--job']);

describe('rewriteLegacyArgs', () => {
  it('maps s: and p: to prepare with the value glued after the first colon only', () => {
    expect(
      rewriteLegacyArgs(['s:C:\\staging', 'p:C:\\keys\\a.publishsettings'], commands, valueOptions),
    ).toEqual([
      'prepare',
      '--staging',
      'C:\\staging',
      '--publish-settings',
      'C:\\keys\\a.publishsettings',
    ]);
  });

  it('keeps UNC paths, spaces and is case-insensitive', () => {
    expect(
      rewriteLegacyArgs(
        ['S:\\\\server\\share\\my staging', 'P:"D:\\my keys\\x.publishsettings"'],
        commands,
        valueOptions,
      ),
    ).toEqual([
      'prepare',
      '--staging',
      '\\\\server\\share\\my staging',
      '--publish-settings',
      'D:\\my keys\\x.publishsettings',
    ]);
  });

  it('maps u: to ship, alone or with s: and p:', () => {
    expect(rewriteLegacyArgs(['u:'], commands, valueOptions)).toEqual(['ship']);
    expect(
      rewriteLegacyArgs(['U:', 's:/srv/st', 'p:/k.publishsettings'], commands, valueOptions),
    ).toEqual(['ship', '--staging', '/srv/st', '--publish-settings', '/k.publishsettings']);
  });

  it('turns legacy tokens after a modern subcommand into options', () => {
    expect(
      rewriteLegacyArgs(['settings', 'p:a.publishsettings', '--json'], commands, valueOptions),
    ).toEqual(['settings', '--publish-settings', 'a.publishsettings', '--json']);
  });

  it('never reads an option value as a legacy token', () => {
    expect(
      rewriteLegacyArgs(['prepare', '--target', 's:\\', '--job', 'p:x'], commands, valueOptions),
    ).toEqual(['prepare', '--target', 's:\\', '--job', 'p:x']);
  });

  it('rejects empty values and u: with a value', () => {
    expect(() => rewriteLegacyArgs(['s:'], commands, valueOptions)).toThrow(/s: needs a value/);
    expect(() => rewriteLegacyArgs(['p:'], commands, valueOptions)).toThrow(UsageError);
    expect(() => rewriteLegacyArgs(['u:now'], commands, valueOptions)).toThrow(/u: takes no value/);
    expect(() => rewriteLegacyArgs(['status', 'u:'], commands, valueOptions)).toThrow(
      /cannot be combined/,
    );
  });
});

describe('parseCommandLine', () => {
  it('builds a prepare invocation from legacy tokens', async () => {
    const parsed = await parseCommandLine(
      ['s:C:\\staging', 'p:C:\\x.publishsettings', '--json'],
      '1.0.0',
    );
    expect(parsed.kind).toBe('run');
    if (parsed.kind === 'run') {
      expect(parsed.invocation.command).toBe('prepare');
      expect(parsed.invocation.common.json).toBe(true);
      expect(parsed.invocation.common.nonInteractive).toBe(false);
    }
  });

  it('--yes implies non-interactive', async () => {
    const parsed = await parseCommandLine(['prepare', '--staging', '/s', '--yes'], '1.0.0');
    expect(parsed.kind === 'run' && parsed.invocation.common.nonInteractive).toBe(true);
  });

  it('unknown options and missing values are usage errors with one line', async () => {
    await expect(parseCommandLine(['prepare', '--staging', '/s', '--bogus'], '1')).rejects.toThrow(
      /unknown option '--bogus'/,
    );
    await expect(parseCommandLine(['plan', '--staging'], '1')).rejects.toBeInstanceOf(UsageError);
    await expect(parseCommandLine(['frobnicate'], '1')).rejects.toThrow(/unknown command/);
  });

  it('prints help and version as text', async () => {
    const help = await parseCommandLine(['--help'], '9.9.9');
    expect(help.kind === 'text' && help.text).toContain(
      'diskprep s:<staging> [p:<file.publishsettings>]',
    );
    const version = await parseCommandLine(['--version'], '9.9.9');
    expect(version.kind === 'text' && version.text.trim()).toBe('9.9.9');
  });
});
