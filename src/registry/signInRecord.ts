/**
 * The saved interactive sign-in: @azure/identity's AuthenticationRecord (account, tenant,
 * authority host, client id — no token, no secret) plus how the operator signed in, in
 * `<diskprep home>/signin.json` (`~/.config/diskprep`, `%APPDATA%\diskprep`, DISKPREP_HOME; see
 * ./localJobs.ts). A second process hands the record to the credential so MSAL finds the
 * account's tokens in the persistent cache and signs in silently. The one owner of that file:
 * written atomically with mode 0600 (it names the account), read back as untrusted input.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Deps } from '../deps/types.ts';
import { writeFileAtomic } from '../fsutil/atomicWrite.ts';
import { readJsonFile } from '../fsutil/readJsonFile.ts';
import { removeIfPresent } from '../fsutil/removeFile.ts';
import { localHome } from './localJobs.ts';

/** The interactive sign-ins diskprep offers. */
export const LOGIN_METHODS = ['browser', 'device-code'] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];

const text = z
  .string()
  .min(1)
  .max(512)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f]*$/, 'must be text without control characters');

/** @azure/identity's AuthenticationRecord, field by field. */
export const AuthenticationRecordSchema = z.object({
  authority: text,
  homeAccountId: text,
  clientId: text,
  tenantId: text,
  username: text,
});
export type SavedAuthenticationRecord = z.infer<typeof AuthenticationRecordSchema>;

/** The file's content. */
export const SignInRecordSchema = z.object({
  version: z.literal(1),
  method: z.enum(LOGIN_METHODS),
  /** The sign-in host the record belongs to (a record is only used against the same host). */
  authorityHost: text,
  record: AuthenticationRecordSchema,
  /** Where the tokens are kept (`whoami` says so, `logout` removes an unencrypted file). */
  tokenCache: z.object({ store: text, encrypted: z.boolean(), file: text }),
  savedAt: z.iso.datetime({ offset: true }),
});
export type SignInRecord = z.infer<typeof SignInRecordSchema>;

type RecordDeps = Pick<Deps, 'env' | 'platform' | 'fs'>;

/** Where the record lives. */
export function signInRecordFile(deps: Pick<Deps, 'env' | 'platform'>): string {
  return path.join(localHome(deps), 'signin.json');
}

/**
 * The saved sign-in, or undefined when there is none.
 *
 * @throws UsageError (exit 2) naming the file and field when it is damaged
 */
export async function readSignInRecord(deps: RecordDeps): Promise<SignInRecord | undefined> {
  const file = signInRecordFile(deps);
  return readJsonFile(deps.fs, file, SignInRecordSchema, {
    what: 'the saved sign-in',
    hint: `delete ${file} (diskprep logout) and sign in again: diskprep login`,
  });
}

/** Saves the record atomically, mode 0600; returns the file. */
export async function saveSignInRecord(deps: RecordDeps, record: SignInRecord): Promise<string> {
  const file = signInRecordFile(deps);
  await deps.fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const data = SignInRecordSchema.parse(record);
  await writeFileAtomic(deps.fs, file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** Forgets the saved sign-in; returns the file when there was one. */
export async function removeSignInRecord(deps: RecordDeps): Promise<string | undefined> {
  const file = signInRecordFile(deps);
  return (await removeIfPresent(deps.fs, file)) ? file : undefined;
}
