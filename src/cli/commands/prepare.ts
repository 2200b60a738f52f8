import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  CLASSIC_PUBLISH_SETTINGS,
  collect,
  commonFrom,
  examples,
  positiveInt,
  type SetInvocation,
} from '../common.ts';
import type { PrepareOptions } from '../../commands/prepare/index.ts';
import { addReturnOptions, returnFrom } from '../returnOptions.ts';

/** `diskprep prepare` / `diskprep s:<staging>`: prepare drives, copy, create the job. */
export function registerPrepare(program: Command, set: SetInvocation): void {
  const cmd = declarePrepare(program.command('prepare'));
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'prepare',
      common: commonFrom(o),
      run: async (deps) => {
        const { prepare } = await import('../../commands/prepare/index.ts');
        await prepare(prepareOptionsFrom(o), deps, async (job) => {
          const { init } = await import('../../commands/init/index.ts');
          // stdout stays prepare's (one JSON document under --json): init's lines go to stderr.
          const output = {
            jsonMode: false,
            json: () => undefined,
            line: (t = '') => deps.terminal.info(t),
          };
          await init({ ...job, blobType: 'auto', force: false }, { ...deps, output });
        });
      },
    }),
  );
}

/** The options, help text and examples of `prepare`. */
function declarePrepare(command: Command): Command {
  const cmd = command
    .description(
      'prepare drives for a job: format + BitLocker (or unlock), copy with MD5, write the manifest, create the job (legacy: s:<staging>)',
    )
    .requiredOption('-s, --staging <dir>', 'the staging location (legacy: s:<dir>)')
    .option('-p, --publish-settings <file>', CLASSIC_PUBLISH_SETTINGS)
    .option('--subscription <id|name>', 'subscription in the publish settings')
    .option('--job <name>', 'the job (default: the only one in the staging location, else asked)')
    .option(
      '--target <dir>',
      'an already mounted and unlocked volume to fill (repeatable, one per drive: all filled at once)',
      collect,
    )
    .option(
      '--drive <disk>',
      'disk to prepare: serial, /dev/path or drive letter (repeatable, one per drive: all filled at once)',
      collect,
    )
    .option(
      '--drive-id <serial>',
      'drive id (hardware serial) per drive, in order, where the device reports none',
      collect,
    )
    .option(
      '--bitlocker-key <key>',
      '48-digit BitLocker recovery password per drive, in order',
      collect,
    )
    .option(
      '--already-encrypted',
      'the drives are BitLocker-encrypted already: unlock with --bitlocker-key',
    )
    .option('--already-formatted', 'keep the existing NTFS on an already encrypted drive')
    .option(
      '--discard-partial-drive <driveId>',
      'reuse a disk another job of this staging location left partly filled (its copy is lost; asks you to type the drive id)',
      collect,
    )
    .option(
      '--give-up-drive <driveId>',
      'a drive of this job that failed or was interrupted and will not come back: its files go to other drives (asks you to type the drive id)',
      collect,
    )
    .option(
      '--break-lock',
      'take over a lock held by a diskprep run on another computer that is gone',
    )
    .option('--offline', 'make no Azure call: write drive-info XML for the portal instead')
    .option('--all', 'offer loop and virtual devices too when asking which disk to prepare')
    .option('--location <name>', 'Import/Export location of a classic job recorded without one')
    .option('--ship-now', 'enter the shipping details right after creating the job')
    .option('--no-ship-now', 'do not ask to enter the shipping details now')
    .option('--carrier <name>', 'with --ship-now: carrier taking the drives to the datacenter')
    .option('--tracking-number <number>', 'with --ship-now: tracking number of the package')
    .option(
      '--drive-count <n>',
      'with --ship-now: number of drives in the package (default: drives prepared)',
      positiveInt,
    )
    .option('--ship-date <yyyy-mm-dd>', 'with --ship-now: ship date (default: today)');
  addReturnOptions(cmd);
  addAzureOptions(cmd);
  addCommonOptions(cmd, { yes: true, dryRun: true, network: true });
  examples(cmd, [
    'diskprep s:D:\\staging p:C:\\keys\\my.publishsettings   # interactive: asks which disk, then each answer',
    '# a BitLocker volume you unlocked and mounted yourself, no Azure call:',
    'diskprep prepare --staging /srv/staging --target /mnt/drive1 --drive-id WD-WMATV123456 --bitlocker-key "$BITLOCKER_KEY" --offline --yes',
    '# /dev/sdb: a disk BitLocker-encrypted on Windows, behind a USB bridge that hides its serial:',
    'diskprep prepare --staging /srv/staging --drive /dev/sdb --drive-id WD-WMATV123456 --already-encrypted --bitlocker-key "$BITLOCKER_KEY" --offline --yes',
    'diskprep s:/srv/staging --drive /dev/sdb --drive-id WD-WMATV123456 --already-encrypted --already-formatted --bitlocker-key "$BITLOCKER_KEY" \\',
    '    --return-name "Backup Ops" --return-phone "+1 425 555 0100" --return-email ops@example.org --return-street "1 Main St" \\',
    '    --return-city Redmond --return-state WA --return-postal-code 98052 --return-country US \\',
    '    --return-carrier FedEx --return-carrier-account "$ACCOUNT" --yes --json',
  ]);
  return cmd;
}

/** The parsed options as the prepare command takes them. */
function prepareOptionsFrom(o: Record<string, unknown>): PrepareOptions {
  return {
    azure: azureFrom(o),
    staging: o.staging as string,
    publishSettings: o.publishSettings as string | undefined,
    subscription: o.subscription as string | undefined,
    job: o.job as string | undefined,
    targets: (o.target as string[] | undefined) ?? [],
    drives: (o.drive as string[] | undefined) ?? [],
    driveIds: (o.driveId as string[] | undefined) ?? [],
    bitlockerKeys: (o.bitlockerKey as string[] | undefined) ?? [],
    alreadyEncrypted: o.alreadyEncrypted === true,
    alreadyFormatted: o.alreadyFormatted === true,
    offline: o.offline === true,
    breakLock: o.breakLock === true,
    discardPartialDrives: (o.discardPartialDrive as string[] | undefined) ?? [],
    giveUpDrives: (o.giveUpDrive as string[] | undefined) ?? [],
    yes: o.yes === true,
    allDisks: o.all === true,
    location: o.location as string | undefined,
    shipNow: o.shipNow as boolean | undefined,
    ship: {
      carrier: o.carrier as string | undefined,
      trackingNumber: o.trackingNumber as string | undefined,
      driveCount: o.driveCount as number | undefined,
      shipDate: o.shipDate as string | undefined,
      ...returnFrom(o),
    },
    ...(typeof o.proxy === 'string' ? { proxy: o.proxy } : {}),
    ...(typeof o.caFile === 'string' ? { caFile: o.caFile } : {}),
  };
}
