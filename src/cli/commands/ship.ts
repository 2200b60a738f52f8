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
import { addReturnOptions, returnFrom } from '../returnOptions.ts';

/** `diskprep ship` / `diskprep u:`: enter shipping details and mark the job shipped. */
export function registerShip(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('ship')
    .description(
      'show the job and drive states, enter carrier, tracking number and return details, update the job (legacy: u:)',
    )
    .option('-s, --staging <dir>', 'the staging location (legacy: s:<dir>)')
    .option('-p, --publish-settings <file>', CLASSIC_PUBLISH_SETTINGS)
    .option('--subscription <id|name>', 'subscription in the publish settings')
    .option('--job <name>', 'the job (default: the one waiting for shipping details)')
    .option('--carrier <name>', 'carrier taking the drives to the datacenter')
    .option('--tracking-number <number>', 'tracking number of the package')
    .option(
      '--drive-count <n>',
      'number of drives in the package (default: drives prepared)',
      positiveInt,
    )
    .option('--ship-date <yyyy-mm-dd>', 'ship date (default: today)')
    .option(
      '--break-lock',
      'take over a lock held by a diskprep run on another computer that is gone',
    );
  addReturnOptions(cmd);
  addAzureOptions(cmd);
  addCommonOptions(cmd, { yes: true, network: true });
  examples(cmd, [
    'diskprep u:   # interactive: the job waiting for shipping details, then each answer',
    'diskprep u: s:D:\\staging p:C:\\keys\\my.publishsettings   # interactive',
    'diskprep ship --staging /srv/staging --carrier FedEx --tracking-number 123456789012 \\',
    '    --return-name "Backup Ops" --return-phone "+1 425 555 0100" --return-email ops@example.org --return-street "1 Main St" \\',
    '    --return-city Redmond --return-state WA --return-postal-code 98052 --return-country US \\',
    '    --return-carrier FedEx --return-carrier-account "$ACCOUNT" --yes --json',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'ship',
      common: commonFrom(o),
      run: async (deps) => {
        const { ship } = await import('../../commands/ship/index.ts');
        await ship(
          {
            azure: azureFrom(o),
            staging: o.staging as string | undefined,
            publishSettings: o.publishSettings as string | undefined,
            subscription: o.subscription as string | undefined,
            job: o.job as string | undefined,
            carrier: o.carrier as string | undefined,
            trackingNumber: o.trackingNumber as string | undefined,
            driveCount: o.driveCount as number | undefined,
            shipDate: o.shipDate as string | undefined,
            ...returnFrom(o),
            yes: o.yes === true,
            breakLock: o.breakLock === true,
            proxy: commonFrom(o).proxy,
          },
          deps,
        );
      },
    }),
  );
}
