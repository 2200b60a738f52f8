import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  CLASSIC_PUBLISH_SETTINGS,
  commonFrom,
  examples,
  positiveInt,
  type SetInvocation,
} from '../common.ts';

/** `diskprep status`: job and drive states, copy progress, errors from the service's logs. */
export function registerStatus(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('status')
    .description(
      "show the job's state, each drive's state and copy progress, errors from the service's logs, and what to do next",
    )
    .option(
      '-s, --staging <dir>',
      'the staging location (legacy: s:<dir>; default: a job this computer created)',
    )
    .option('-p, --publish-settings <file>', CLASSIC_PUBLISH_SETTINGS)
    .option(
      '--subscription <id|name>',
      'subscription (classic: in the publish settings; with --resource-group: a Data Box job by name)',
    )
    .option(
      '--resource-group <name>',
      "with --subscription and --job: a Data Box job created elsewhere, then kept in this computer's job list",
    )
    .option('--job <name>', 'the job')
    .option('--watch', 'refresh until the job changes state, then print the new state')
    .option(
      '--interval <seconds>',
      'with --watch: seconds between refreshes (default 60)',
      positiveInt,
    );
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep status',
    'diskprep status s:D:\\staging p:C:\\keys\\my.publishsettings',
    'diskprep status --staging /srv/staging --json',
    'diskprep status --job seed01 --watch --interval 5',
    'diskprep status --job backup-seed-1 --subscription <id> --resource-group rg-backup',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'status',
      common: commonFrom(o),
      run: async (deps) => {
        const { status } = await import('../../commands/status/index.ts');
        await status(
          {
            azure: azureFrom(o),
            staging: o.staging as string | undefined,
            publishSettings: o.publishSettings as string | undefined,
            subscription: o.subscription as string | undefined,
            job: o.job as string | undefined,
            resourceGroup: o.resourceGroup as string | undefined,
            watch: o.watch === true,
            intervalSeconds: o.interval as number | undefined,
            proxy: o.proxy as string | undefined,
            caFile: o.caFile as string | undefined,
          },
          deps,
        );
      },
    }),
  );
}
