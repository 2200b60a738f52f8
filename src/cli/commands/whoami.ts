import type { Command } from 'commander';
import {
  addAzureOptions,
  addCommonOptions,
  azureFrom,
  commonFrom,
  examples,
  type SetInvocation,
} from '../common.ts';

/** `diskprep whoami`: who the Azure sign-in is, and what it reaches. */
export function registerWhoami(program: Command, set: SetInvocation): void {
  const cmd = program
    .command('whoami')
    .description(
      'sign in as the Azure commands do and show who that is: tenant, account, token expiry, the credential used and the subscriptions reachable (never the token)',
    );
  addAzureOptions(cmd);
  addCommonOptions(cmd, { network: true });
  examples(cmd, [
    'diskprep whoami',
    'diskprep whoami --tenant <tenant-id> --client-id <app-id> --client-certificate app.pem --json',
    'diskprep whoami --client-certificate app.pfx --client-certificate-password "$PFX_PASSWORD" --tenant <tenant-id> --client-id <app-id>',
  ]);
  cmd.action((o: Record<string, unknown>) =>
    set({
      command: 'whoami',
      common: commonFrom(o),
      run: async (deps) => {
        const { whoami } = await import('../../commands/whoami/index.ts');
        await whoami({ azure: azureFrom(o), proxy: commonFrom(o).proxy }, deps);
      },
    }),
  );
}
