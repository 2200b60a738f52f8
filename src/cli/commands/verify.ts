import type { Command } from 'commander';
import { addCommonOptions, collect, commonFrom, examples, type SetInvocation } from '../common.ts';

/** `diskprep verify --target <dir>`: re-read a prepared drive against its manifest. */
export function registerVerify(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('verify')
    .description('re-read every file in a drive manifest and check lengths and MD5 hashes')
    .requiredOption('--target <dir>', 'the mounted drive to verify (repeatable)', collect)
    .option(
      '-s, --staging <dir>',
      'staging location whose journal recorded the manifest hashes (legacy: s:<dir>)',
    )
    .option('--job <name>', 'the job in the staging location (default: all of its jobs)')
    .option(
      '--manifest-hash <md5>',
      'expected manifest MD5 per target, in order (from the drive-info XML)',
      collect,
    );
  addCommonOptions(cmd);
  examples(cmd, [
    'diskprep verify --target E:\\ s:D:\\staging',
    'diskprep verify --target /mnt/drive1 --staging /srv/staging --json',
    'diskprep verify --target /mnt/drive1 --manifest-hash 109B21108597EF36D5785F08303F3638',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'verify',
      common: commonFrom(o),
      run: async (deps) => {
        const { verify } = await import('../../commands/verify/index.ts');
        await verify(
          {
            targets: o.target as string[],
            staging: o.staging as string | undefined,
            job: o.job as string | undefined,
            manifestHashes: o.manifestHash as string[] | undefined,
          },
          deps,
        );
      },
    }),
  );
}
