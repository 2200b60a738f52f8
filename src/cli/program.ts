/**
 * argv → one {@link Invocation}. This layer only translates: commander parses, each command's
 * registration (in `./commands/`) maps its options to the typed options of one exported async
 * command function, which is imported lazily.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.ts';
import { rewriteLegacyArgs } from './legacyArgs.ts';
import { type Invocation, LEGACY_HELP, type SetInvocation } from './common.ts';
import { registerCommands } from './commands/index.ts';

/** The result of parsing argv. */
export type ParsedCommandLine =
  | { kind: 'run'; invocation: Invocation }
  /** Help or version was asked for: print `text` on stdout, exit 0. */
  | { kind: 'text'; text: string };

const DESCRIPTION =
  'Prepare SATA drives for an Azure import job: format + BitLocker, copy the staging data in one pass with MD5, write the drive manifest, create the job, record the shipment.';

/** Builds the commander program; `setInvocation` receives the chosen command. */
export function buildProgram(
  version: string,
  setInvocation: SetInvocation,
  write: (s: string) => void,
): Command {
  const program = new Command('diskprep');
  program
    .description(DESCRIPTION)
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: write,
      writeErr: write,
      // One line, no usage dump: main prints it like every other error.
      outputError: () => {},
    });
  program.addHelpText('before', LEGACY_HELP.trimStart() + '\n');
  program.addHelpText(
    'after',
    `
Examples:
  diskprep s:D:\\staging p:C:\\keys\\my.publishsettings   # interactive: asks which disk, then each answer
  diskprep prepare --staging /srv/staging --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes
  diskprep u: s:D:\\staging p:C:\\keys\\my.publishsettings   # interactive: asks the shipping details
  diskprep drives --json

Exit codes: 0 ok, 1 failure, 2 usage/bad input, 3 answer missing (non-interactive),
4 Azure refused/unreachable, 5 disk/OS tool failure, 130 interrupted.`,
  );
  registerCommands(program, setInvocation);
  for (const cmd of program.commands) {
    cmd.exitOverride().configureOutput({ writeOut: write, writeErr: write, outputError: () => {} });
    cmd.showSuggestionAfterError(true);
    checkRequiredAfterUnknown(cmd);
  }
  return program;
}

/**
 * Commander checks required options before unknown ones, so `prepare --stagign /x` would
 * report the missing --staging. The required options are checked instead in a preAction hook,
 * which runs after the unknown-option check: the typo is reported first, with its suggestion.
 */
function checkRequiredAfterUnknown(cmd: Command): void {
  const required = cmd.options.filter((o) => o.mandatory);
  for (const o of required) o.makeOptionMandatory(false);
  cmd.hook('preAction', () => {
    for (const o of required) {
      if (cmd.getOptionValue(o.attributeName()) === undefined)
        cmd.error(`error: required option '${o.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
    }
  });
}

/** Commander's message as one line: `unknown option '--x' (did you mean --y?)`. */
function oneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\(Did you mean/, '(did you mean'))
    .join(' ');
}

/** Every option spelling that takes a value, across all commands (for the legacy rewrite). */
function valueOptionsOf(program: Command): Set<string> {
  const set = new Set<string>();
  for (const cmd of [program, ...program.commands]) {
    for (const opt of cmd.options) {
      if (opt.required || opt.optional) {
        if (opt.long) set.add(opt.long);
        if (opt.short) set.add(opt.short);
      }
    }
  }
  return set;
}

/**
 * Parses the user's arguments (argv without node and script).
 *
 * @throws UsageError for unknown commands or options, missing values, bad values
 */
export async function parseCommandLine(
  args: readonly string[],
  version: string,
): Promise<ParsedCommandLine> {
  let invocation: Invocation | undefined;
  let text = '';
  const program = buildProgram(
    version,
    (inv) => (invocation = inv),
    (s) => (text += s),
  );
  const commands = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  const rewritten = rewriteLegacyArgs(args, commands, valueOptionsOf(program));
  if (rewritten.length === 0) {
    program.outputHelp();
    return { kind: 'text', text };
  }
  try {
    await program.parseAsync(rewritten, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return { kind: 'text', text };
      }
      throw new UsageError(oneLine(err.message), {
        hint: 'see diskprep --help',
        code: `ERR_DISKPREP_USAGE`,
      });
    }
    throw err;
  }
  if (!invocation) {
    throw new UsageError(`unknown command "${rewritten[0]}"`, { hint: 'see diskprep --help' });
  }
  return { kind: 'run', invocation };
}
