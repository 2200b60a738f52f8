import type { Command } from 'commander';
import { addCommonOptions, collect, commonFrom, examples, type SetInvocation } from '../common.ts';

/** `diskprep verify --target <dir>`: re-read a prepared drive against its manifest. */
export function registerVerify(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('verify')
    .description('re-read every file in a drive manifest and check lengths and MD5 hashes')
    .requiredOption('--target <dir>', 'the mounted drive to verify (repeatable)', collect);
  addCommonOptions(cmd);
  examples(cmd, ['diskprep verify --target E:\\', 'diskprep verify --target /mnt/drive1 --json']);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'verify',
      common: commonFrom(o),
      run: async (deps) => {
        const { verify } = await import('../../commands/verify/index.ts');
        await verify({ targets: o.target as string[] }, deps);
      },
    }),
  );
}
