/**
 * The operator's own sign-in, end to end with the built binary against the loopback Entra
 * authority (TLS, test CA, instance discovery off) and the fake ARM, as an operator lives it on a
 * headless copy computer without a keyring (so the unencrypted cache is opted into):
 * `diskprep login --login device-code` in a real terminal shows the code, the test approves it,
 * login prints the account; later processes sign in from the cache without a prompt; an expired
 * access token is refreshed silently; a revoked refresh token stops a script with "sign in
 * again" and makes an interactive run ask again; logout forgets it all. No access token, refresh
 * token or device code reaches a screen, stdout, stderr or the saved files.
 *
 * "A week later" is the cache file as it is then: its access tokens past their expiry (the test
 * rewrites their `expires_on`, the one thing time changes in the file).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPki } from '../fakes/certs.ts';
import type { FakeArm } from '../fakes/fakeArm.ts';
import { type FakeEntra, OPERATOR } from '../fakes/fakeEntra.ts';
import { runCli } from '../helpers/cli.ts';
import { type SignInFakes, startSignInFakes } from '../helpers/fakeServices.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { startInteractive, type TmuxSession } from '../helpers/tmux.ts';

const USER = OPERATOR;
const TENANT = USER.tenant;

let fakes: SignInFakes;
let pki: TestPki;
let entra: FakeEntra;
let arm: FakeArm;
let home: string;
let env: Record<string, string>;
/** Everything the operator saw: every screen, stdout and stderr. */
const seen: string[] = [];

beforeAll(async () => {
  ({ pki, entra, arm } = fakes = await startSignInFakes());
  home = tempDir('login-home');
  env = {
    HOME: home,
    DISKPREP_HOME: path.join(home, '.config', 'diskprep'),
    DISKPREP_TOKEN_CACHE: 'unencrypted',
    AZURE_AUTHORITY_HOST: entra.url,
    NODE_EXTRA_CA_CERTS: pki.caFile,
    PATH: process.env.PATH ?? '',
  };
});
afterAll(async () => {
  expect(entra.violations).toEqual([]);
  expect(arm.violations).toEqual([]);
  await fakes.stop();
});

const cacheFile = () => path.join(home, '.IdentityService', 'diskprep');
const recordFile = () => path.join(home, '.config', 'diskprep', 'signin.json');

/** A script's run (no terminal): only the variables above, nothing from the runner. */
async function script(args: string[]) {
  const r = await runCli(args, { env: { ...env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined } });
  seen.push(r.stdout, r.stderr);
  return r;
}

function whoami(extra: string[] = []) {
  return script(['whoami', '--arm-endpoint', arm.url, ...extra]);
}

/** Waits for the device code on the screen, approves it at the authority, returns the screen. */
async function approveOnScreen(session: TmuxSession): Promise<string> {
  const screen = await session.waitFor(/enter the code ([0-9A-F]{9}) to authenticate/);
  const code = /enter the code ([0-9A-F]{9})/.exec(screen)![1]!;
  entra.approve(code);
  return code;
}

/** Access tokens in the cache file expire now (what a week does to the file). */
async function ageCache(): Promise<void> {
  const cache = JSON.parse(await readFile(cacheFile(), 'utf8')) as {
    AccessToken: Record<string, { expires_on: string; extended_expires_on?: string }>;
  };
  const past = String(Math.floor(Date.now() / 1000) - 60);
  for (const t of Object.values(cache.AccessToken)) {
    t.expires_on = past;
    t.extended_expires_on = past;
  }
  await writeFile(cacheFile(), JSON.stringify(cache));
}

const tokenGrants = (from: number) =>
  entra.requests.slice(from).filter((r) => r.path.endsWith('/token'));
const deviceCodeRequests = (from: number) =>
  entra.requests.slice(from).filter((r) => r.path.endsWith('/devicecode'));

