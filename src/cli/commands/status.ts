import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  CLASSIC_PUBLISH_SETTINGS,
  commonFrom,
  examples,
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
    .option('--subscription <id|name>', 'subscription in the publish settings')
    .option('--job <name>', 'the job');
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep status',
    'diskprep status s:D:\\staging p:C:\\keys\\my.publishsettings',
    'diskprep status --staging /srv/staging --json',
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
            proxy: o.proxy as string | undefined,
            caFile: o.caFile as string | undefined,
          },
          deps,
        );
      },
    }),
  );
}
