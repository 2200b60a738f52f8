import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  commonFrom,
  examples,
  type SetInvocation,
  subscriptionId,
} from '../common.ts';

/** `diskprep jobs`: the Data Box customer-disk jobs of a subscription or resource group. */
export function registerJobs(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('jobs')
    .description(
      "list the Data Box customer-disk jobs of a subscription or resource group (state, drives, created); --adopt takes a job created elsewhere under diskprep's care",
    )
    .option('--subscription <id>', 'the Azure subscription (its id)', subscriptionId)
    .option('--resource-group <name>', 'only the jobs of this resource group')
    .option(
      '--adopt <name>',
      "record this job (made in the portal or by Azure Backup) in this computer's job list, for u:, status and cancel",
    )
    .option('-s, --staging <dir>', 'with --adopt: the staging location to file the job under');
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep jobs --subscription 00000000-1111-2222-3333-444444444444',
    'diskprep jobs --subscription <id> --resource-group rg-backup --json',
    'diskprep jobs --adopt backup-seed-1 --subscription <id> --resource-group rg-backup --staging D:\\staging',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'jobs',
      common: commonFrom(o),
      run: async (deps) => {
        const { jobs } = await import('../../commands/jobs/index.ts');
        await jobs(
          {
            azure: azureFrom(o),
            subscription: o.subscription as string | undefined,
            resourceGroup: o.resourceGroup as string | undefined,
            adopt: o.adopt as string | undefined,
            staging: o.staging as string | undefined,
            proxy: commonFrom(o).proxy,
          },
          deps,
        );
      },
    }),
  );
}
