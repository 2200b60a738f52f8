/**
 * `diskprep logout [--json]`: forgets the saved sign-in (its AuthenticationRecord) and removes
 * the unencrypted token cache file; says what it removed. An encrypted store (DPAPI, Keychain,
 * keyring) is left as it is — it may be shared with other Azure tools — but without the record
 * diskprep no longer signs in from it.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskprepError } from '../../errors.ts';
import {
  readSignInRecord,
  removeSignInRecord,
  type SignInRecord,
} from '../../registry/signInRecord.ts';
import { removeCacheFile, tokenCacheFile } from '../../signin/tokenCache.ts';

/** Removes the saved sign-in and the unencrypted cache; prints what went. */
export async function logout(deps: Deps): Promise<void> {
  let saved: SignInRecord | undefined;
  try {
    saved = await readSignInRecord(deps);
  } catch (err) {
    // A damaged record is removed all the same: that is what logout is for.
    if (!(err instanceof DiskprepError)) throw err;
  }
  const recordFile = await removeSignInRecord(deps);
  const cacheFile =
    saved?.tokenCache.encrypted === true
      ? undefined
      : await removeCacheFile(deps, tokenCacheFile(deps));
  const removed = [
    ...(recordFile
      ? [{ what: 'saved sign-in', account: saved?.record.username ?? null, file: recordFile }]
      : []),
    ...(cacheFile
      ? [
          {
            what: saved ? 'unencrypted token cache' : 'token cache file',
            account: null,
            file: cacheFile,
          },
        ]
      : []),
  ];
  if (deps.output.jsonMode) {
    deps.output.json({ removed });
    return;
  }
  if (removed.length === 0) {
    deps.output.line('not signed in: nothing to remove');
    return;
  }
  for (const r of removed)
    deps.output.line(`removed the ${r.what}${r.account ? ` of ${r.account}` : ''}: ${r.file}`);
}
