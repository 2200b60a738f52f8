/**
 * `diskprep login [--login browser|device-code] [--tenant <id>] [--cloud <name>] [--json]`: signs
 * the operator in (a browser, or a device code whose message goes to stderr), keeps the tokens in
 * the persistent cache and saves the AuthenticationRecord, so every later command — another
 * process, a week later — signs in silently. Prints who signed in and where the sign-in is kept;
 * never a token.
 */
import type { Deps } from '../../deps/types.ts';
import { AzureError, DiskprepError, UsageError } from '../../errors.ts';
import { certificateSignIn } from '../../importjob/clientCertificate.ts';
import { serviceEndpoints } from '../../importjob/endpoints.ts';
import { interactiveSettings } from '../../importjob/token.ts';
import { entraReason } from '../../signin/entraReason.ts';
import { screenColumns, wrapLines } from '../../format.ts';
import type { AzureOptions } from '../../model/importJob.ts';
import { credentialName, signInInteractively } from '../../signin/interactive.ts';
import { openTokenCache } from '../../signin/tokenCache.ts';

/** Options of {@link login}. */
export interface LoginOptions {
  azure: AzureOptions;
  proxy?: string | undefined;
}

/** Signs in interactively, saves the sign-in and prints the account. */
export async function login(options: LoginOptions, deps: Deps): Promise<void> {
  if (certificateSignIn({ ...options.azure, clientId: undefined }, deps.env))
    throw new UsageError(
      'diskprep login signs you in; an application signs in with its certificate',
      {
        hint: 'pass --client-certificate to each command instead (or unset AZURE_CLIENT_CERTIFICATE_PATH to log in)',
      },
    );
  const endpoints = serviceEndpoints(options.azure, deps.env);
  const settings = interactiveSettings(deps, endpoints.cloud, options.proxy, options.azure);
  const cache = await openTokenCache(deps, settings.cacheMode);
  let result;
  try {
    ({ result } = await signInInteractively(deps, settings, cache));
  } catch (err) {
    if (err instanceof DiskprepError) throw err;
    throw new AzureError(`the ${settings.method} sign-in failed: ${entraReason(err)}`, {
      code: 'ERR_DISKPREP_AZURE_AUTH',
      hint: 'run diskprep login again (a device code is valid for 15 minutes)',
      cause: err,
    });
  }
  const { record } = result;
  const doc = {
    account: record.username,
    tenant: record.tenantId,
    homeAccountId: record.homeAccountId,
    clientId: record.clientId,
    cloud: endpoints.cloud.name,
    authority: endpoints.login,
    credential: credentialName(result.method),
    tokenCache: cache ? { store: cache.store, encrypted: cache.encrypted, file: cache.file } : null,
    savedSignIn: result.recordFile ?? null,
  };
  if (deps.output.jsonMode) {
    deps.output.json(doc);
    return;
  }
  // Wrapped to the screen (80 columns off a terminal): the account and paths make long lines.
  const lines = [
    `signed in as ${record.username} (tenant ${record.tenantId}) with ${doc.credential}`,
    ...(cache
      ? [
          `tokens kept in: ${cache.store}${cache.encrypted ? '' : ' (mode 0600)'}, ${cache.file}`,
          `saved sign-in: ${result.recordFile}`,
        ]
      : ['not remembered: no token cache, the next command signs in again']),
  ];
  for (const l of wrapLines(lines, screenColumns(deps.terminal))) deps.output.line(l);
}
