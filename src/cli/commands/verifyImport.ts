import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  commonFrom,
  examples,
  type SetInvocation,
} from '../common.ts';

/** `diskprep verify-import s:<staging>`: compare the container with the manifests. */
export function registerVerifyImport(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('verify-import')
    .description(
      'after the import: list the container and compare every blob with the drive manifests',
    )
    .requiredOption('-s, --staging <dir>', 'the staging location (legacy: s:<dir>)')
    .option('--job <name>', 'the job')
    .option(
      '--read',
      'also download every block / page range and compare its MD5 (reads the whole import: egress is billed)',
    );
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep verify-import s:D:\\staging',
    'diskprep verify-import --staging /srv/staging --job photos --json',
    'diskprep verify-import s:/srv/staging --read',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'verify-import',
      common: commonFrom(o),
      run: async (deps) => {
        const { verifyImport } = await import('../../commands/verify-import/index.ts');
        const common = commonFrom(o);
        await verifyImport(
          {
            azure: azureFrom(o),
            staging: o.staging as string,
            job: o.job as string | undefined,
            read: o.read === true,
            proxy: common.proxy,
            caFile: common.caFile,
          },
          deps,
        );
      },
    }),
  );
}
