import type { Command } from 'commander';
import { addCommonOptions, commonFrom, examples, type SetInvocation } from '../common.ts';

/** `diskprep settings p:<file>`: show what a .publishsettings file holds (never the key). */
export function registerSettings(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('settings')
    .description(
      'show the subscriptions and management certificate of a .publishsettings file (never the private key)',
    )
    .requiredOption('-p, --publish-settings <file>', 'the .publishsettings file (legacy: p:<file>)')
    .option('--subscription <id|name>', 'show only this subscription');
  addCommonOptions(cmd);
  examples(cmd, [
    'diskprep settings p:C:\\keys\\my.publishsettings',
    'diskprep settings --publish-settings my.publishsettings --json',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'settings',
      common: commonFrom(o),
      run: async (deps) => {
        const { settings } = await import('../../commands/settings/index.ts');
        await settings(
          {
            publishSettings: o.publishSettings as string,
            subscription: o.subscription as string | undefined,
          },
          deps,
        );
      },
    }),
  );
}
