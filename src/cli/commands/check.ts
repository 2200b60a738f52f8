import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  commonFrom,
  examples,
  type SetInvocation,
} from '../common.ts';

/** `diskprep check`: can this job succeed from this computer? */
export function registerCheck(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('check')
    .description(
      'check prerequisites, OS tools, the staging location, the publish settings, connectivity and the subscription',
    )
    .option('-s, --staging <dir>', 'the staging location (legacy: s:<dir>)')
    .option('-p, --publish-settings <file>', 'the .publishsettings file (legacy: p:<file>)')
    .option('--subscription <id|name>', 'subscription in the publish settings')
    .option('--job <name>', 'the job');
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep check s:D:\\staging p:C:\\keys\\my.publishsettings',
    'diskprep check --json',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'check',
      common: commonFrom(o),
      run: async (deps) => {
        const { check } = await import('../../commands/check/index.ts');
        await check(
          {
            azure: azureFrom(o),
            staging: o.staging as string | undefined,
            publishSettings: o.publishSettings as string | undefined,
            subscription: o.subscription as string | undefined,
            job: o.job as string | undefined,
          },
          deps,
        );
      },
    }),
  );
}
