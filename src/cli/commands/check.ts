import { type Command, Option } from 'commander';
import { SERVICES, type ServiceKind } from '../../model/services.ts';
import { DEFAULT_SERVICE, RETIRED_SUMMARY } from '../../model/retiredServices.ts';
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
    .option('--job <name>', 'the job')
    .addOption(
      new Option(
        '--service <kind>',
        `the Azure service (default: the job's; classic with p:, else ${DEFAULT_SERVICE}; ${RETIRED_SUMMARY})`,
      ).choices(SERVICES),
    )
    .option('--country <iso>', 'ISO country the drives ship from (Data Box SKU check)')
    .option(
      '--blob-endpoint <url>',
      'blob service URL of the storage account (default: from the cloud)',
    );
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep check s:D:\\staging p:C:\\keys\\my.publishsettings',
    'diskprep check --json',
    'diskprep check s:/srv/staging --country US --proxy http://user:secret@proxy:3128',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'check',
      common: commonFrom(o),
      run: async (deps) => {
        const common = commonFrom(o);
        const { check } = await import('../../commands/check/index.ts');
        await check(
          {
            azure: azureFrom(o),
            staging: o.staging as string | undefined,
            publishSettings: o.publishSettings as string | undefined,
            subscription: o.subscription as string | undefined,
            job: o.job as string | undefined,
            service: o.service as ServiceKind | undefined,
            country: o.country as string | undefined,
            blobEndpoint: o.blobEndpoint as string | undefined,
            proxy: common.proxy,
            caFile: common.caFile,
          },
          deps,
        );
      },
    }),
  );
}
