/**
 * The saved sign-in on a real file system: written atomically with mode 0600, read back through
 * its schema (a damaged file is one usage error naming the file and field), used only against the
 * sign-in host, tenant and client it belongs to, and removed by logout even when damaged.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logout } from '../../src/commands/logout/index.ts';
import { UsageError } from '../../src/errors.ts';
import { interactiveSettings } from '../../src/importjob/token.ts';
import { resolveCloud } from '../../src/publishsettings/clouds.ts';
import {
  readSignInRecord,
  removeSignInRecord,
  saveSignInRecord,
  type SignInRecord,
  signInRecordFile,
} from '../../src/registry/signInRecord.ts';
import { SavedOrInteractiveSignIn } from '../../src/signin/interactive.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { tempDir } from '../helpers/tempDir.ts';

const RECORD: SignInRecord = {
  version: 1,
  method: 'device-code',
  authorityHost: 'https://login.microsoftonline.com',
  record: {
    authority: 'login.microsoftonline.com',
    homeAccountId: 'oid.tid',
    clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    tenantId: 'tid',
    username: 'operator@contoso.example',
  },
  tokenCache: {
    store: 'unencrypted file',
    encrypted: false,
    file: '/home/op/.IdentityService/diskprep',
  },
  savedAt: '2026-11-30T10:00:00.000Z',
};

function home() {
  const dir = tempDir('signin-record');
  return fakeDeps({ env: { DISKPREP_HOME: path.join(dir, 'diskprep'), HOME: dir } });
}

describe('the saved sign-in', () => {
  it('is written atomically with mode 0600 in a 0700 folder and read back as written', async () => {
    const { deps } = home();
    const file = await saveSignInRecord(deps, RECORD);
    expect(file).toBe(signInRecordFile(deps));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(file))).toEqual(['signin.json']);
    expect(await readSignInRecord(deps)).toEqual(RECORD);
    expect(await removeSignInRecord(deps)).toBe(file);
    expect(await removeSignInRecord(deps)).toBeUndefined();
    expect(await readSignInRecord(deps)).toBeUndefined();
  });

  it('a damaged file is one usage error naming the file and the field, and the fix', async () => {
    const { deps } = home();
    const file = signInRecordFile(deps);
    await mkdir(path.dirname(file), { recursive: true });
    const bad = { ...RECORD, record: { ...RECORD.record, username: 'op\u001b[2Jx' } };
    await writeFile(file, JSON.stringify(bad));
    const err = await readSignInRecord(deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      `the saved sign-in ${file} is invalid: record.username: must be text without control characters`,
    );
    expect((err as UsageError).hint).toContain('diskprep logout');
  });

  it('logout removes a damaged record all the same and says so', async () => {
    const { deps, recorded } = home();
    const file = signInRecordFile(deps);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{"version": 7}');
    await logout(deps);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    expect(recorded.stdout).toEqual([`removed the saved sign-in: ${file}`]);
  });

  it('a record of another sign-in host or tenant is not used: a script is "unavailable", no cache opened', async () => {
    const { deps, recorded } = home();
    await saveSignInRecord(deps, { ...RECORD, authorityHost: 'https://login.microsoftonline.us' });
    const cloud = resolveCloud(undefined);
    const settings = interactiveSettings(deps, cloud, undefined, {});
    const link = new SavedOrInteractiveSignIn(deps, settings, false);
    await expect(link.getToken(settings.scope)).rejects.toMatchObject({
      name: 'CredentialUnavailableError',
    });
    await saveSignInRecord(deps, RECORD);
    const otherTenant = interactiveSettings(deps, cloud, undefined, { tenant: 'another' });
    await expect(
      new SavedOrInteractiveSignIn(deps, otherTenant, false).getToken(settings.scope),
    ).rejects.toMatchObject({ name: 'CredentialUnavailableError' });
    expect(await link.cacheInUse()).toBeUndefined();
    expect(recorded.stderr).toEqual([]);
    expect(JSON.parse(await readFile(signInRecordFile(deps), 'utf8'))).toEqual(RECORD);
  });
});
