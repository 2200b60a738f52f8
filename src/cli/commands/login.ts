import type { Command } from 'commander';
import { Option } from 'commander';
import { CLOUD_NAMES } from '../../publishsettings/clouds.ts';
import {
  addCommonOptions,
  addSignInOptions,
  azureFrom,
  commonFrom,
  examples,
  type SetInvocation,
} from '../common.ts';

/** `diskprep login` and `diskprep logout`: the operator's own sign-in, remembered. */
export function registerLogin(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('login')
    .description(
      'sign in as yourself (browser, or a device code on a computer without a desktop) and remember it, so later commands sign in silently',
    );
  cmd.addOption(new Option('--cloud <name>', 'Azure cloud').choices(CLOUD_NAMES));
  cmd.option(
    '--tenant <id>',
    'Entra ID tenant (directory) to sign in to (default: AZURE_TENANT_ID, else your home tenant)',
  );
  cmd.option(
    '--client-id <id>',
    "application (client) id to sign in through (default: Azure CLI's public client)",
  );
  addSignInOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep login',
    'diskprep login --login device-code --tenant <tenant-id>',
    'diskprep login --cloud usgov --json',
    'diskprep login --token-cache unencrypted',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'login',
      common: commonFrom(o),
      run: async (deps) => {
        const { login } = await import('../../commands/login/index.ts');
        await login({ azure: azureFrom(o), proxy: commonFrom(o).proxy }, deps);
      },
    }),
  );
}

/** `diskprep logout`. */
export function registerLogout(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('logout')
    .description('forget the saved sign-in and remove the unencrypted token cache file');
  addCommonOptions(cmd);
  examples(cmd, ['diskprep logout', 'diskprep logout --json']);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'logout',
      common: commonFrom(o),
      run: async (deps) => {
        const { logout } = await import('../../commands/logout/index.ts');
        await logout(deps);
      },
    }),
  );
}
