/**
 * AzureOfflineBackupDiskPrep's tokens: `s:<staging>`, `p:<publishsettings>`, `u:`.
 * Case-insensitive, value glued after the first colon only (`s:C:\staging`,
 * `s:\\server\share\staging` keep their own colons and backslashes); a quoted path with
 * spaces arrives as one argv element and is kept whole, surrounding quotes stripped.
 *
 * They are rewritten to the modern form before commander sees argv:
 *   `s:X` → `--staging X`, `p:X` → `--publish-settings X`, `u:` → the `ship` command;
 *   with no subcommand, `s:` alone means `prepare`.
 */
import { UsageError } from '../errors.ts';

const LEGACY = /^([spu]):(.*)$/is;

/** Strips one pair of surrounding quotes a Windows shell may leave on a path. */
function unquote(value: string): string {
  if (
    value.length >= 2 &&
    ((value.startsWith('"') && value.endsWith('"')) ||
      (value.startsWith("'") && value.endsWith("'")))
  ) {
    return value.slice(1, -1);
  }
  return value;
}

/**
 * Rewrites legacy tokens in `args` (argv without node and script).
 *
 * @param args - the user's arguments
 * @param commands - names of the modern subcommands
 * @param valueOptions - long and short option spellings that take a value; a token right
 *   after one of them is that option's value and is never read as a legacy token
 */
export function rewriteLegacyArgs(
  args: readonly string[],
  commands: ReadonlySet<string>,
  valueOptions: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  let command: string | undefined;
  let sawUpdate = false;
  let sawStaging = false;
  let afterDoubleDash = false;
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (afterDoubleDash) {
      out.push(token);
      continue;
    }
    if (token === '--') {
      afterDoubleDash = true;
      out.push(token);
      continue;
    }
    if (token.startsWith('-')) {
      out.push(token);
      if (!token.includes('=') && valueOptions.has(token) && i + 1 < args.length) {
        out.push(args[++i]!);
      }
      continue;
    }
    const m = LEGACY.exec(token);
    if (m) {
      const key = m[1]!.toLowerCase();
      const value = unquote(m[2]!);
      if (key === 'u') {
        if (value !== '') {
          throw new UsageError(`u: takes no value (got "u:${value}")`, {
            hint: 'write u: alone, e.g. diskprep u: s:<staging> p:<file.publishsettings>',
          });
        }
        sawUpdate = true;
        continue;
      }
      if (value === '') {
        const what = key === 's' ? 'the staging location path' : 'the .publishsettings file path';
        throw new UsageError(`${key}: needs a value`, {
          hint: `glue ${what} to it, e.g. ${key}:${key === 's' ? 'D:\\staging' : 'C:\\my.publishsettings'}`,
        });
      }
      out.push(key === 's' ? '--staging' : '--publish-settings', value);
      if (key === 's') sawStaging = true;
      continue;
    }
    if (command === undefined && commands.has(token)) command = token;
    out.push(token);
  }
  if (command === undefined && sawUpdate) return ['ship', ...out];
  if (command !== undefined && sawUpdate) {
    throw new UsageError(`u: cannot be combined with the ${command} command`, {
      hint: 'use either u: or a subcommand',
    });
  }
  if (command === undefined && sawStaging) return ['prepare', ...out];
  return out;
}
