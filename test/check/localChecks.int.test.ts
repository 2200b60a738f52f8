import { chmod, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkElevation, IS_ADMIN_SCRIPT } from '../../src/flows/check/elevation.ts';
import { checkOsTools, LINUX_TOOLS } from '../../src/flows/check/osTools.ts';
import { BITLOCKER_PROBE } from '../../src/flows/check/windowsBitLocker.ts';
import { checkStaging } from '../../src/flows/check/staging.ts';
import { createExec } from '../../src/deps/exec.ts';
import { ps } from '../disk/windowsSeam.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { makeStaging } from '../helpers/staging.ts';
import { CHECK_DATA, checkJob } from './helpers.ts';

/** A PATH directory holding symlinks to the real tools, minus `omit`, plus fake scripts. */
async function toolDir(omit: string[], fakes: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'diskprep-check-path-'));
  for (const t of LINUX_TOOLS) {
    if (omit.includes(t.name) || t.name in fakes) continue;
    const real = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'].map((d) => path.join(d, t.name));
    for (const r of real) {
      try {
        await symlink(r, path.join(dir, t.name));
        await import('node:fs/promises').then((f) => f.access(r));
        break;
      } catch {
        await import('node:fs/promises').then((f) => f.rm(path.join(dir, t.name), { force: true }));
      }
    }
  }
  for (const [name, script] of Object.entries(fakes)) {
    await writeFile(path.join(dir, name), script);
    await chmod(path.join(dir, name), 0o755);
  }
  return dir;
}

describe('elevation', () => {
  it('root passes; uid 1000 fails with the fix (sudo)', async () => {
    expect((await checkElevation(fakeDeps({ uid: 0 }).deps, true)).status).toBe('ok');
    const r = await checkElevation(fakeDeps({ uid: 1000 }).deps, true);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('uid 1000');
    expect(r.fix).toMatch(/sudo/);
  });

  it('Windows: WindowsPrincipal.IsInRole(Administrator), through PowerShell with -ExecutionPolicy Bypass', async () => {
    const isAdmin = ps(IS_ADMIN_SCRIPT);
    const admin = fakeDeps({ platform: 'win32', exec: [{ command: isAdmin, stdout: 'True\r\n' }] });
    expect((await checkElevation(admin.deps, true)).status).toBe('ok');
    expect(admin.recorded.commands[0]!.command).toContain('-ExecutionPolicy Bypass');
    const user = fakeDeps({ platform: 'win32', exec: [{ command: isAdmin, stdout: 'False\r\n' }] });
    const r = await checkElevation(user.deps, true);
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/Run as administrator/);
  });

  it('is skipped when no drive is prepared', async () => {
    expect((await checkElevation(fakeDeps({ uid: 1000 }).deps, false)).status).toBe('skip');
  });
});

describe('OS tools (real binaries found on deps.env.PATH)', () => {
  function deps(pathVar: string) {
    const f = fakeDeps({ env: { PATH: pathVar } });
    f.deps.exec = createExec({ dryRun: false, terminal: f.deps.terminal });
    return f.deps;
  }

  it('all present: every tool ✓ with its version line', async () => {
    const dir = await toolDir([]);
    const results = await checkOsTools(deps(dir), true);
    for (const r of results) expect(r.status, `${r.id}: ${r.detail}`).toBe('ok');
    expect(results.find((r) => r.id === 'tool:lsblk')!.detail).toMatch(/util-linux/);
  });

  it('dislocker missing from PATH: ✗ with the Debian package to install; optional blkid missing only warns', async () => {
    const dir = await toolDir(['dislocker', 'blkid']);
    const results = await checkOsTools(deps(dir), true);
    const d = results.find((r) => r.id === 'tool:dislocker')!;
    expect(d.status).toBe('fail');
    expect(d.fix).toBe('install it: sudo apt-get install dislocker');
    expect(results.find((r) => r.id === 'tool:blkid')!.status).toBe('warn');
    expect(results.find((r) => r.id === 'tool:ntfs-3g')!.status).toBe('ok');
  });

  it('a tool that is present but broken fails with its exit code and last line', async () => {
    const dir = await toolDir([], {
      cryptsetup:
        '#!/bin/sh\necho "cryptsetup: error while loading shared libraries: libcryptsetup.so.12" >&2\nexit 127\n',
    });
    const results = await checkOsTools(deps(dir), true);
    const c = results.find((r) => r.id === 'tool:cryptsetup')!;
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('exited with 127');
    expect(c.detail).toContain('libcryptsetup.so.12');
    expect(c.fix).toContain('cryptsetup-bin');
  });

  it('Windows: cmdlets and manage-bde through the exec seam', async () => {
    const ok = fakeDeps({
      platform: 'win32',
      exec: [
        {
          command: /^powershell\.exe .*Get-Command Get-Disk, Get-BitLockerVolume/,
          stdout: 'Get-Disk\r\nGet-BitLockerVolume\r\n',
        },
        {
          command: ps(BITLOCKER_PROBE),
          stdout: '{"Feature":true,"SystemDrive":"C:","VolumeStatus":"FullyEncrypted"}',
        },
        {
          command: /^manage-bde /,
          stdout: 'BitLocker Drive Encryption: Configuration Tool version 10.0.19041\n',
        },
      ],
    });
    expect((await checkOsTools(ok.deps, true)).map((r) => [r.id, r.status])).toEqual([
      ['tool:cmdlets', 'ok'],
      ['tool:bitlocker', 'ok'],
      ['tool:manage-bde', 'ok'],
    ]);
    const noBitLocker = fakeDeps({
      platform: 'win32',
      exec: [
        {
          command: /^powershell\.exe /,
          stdout: 'Get-Disk\r\n',
          stderr: "Get-Command : The term 'Get-BitLockerVolume' is not recognized",
          exitCode: 1,
        },
        { command: /^manage-bde /, stderr: "'manage-bde' is not recognized", exitCode: 1 },
      ],
    });
    const r = await checkOsTools(noBitLocker.deps, true);
    expect(r[0]!.status).toBe('fail');
    expect(r[0]!.detail).toContain('Get-BitLockerVolume');
    expect(r[1]!.status).toBe('fail');
    expect(r[2]!.status).toBe('fail');
  });
});

