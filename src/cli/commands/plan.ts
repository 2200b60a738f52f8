import type { Command } from 'commander';
import { addCommonOptions, commonFrom, examples, type SetInvocation } from '../common.ts';

/** `diskprep plan s:<staging> --drive-size 8TB`: how many drives, which files on each. */
export function registerPlan(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('plan')
    .description('say how many drives a job needs and which files go on each')
    .requiredOption('-s, --staging <dir>', 'the staging location (legacy: s:<dir>)')
    .option('--job <name>', 'the job (default: the only one in the staging location)')
    .requiredOption(
      '--drive-size <size>',
      'capacity of each drive: 500GB, 1TB, 8TB or bytes (1 GB = 10^9 bytes)',
    );
  addCommonOptions(cmd);
  examples(cmd, [
    'diskprep plan s:D:\\staging --drive-size 8TB',
    'diskprep plan --staging /srv/staging --job photos --drive-size 1TB --json',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'plan',
      common: commonFrom(o),
      run: async (deps) => {
        const { plan } = await import('../../commands/plan/index.ts');
        await plan(
          {
            staging: o.staging as string,
            job: o.job as string | undefined,
            driveSize: o.driveSize as string,
          },
          deps,
        );
      },
    }),
  );
}
