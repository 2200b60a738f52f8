/**
 * Helpers shared by the command registrations in `src/cli/commands/`: the common options,
 * repeatable options, and the invocation a command's action hands back to main.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommonOptions, Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import type { AzureOptions } from '../model/importJob.ts';
import { CLOUD_NAMES } from '../publishsettings/clouds.ts';
import { DEFAULT_SERVICE, retirementOf } from '../model/retiredServices.ts';
import { LOGIN_METHODS } from '../registry/signInRecord.ts';
import { TOKEN_CACHE_MODES } from '../signin/tokenCache.ts';

const CLASSIC_RETIRED_ON = retirementOf('classic')!.retiredOn;

/** The help of `p:`: which service reads it, and that the service is retired. */
export const CLASSIC_PUBLISH_SETTINGS = `the .publishsettings file for the classic service, retired on ${CLASSIC_RETIRED_ON}: new jobs use --service ${DEFAULT_SERVICE} (legacy: p:<file>)`;

/** The legacy forms in the top-level help; `p:` names the retired classic service. */
export const LEGACY_HELP = `
Legacy form (AzureOfflineBackupDiskPrep):
  diskprep s:<staging> [p:<file.publishsettings>]      prepare drives, create the job
  diskprep u: [s:<staging> p:<file.publishsettings>]   shipping details, job status
  p: is for the classic service (publish settings), retired on ${CLASSIC_RETIRED_ON}; new jobs:
  diskprep init --service ${DEFAULT_SERVICE} (Microsoft.DataBox customer-disk jobs), then s: without p:
`;

/** What parsing argv produced: the common options and the command to run with deps. */
export interface Invocation {
  command: string;
  common: CommonOptions;
  run(deps: Deps): Promise<void>;
}

/** Receives the invocation from a command's action. */
export type SetInvocation = (invocation: Invocation) => void;

/** Which optional common flags a command takes. */
export interface CommonFlags {
  /** `--yes`: take the default / confirm everything (needs the disk named explicitly). */
  yes?: boolean;
  /** `--dry-run`: print disk-changing commands instead of running them. */
  dryRun?: boolean;
  /** `--proxy`, `--ca-file`: the command talks to Azure. */
  network?: boolean;
}

/** The values of `-o/--output`: `json` is `--json`, `table` the human output (the default). */
export const OUTPUT_FORMATS = ['json', 'table'] as const;

/** Adds `--json`, `-o/--output`, `--verbose`, `--non-interactive` and the optional common flags. */
export function addCommonOptions(cmd: Command, flags: CommonFlags = {}): Command {
  cmd.option('--json', 'print the result as one JSON document on stdout');
  cmd.addOption(
    new Option(
      '-o, --output <format>',
      'json (= --json) or table (the human output, default)',
    ).choices(OUTPUT_FORMATS),
  );
  cmd.option('-v, --verbose', 'log every step (secrets redacted) on stderr');
  cmd.option('--non-interactive', 'never prompt: a missing answer exits 3 naming its flag');
  if (flags.yes)
    cmd.option('-y, --yes', 'answer yes to confirmations (scripts; implies --non-interactive)');
  if (flags.dryRun)
    cmd.option('--dry-run', 'print every command that would change a disk, run none of them');
  if (flags.network) {
    cmd.option(
      '--proxy <url>',
      'HTTP(S) proxy for every Azure call (default: HTTPS_PROXY / HTTP_PROXY, NO_PROXY)',
    );
    cmd.option(
      '--ca-file <pem>',
      'extra trusted CA certificates (PEM), e.g. for a TLS-inspecting proxy',
    );
  }
  return cmd;
}

/**
 * Reads the common options out of a command's parsed options.
 *
 * @throws UsageError when `--json` and `--output table` are both given
 */
export function commonFrom(opts: Record<string, unknown>): CommonOptions {
  if (opts.json === true && opts.output === 'table')
    throw new UsageError('--json and --output table ask for different outputs', {
      hint: 'pass one of them',
    });
  return {
    json: opts.json === true || opts.output === 'json',
    verbose: opts.verbose === true,
    nonInteractive: opts.nonInteractive === true || opts.yes === true,
    yes: opts.yes === true,
    dryRun: opts.dryRun === true,
    proxy: typeof opts.proxy === 'string' ? opts.proxy : undefined,
    caFile: typeof opts.caFile === 'string' ? opts.caFile : undefined,
  };
}

