import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  commonFrom,
  examples,
  type SetInvocation,
} from '../common.ts';

/** `diskprep cancel`: cancel an import job while the service still allows it. */
export function registerCancel(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('cancel')
    .description(
      "cancel an import job while the service says it can be cancelled (the job's name typed back; scripts: --job and --yes)",
    )
    .option(
      '-s, --staging <dir>',
      'the staging location (legacy: s:<dir>; default: a job this computer knows)',
    )
    .option(
      '-p, --publish-settings <file>',
      'the .publishsettings file for the classic service (legacy: p:<file>)',
    )
    .option(
      '--subscription <id|name>',
      'the subscription (with --resource-group: a Data Box job by name)',
    )
    .option(
      '--resource-group <name>',
      'with --subscription and --job: a Data Box job created elsewhere',
    )
    .option('--job <name>', 'the job')
    .option('--reason <text>', 'why, as the service records it');
  addAzureOptions(cmd);
  addCommonOptions(cmd, { yes: true, network: true });
  examples(cmd, [
    'diskprep cancel --job seed01   # interactive: type the job name back',
    'diskprep cancel --job seed01 --reason "drive failed before shipping" --yes --json',
    'diskprep cancel --job backup-seed-1 --subscription <id> --resource-group rg-backup --yes',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'cancel',
      common: commonFrom(o),
      run: async (deps) => {
        const { cancel } = await import('../../commands/cancel/index.ts');
        await cancel(
          {
            azure: azureFrom(o),
            staging: o.staging as string | undefined,
            publishSettings: o.publishSettings as string | undefined,
            subscription: o.subscription as string | undefined,
            resourceGroup: o.resourceGroup as string | undefined,
            job: o.job as string | undefined,
            reason: o.reason as string | undefined,
            yes: o.yes === true,
            proxy: commonFrom(o).proxy,
          },
          deps,
        );
      },
    }),
  );
}
