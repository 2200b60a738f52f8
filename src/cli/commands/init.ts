import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  choiceOption,
  commonFrom,
  examples,
  type SetInvocation,
  subscriptionId,
} from '../common.ts';
import { SERVICES, type ServiceKind } from '../../model/services.ts';
import type { InitOptions } from '../../commands/init/index.ts';
import { DEFAULT_SERVICE, RETIRED_SUMMARY } from '../../model/retiredServices.ts';

/** `diskprep init s:<staging> --job ...`: record an import job in the staging location. */
export function registerInit(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('init')
    .description(
      'record an import job (name, service, storage account, container) in the staging location',
    )
    .requiredOption('-s, --staging <dir>', 'the staging location (legacy: s:<dir>)')
    .requiredOption('--job <name>', 'import job name')
    .addOption(
      choiceOption(
        '--service <kind>',
        `Azure service that runs the job (${RETIRED_SUMMARY}: new jobs use ${DEFAULT_SERVICE})`,
        SERVICES,
      ).default(DEFAULT_SERVICE),
    )
    .option(
      '--storage-account <name>',
      "destination storage account (asked from the subscription's accounts when missing)",
    )
    .option('--container <name>', 'destination container (required for a new job)')
    .option('--prefix <dir>', 'virtual directory inside the container')
    .option(
      '--subscription <id>',
      'subscription id (asked from the reachable ones when missing)',
      subscriptionId,
    )
    .option(
      '--resource-group <name>',
      "resource group (databox, importexport; asked from the subscription's when missing)",
    )
    .option('--location <region>', "Azure region of the job (default: the storage account's)")
    .addOption(
      choiceOption('--blob-type <type>', 'blob type of imported files', [
        'page',
        'block',
        'auto',
      ]).default('auto'),
    )
    .addOption(
      choiceOption(
        '--disposition <rule>',
        'when a blob of the same name exists in Azure: overwrite it, rename the new one (name (2).ext), or skip it (no-overwrite)',
        ['overwrite', 'rename', 'no-overwrite'],
      ).default('overwrite'),
    )
    .option('--data <subfolder>', 'the job covers only this subfolder of the staging location')
    .option(
      '--storage-account-key <key>',
      'classic jobs: storage account key for the drive manifest (prefer --container-sas), kept in the journal with mode 0600 (or env DISKPREP_STORAGE_ACCOUNT_KEY)',
    )
    .option(
      '--container-sas <sas>',
      'classic jobs: container SAS as <container>?<token> or the token alone (read, write, delete; valid 60+ days), kept with mode 0600 (or env DISKPREP_CONTAINER_SAS)',
    )
    .addOption(
      choiceOption(
        '--fetch-credential <kind>',
        'classic jobs: read a container SAS (rwdl, 90 days) or the account key through Azure for the drive manifest, kept with mode 0600, never shown',
        ['sas', 'key', 'none'],
      ),
    )
    .option('--force', 'replace an existing job descriptor of the same name')
    .option(
      '--amend',
      'change only the fields given of a recorded job (e.g. --location, --container-sas, --fetch-credential), keeping the rest',
    )
    .option(
      '--break-lock',
      'take over a lock held by a diskprep run on another computer that is gone',
    );
  addCommonOptions(cmd, { network: true });
  addAzureOptions(cmd);
  examples(cmd, [
    'diskprep init s:D:\\staging --job photos --container photos   # interactive: asks the subscription, storage account, resource group',
    'diskprep init --staging /srv/staging --job photos --subscription <id> --resource-group rg-backup --storage-account contosobackup --container photos --location westeurope --data Photos',
    'diskprep init s:D:\\staging --job photos --amend --location westeurope   # changes that field only',
    'diskprep init s:D:\\staging --job backup-2026 --service classic --subscription <id> --storage-account contosobackup --container seed --fetch-credential sas   # retired: existing seeds only',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'init',
      common: commonFrom(o),
      run: async (deps) => {
        const { init } = await import('../../commands/init/index.ts');
        const defaulted = ['service', 'blobType', 'disposition'].filter(
          (k) => cmd.getOptionValueSource(k) === 'default',
        );
        await init({ ...initOptionsFrom(o), defaulted }, deps);
      },
    }),
  );
}

/** The options of `init` from the parsed command line. */
export function initOptionsFrom(o: Record<string, unknown>): InitOptions {
  return {
    staging: o.staging as string,
    job: o.job as string,
    service: o.service as ServiceKind,
    storageAccount: o.storageAccount as string | undefined,
    container: o.container as string | undefined,
    prefix: o.prefix as string | undefined,
    subscription: o.subscription as string | undefined,
    resourceGroup: o.resourceGroup as string | undefined,
    location: o.location as string | undefined,
    blobType: o.blobType as 'page' | 'block' | 'auto',
    disposition: o.disposition as 'overwrite' | 'rename' | 'no-overwrite',
    data: o.data as string | undefined,
    force: o.force === true,
    amend: o.amend === true,
    breakLock: o.breakLock === true,
    storageAccountKey: o.storageAccountKey as string | undefined,
    containerSas: o.containerSas as string | undefined,
    fetchCredential: o.fetchCredential as 'sas' | 'key' | 'none' | undefined,
    azure: azureFrom(o),
    proxy: commonFrom(o).proxy,
  };
}