/**
 * True when raw argv asks for JSON (`--json`, `-o json`, `--output json`, `--output=json`,
 * `-ojson`): read before parsing, so an argument error can still answer in JSON.
 */
export function jsonRequested(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return false;
    if (a === '--json' || a === '--output=json' || a === '-ojson' || a === '-o=json') return true;
    if ((a === '-o' || a === '--output') && args[i + 1] === 'json') return true;
  }
  return false;
}

/** Accumulates a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a positive integer option value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a whole number above 0');
  return n;
}

/**
 * Parses an Azure subscription id (a GUID, any case; lower-cased as ARM writes it). A name is
 * refused here: ARM takes only ids, and a name would otherwise list nothing and look like an
 * empty subscription.
 */
export function subscriptionId(value: string): string {
  const id = value.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/.test(id))
    throw new InvalidArgumentError(
      'expected the subscription id (a GUID), not its name: see the ids with diskprep whoami',
    );
  return id;
}

/** An option restricted to a set of values. */
export function choiceOption(
  flags: string,
  description: string,
  choices: readonly string[],
): Option {
  return new Option(flags, description).choices(choices);
}

/** Appends an "Examples:" block to a command's help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/** Adds `--endpoint`, `--arm-endpoint`, `--cloud` and the sign-in options. */
export function addAzureOptions(cmd: Command): Command {
  cmd.option(
    '--endpoint <url>',
    'classic Service Management endpoint (default: from the publish settings)',
  );
  cmd.option('--arm-endpoint <url>', 'Azure Resource Manager endpoint (default: from the cloud)');
  cmd.addOption(new Option('--cloud <name>', 'Azure cloud').choices(CLOUD_NAMES));
  cmd.option(
    '--tenant <id>',
    'Entra ID tenant (directory) id to sign in to (default: AZURE_TENANT_ID)',
  );
  cmd.option(
    '--client-id <id>',
    "application (client) id signing in with --client-certificate (default: AZURE_CLIENT_ID), or of --login (default: Azure CLI's)",
  );
  cmd.option(
    '--client-certificate <file>',
    'sign in as an Entra ID application with its certificate: PEM (certificate and key) or PFX (default: AZURE_CLIENT_CERTIFICATE_PATH)',
  );
  cmd.option(
    '--client-certificate-password <pw>',
    'password of the PFX or of the PEM key; prefer AZURE_CLIENT_CERTIFICATE_PASSWORD (a flag shows in the process list)',
  );
  addSignInOptions(cmd);
  return cmd;
}

/** Adds `--login` and `--token-cache`: the operator's own sign-in. */
export function addSignInOptions(cmd: Command): Command {
  cmd.addOption(
    new Option(
      '--login <how>',
      'sign in as yourself, in a browser or with a device code (default without the flag: the saved sign-in, then a prompt when a terminal is there; browser on a desktop, else device code)',
    ).choices(LOGIN_METHODS),
  );
  cmd.addOption(
    new Option(
      '--token-cache <mode>',
      'where the sign-in is remembered: encrypted (DPAPI, Keychain, keyring), unencrypted (a 0600 file, where no keyring exists) or off (default: DISKPREP_TOKEN_CACHE, else encrypted)',
    ).choices(TOKEN_CACHE_MODES),
  );
  return cmd;
}

/** Reads the Azure options out of a command's parsed options. */
export function azureFrom(opts: Record<string, unknown>): AzureOptions {
  return {
    endpoint: typeof opts.endpoint === 'string' ? opts.endpoint : undefined,
    armEndpoint: typeof opts.armEndpoint === 'string' ? opts.armEndpoint : undefined,
    cloud: typeof opts.cloud === 'string' ? opts.cloud : undefined,
    tenant: str(opts.tenant),
    clientId: str(opts.clientId),
    clientCertificate: str(opts.clientCertificate),
    clientCertificatePassword: str(opts.clientCertificatePassword),
    login: str(opts.login) as AzureOptions['login'],
    tokenCache: str(opts.tokenCache),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