describe('staging', () => {
  it('reads the job, sizes its data (walkJobFiles), and measures free space', async () => {
    const dir = makeStaging([checkJob({ data: 'data' })], CHECK_DATA);
    const { deps } = fakeDeps();
    const s = await checkStaging(deps, dir, undefined);
    const by = Object.fromEntries(s.results.map((r) => [r.id, r]));
    expect(by.staging!.status).toBe('ok');
    expect(by.job!.status).toBe('ok');
    expect(by['data-size']!.data).toEqual({ files: 2, bytes: 4096 + 5 });
    expect(by['journal-space']!.status).toBe('ok');
    expect((by['journal-space']!.data as { freeBytes: number }).freeBytes).toBeGreaterThan(0);
  });

  it('little room beside the staging data: the warning says what the journal needs and what diskprep wants free, the fix the same figure', async () => {
    const dir = makeStaging([checkJob({ data: 'data' })], CHECK_DATA);
    const { deps } = fakeDeps();
    // 100 MiB free: over the 64 MiB the journal needs, under the 4 times that diskprep wants.
    deps.fs = { ...deps.fs, statfs: async () => ({ bavail: 100, bsize: 1024 * 1024 }) } as never;
    const s = await checkStaging(deps, dir, undefined);
    const j = s.results.find((r) => r.id === 'journal-space')!;
    expect([j.status, j.detail, j.fix]).toEqual([
      'warn',
      '100 MiB free beside the staging data: the journal needs about 64.0 MiB, and diskprep wants 4 times that free (256 MiB)',
      `free at least 256 MiB on the volume of ${dir}`,
    ]);
  });

  it('a missing path fails naming ENOENT, and the later checks are skipped with the reason', async () => {
    const { deps } = fakeDeps();
    const s = await checkStaging(deps, '/nonexistent/diskprep-staging', undefined);
    expect(s.results[0]).toMatchObject({ id: 'staging', status: 'fail' });
    expect(s.results[0]!.detail).toContain('ENOENT');
    expect(
      s.results
        .slice(1)
        .every((r) => r.status === 'skip' && r.detail === 'the staging location cannot be read'),
    ).toBe(true);
  });

  it('two jobs and no --job: fails naming both', async () => {
    const dir = makeStaging([checkJob({ name: 'one' })], CHECK_DATA);
    await writeFile(
      path.join(dir, '.diskprep', 'jobs', 'two.json'),
      await import('node:fs/promises').then((f) =>
        f.readFile(path.join(dir, '.diskprep', 'jobs', 'one.json'), 'utf8'),
      ),
    );
    const s = await checkStaging(fakeDeps().deps, dir, undefined);
    const job = s.results.find((r) => r.id === 'job')!;
    expect(job.status).toBe('fail');
    expect(job.fix).toContain('one, two');
  });
});
