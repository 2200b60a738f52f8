import type { Command } from 'commander';
import { addCommonOptions, commonFrom, examples, type SetInvocation } from '../common.ts';

/** `diskprep drives`: list disks, eligible or not and why. */
export function registerDrives(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('drives')
    .description(
      'list the disks of this computer: serial, model, size, bus, BitLocker state, and why a disk cannot be used',
    )
    .option('--all', 'also list loop, virtual and other non-disk block devices');
  addCommonOptions(cmd);
  examples(cmd, ['diskprep drives', 'diskprep drives --all --json']);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'drives',
      common: commonFrom(o),
      run: async (deps) => {
        const { drives } = await import('../../commands/drives/index.ts');
        await drives({ all: o.all === true }, deps);
      },
    }),
  );
}
