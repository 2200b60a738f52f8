/**
 * The sign-in chain's order and selection, through its seams (no module mocking): which
 * credentials a run tries and in what order, how the first answer wins, and what the operator's
 * own sign-in does when it may not prompt. Azure PowerShell cannot run here (no pwsh): its place
 * in the chain is pinned by the plan, its behaviour is @azure/identity's.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { AzureError, InterruptedError, UsageError } from '../../src/errors.ts';
import {
  armTokenSource,
  chainPlan,
  firstToken,
  interactiveSettings,
  type NamedCredential,
} from '../../src/importjob/token.ts';
import { SavedOrInteractiveSignIn } from '../../src/signin/interactive.ts';
import { resolveCloud } from '../../src/publishsettings/clouds.ts';
import { hasDesktop, loginMethod } from '../../src/signin/loginMethod.ts';
import { tokenCacheMode } from '../../src/signin/tokenCache.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { tempDir } from '../helpers/tempDir.ts';

/** A credential that answers, is unavailable, or fails; records that it was asked. */
function credential(
  name: string,
  answer: 'token' | 'unavailable' | 'fails' | Error,
  asked: string[],
): NamedCredential {
  const cred: TokenCredential = {
    async getToken(): Promise<AccessToken> {
      asked.push(name);
      if (answer === 'token') return { token: `token-of-${name}`, expiresOnTimestamp: 1 };
      if (answer instanceof Error) throw answer;
      const err = new Error(`${name} says no`);
      err.name = answer === 'unavailable' ? 'CredentialUnavailableError' : 'AuthenticationError';
      throw err;
    },
  };
  return { name, credential: cred };
}

describe('chainPlan', () => {
  it('without flags: environment, managed identity, Azure CLI, Azure PowerShell, then the operator (prompting only with a terminal)', () => {
    expect(chainPlan({ certificate: false, login: false })).toEqual({
      links: [
        'EnvironmentCredential',
        'ManagedIdentityCredential',
        'AzureCliCredential',
        'AzurePowerShellCredential',
        'SignIn',
      ],
      mayPrompt: 'when-interactive',
    });
  });

  it('a certificate or --login is the one credential: the flags win over the environment', () => {
    expect(chainPlan({ certificate: true, login: false }).links).toEqual([
      'ClientCertificateCredential',
    ]);
    expect(chainPlan({ certificate: false, login: true })).toEqual({
      links: ['SignIn'],
      mayPrompt: 'always',
    });
  });
});

describe('firstToken', () => {
  const scope = 'https://management.azure.com/.default';

  it('passes over unavailable credentials and takes the first answer; later ones are never asked', async () => {
    const asked: string[] = [];
    const chain = [
      credential('EnvironmentCredential', 'unavailable', asked),
      credential('AzureCliCredential', 'unavailable', asked),
      credential('AzurePowerShellCredential', 'token', asked),
      credential('SignIn', 'token', asked),
    ];
    const { name, result } = await firstToken(chain, scope, false);
    expect(name).toBe('AzurePowerShellCredential');
    expect(result.token).toBe('token-of-AzurePowerShellCredential');
    expect(asked).toEqual([
      'EnvironmentCredential',
      'AzureCliCredential',
      'AzurePowerShellCredential',
    ]);
  });

  it('a credential that fails (not unavailable) stops the chain: exit 4 naming "not signed in" and diskprep login', async () => {
    const asked: string[] = [];
    const chain = [
      credential('AzureCliCredential', 'fails', asked),
      credential('SignIn', 'token', asked),
    ];
    const err = await firstToken(chain, scope, false).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AzureError);
    expect((err as AzureError).message).toMatch(
      /^cannot get an Azure sign-in token: not signed in/,
    );
    expect((err as AzureError).hint).toMatch(/^sign in with "diskprep login"/);
    expect(asked).toEqual(['AzureCliCredential']);
  });

  it('a diskprep error from a credential (sign in again, Ctrl-C) is reported as it is', async () => {
    const again = new AzureError('the saved sign-in of a@b has expired or was revoked', {
      hint: 'sign in again: diskprep login',
    });
    const chain = [
      credential('EnvironmentCredential', 'unavailable', []),
      credential('SignIn', again, []),
    ];
    await expect(firstToken(chain, scope, false)).rejects.toBe(again);
    const stop = new InterruptedError('the sign-in was interrupted');
    await expect(firstToken([credential('SignIn', stop, [])], scope, false)).rejects.toBe(stop);
  });
});