describe('the operator signs in once with a device code and stays signed in', () => {
  it('login --login device-code in a terminal: the code on screen, approved, the account printed; cache and record 0600', async () => {
    // As an earlier run of the plugin leaves it: world-readable. diskprep brings it to 0600.
    await mkdir(path.dirname(cacheFile()), { recursive: true });
    await writeFile(cacheFile(), '', { mode: 0o644 });
    const session = await startInteractive(
      ['login', '--login', 'device-code', '--tenant', TENANT],
      { env },
    );
    try {
      const code = await approveOnScreen(session);
      expect(await session.exitCode()).toBe(0);
      const screen = await session.screen();
      seen.push(screen);
      expect(screen).toContain(
        `signed in as ${USER.upn} (tenant ${TENANT}) with DeviceCodeCredential`,
      );
      expect(screen).toContain(`tokens kept in: unencrypted file (mode 0600), ${cacheFile()}`);
      expect(screen).toContain(`saved sign-in: ${recordFile()}`);
      expect(entra.deviceCodes.map((c) => c.userCode)).toEqual([code]);
    } finally {
      await session.kill();
    }
    expect((await stat(cacheFile())).mode & 0o777).toBe(0o600);
    expect((await stat(recordFile())).mode & 0o777).toBe(0o600);
    const record = JSON.parse(await readFile(recordFile(), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({
      method: 'device-code',
      record: {
        username: USER.upn,
        tenantId: TENANT,
        clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      },
      tokenCache: { encrypted: false, file: cacheFile() },
    });
    // The cache holds the refresh token (that is its job); the record holds none.
    expect(await readFile(cacheFile(), 'utf8')).toContain(entra.refreshTokens.at(-1)!);
    seen.push(await readFile(recordFile(), 'utf8'));
  });

  it('a second process signs in from the cache: no prompt, not one request to the authority', async () => {
    const before = entra.requests.length;
    const r = await whoami(['--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      credential: 'DeviceCodeCredential (saved sign-in)',
      tenant: TENANT,
      account: { upn: USER.upn, objectId: USER.objectId },
      tokenCache: { store: 'unencrypted file', encrypted: false, file: cacheFile() },
      savedSignIn: { account: USER.upn, file: recordFile() },
    });
    expect(r.stderr).toBe('');
    expect(tokenGrants(before)).toEqual([]);
    expect(deviceCodeRequests(before)).toEqual([]);
    expect(arm.requests.at(-1)!.authorization).toBe(`Bearer ${fakes.token}`);
  });

  it('an expired access token is refreshed silently with the refresh token (one refresh_token grant)', async () => {
    await ageCache();
    const before = entra.requests.length;
    const refreshes = entra.refreshGrants;
    // --verbose: every ARM call logged, secrets redacted (the leak check below reads it too).
    const r = await whoami(['--verbose']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`signed in as ${USER.upn}`);
    expect(r.stdout).toContain(`token cache: unencrypted file, mode 0600: ${cacheFile()}`);
    expect(entra.refreshGrants).toBe(refreshes + 1);
    expect(tokenGrants(before).map((g) => g.form?.grant_type)).toEqual(['refresh_token']);
    expect(deviceCodeRequests(before)).toEqual([]);
    expect((await stat(cacheFile())).mode & 0o777).toBe(0o600);
  });

  it('two processes at once on an aged cache: both sign in silently, the cache stays whole and 0600', async () => {
    await ageCache();
    const before = entra.requests.length;
    const [a, b] = await Promise.all([whoami(['--json']), whoami(['--json'])]);
    for (const r of [a, b]) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        credential: 'DeviceCodeCredential (saved sign-in)',
      });
    }
    expect(deviceCodeRequests(before)).toEqual([]);
    const grants = tokenGrants(before).map((g) => g.form?.grant_type);
    expect(grants.length).toBeGreaterThanOrEqual(1);
    expect(new Set(grants)).toEqual(new Set(['refresh_token']));
    const cache = JSON.parse(await readFile(cacheFile(), 'utf8')) as { RefreshToken: object };
    expect(Object.keys(cache.RefreshToken)).toHaveLength(1);
    expect((await stat(cacheFile())).mode & 0o777).toBe(0o600);
  });

  it('the authority unreachable a week later: one line naming the saved sign-in and the reason, exit 4', async () => {
    await ageCache();
    entra.down = true;
    try {
      const r = await whoami();
      expect(r.exitCode).toBe(4);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        `diskprep: the saved sign-in of ${USER.upn} could not be used: the sign-in host could not be reached — check the connection to the sign-in host (--proxy, --ca-file), or sign in again: diskprep login`,
      ]);
    } finally {
      entra.down = false;
    }
  });

  it('a revoked refresh token: a script exits 4 in one line (sign in again); a terminal asks for a new device code', async () => {
    await ageCache();
    entra.revokeRefreshTokens();
    const r = await whoami();
    expect(r.exitCode).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `diskprep: the saved sign-in of ${USER.upn} has expired or was revoked (Entra ID asks for a new sign-in) — sign in again: diskprep login`,
    ]);
    const codes = entra.deviceCodes.length;
    const session = await startInteractive(['whoami', '--arm-endpoint', arm.url], { env });
    try {
      await session.waitFor('has expired or was revoked: sign in again');
      await approveOnScreen(session);
      expect(await session.exitCode()).toBe(0);
      const screen = await session.screen();
      seen.push(screen);
      expect(screen).toContain(`signed in as ${USER.upn}`);
      expect(screen).toContain('with DeviceCodeCredential');
    } finally {
      await session.kill();
    }
    expect(entra.deviceCodes.length).toBe(codes + 1);
    // The new sign-in is saved: a script is silent again.
    const again = await whoami();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('(saved sign-in)');
  });

  it('Ctrl-C while the device code waits: exit 130, the saved sign-in untouched; the same command again signs in', async () => {
    const saved = await readFile(recordFile(), 'utf8');
    const first = await startInteractive(['login', '--login', 'device-code'], { env });
    try {
      await first.waitFor(/enter the code [0-9A-F]{9}/);
      await first.keys('C-c');
      expect(await first.exitCode()).toBe(130);
      const screen = await first.screen();
      seen.push(screen);
      expect(screen).toContain('diskprep: the sign-in was interrupted');
      expect(screen).not.toMatch(/\n\s+at /);
    } finally {
      await first.kill();
    }
    expect(await readFile(recordFile(), 'utf8')).toBe(saved);
    const again = await startInteractive(['login', '--login', 'device-code'], { env });
    try {
      await approveOnScreen(again);
      expect(await again.exitCode()).toBe(0);
      const screen = await again.screen();
      seen.push(screen);
      expect(screen).toContain(`signed in as ${USER.upn}`);
    } finally {
      await again.kill();
    }
  });

  it('logout removes the saved sign-in and the unencrypted cache; whoami then says not signed in', async () => {
    const out = await script(['logout']);
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stdout).toBe(
      `removed the saved sign-in of ${USER.upn}: ${recordFile()}\nremoved the unencrypted token cache: ${cacheFile()}\n`,
    );
    await expect(stat(recordFile())).rejects.toThrow(/ENOENT/);
    await expect(stat(cacheFile())).rejects.toThrow(/ENOENT/);
    const before = entra.requests.length;
    const r = await whoami();
    expect(r.exitCode).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not signed in .*Azure PowerShell.* — sign in with "diskprep login"/);
    expect(entra.requests.length).toBe(before);
    expect((await script(['logout'])).stdout).toBe('not signed in: nothing to remove\n');
  });

  it('no keyring and no opt-in: one warning, the device code on stderr only, signed in but nothing saved', async () => {
    const before = entra.deviceCodes.length;
    const run = runCli(
      ['login', '--login', 'device-code', '--token-cache', 'encrypted', '--json'],
      {
        env: { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: undefined },
      },
    );
    while (entra.deviceCodes.length === before) await new Promise((r) => setTimeout(r, 50));
    entra.approve(entra.deviceCodes.at(-1)!.userCode);
    const r = await run;
    seen.push(r.stdout, r.stderr);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      '⚠ no Secret Service keyring (libsecret) to keep the sign-in in: it is not remembered — to keep it in an unencrypted file (mode 0600) instead, pass --token-cache unencrypted or set DISKPREP_TOKEN_CACHE=unencrypted',
      expect.stringMatching(
        /^To sign in, use a web browser to open the page https:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code [0-9A-F]{9} to authenticate\.$/,
      ),
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      account: USER.upn,
      tenant: TENANT,
      credential: 'DeviceCodeCredential',
      tokenCache: null,
      savedSignIn: null,
    });
    await expect(stat(recordFile())).rejects.toThrow(/ENOENT/);
  });

  it('--login browser on a computer without a desktop: exit 2, one line pointing to device-code', async () => {
    const r = await script(['login', '--login', 'browser']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'diskprep: --login browser needs a desktop to open the browser on, and this computer has none (no DISPLAY or WAYLAND_DISPLAY) — sign in with --login device-code: the code is entered in a browser on any other device',
    ]);
  });

  it('no access token, refresh token or device code ever reached a screen, stdout, stderr or the record', () => {
    const secrets = [
      fakes.token,
      ...entra.refreshTokens,
      ...entra.deviceCodes.map((c) => c.deviceCode),
    ];
    expect(entra.refreshTokens.length).toBeGreaterThanOrEqual(3);
    const all = seen.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
  });
});