describe("the operator's sign-in in the chain", () => {
  const cloud = resolveCloud(undefined);

  it('a script without a saved sign-in: the link is unavailable (the chain passes on), nothing loaded or said', async () => {
    const home = tempDir('chain-home');
    const { deps, recorded } = fakeDeps({ env: { DISKPREP_HOME: home, HOME: home } });
    const settings = interactiveSettings(deps, cloud, undefined, { login: 'device-code' });
    const link = new SavedOrInteractiveSignIn(deps, settings, false);
    const err = await link.getToken(settings.scope).catch((e: unknown) => e);
    expect((err as Error).name).toBe('CredentialUnavailableError');
    expect((err as Error).message).toBe('no saved sign-in, and no terminal to sign in at');
    expect(await link.cacheInUse()).toBeUndefined();
    expect(recorded.stderr).toEqual([]);
  });

  it('--login with --client-certificate: exit 2 before any network call', () => {
    const { deps } = fakeDeps();
    expect(() =>
      armTokenSource(deps, cloud, undefined, {
        login: 'device-code',
        tenant: 't',
        clientId: 'c',
        clientCertificate: 'app.pem',
      }),
    ).toThrow(UsageError);
  });

  it('--client-id alone names the application of the operator sign-in (no longer a usage error)', () => {
    const { deps } = fakeDeps();
    expect(armTokenSource(deps, cloud, undefined, { clientId: 'app' }).source).toBe(
      '@azure/identity',
    );
  });
});

describe('loginMethod', () => {
  const on = (platform: NodeJS.Platform, env: Record<string, string> = {}) => ({ platform, env });

  it('a desktop gets the browser, a headless computer the device code', () => {
    expect(hasDesktop(on('win32'))).toBe(true);
    expect(hasDesktop(on('darwin'))).toBe(true);
    expect(hasDesktop(on('linux'))).toBe(false);
    expect(loginMethod(undefined, on('linux', { WAYLAND_DISPLAY: 'wayland-0' }))).toBe('browser');
    expect(loginMethod(undefined, on('linux', { DISPLAY: ':0' }))).toBe('browser');
    expect(loginMethod(undefined, on('linux'))).toBe('device-code');
    expect(loginMethod('device-code', on('win32'))).toBe('device-code');
  });

  it('--login browser without a desktop is a usage error pointing to device-code (no silent switch)', () => {
    expect(() => loginMethod('browser', on('linux'))).toThrow(/--login browser needs a desktop/);
    expect(loginMethod('browser', on('linux', { DISPLAY: ':1' }))).toBe('browser');
  });
});

describe('tokenCacheMode', () => {
  it('the flag wins over DISKPREP_TOKEN_CACHE; encrypted by default; a bad variable names itself', () => {
    expect(tokenCacheMode(undefined, {})).toBe('encrypted');
    expect(tokenCacheMode(undefined, { DISKPREP_TOKEN_CACHE: 'unencrypted' })).toBe('unencrypted');
    expect(tokenCacheMode('off', { DISKPREP_TOKEN_CACHE: 'unencrypted' })).toBe('off');
    expect(() => tokenCacheMode(undefined, { DISKPREP_TOKEN_CACHE: 'plain' })).toThrow(
      /DISKPREP_TOKEN_CACHE=plain is not a token cache mode/,
    );
  });
});
