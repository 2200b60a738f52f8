/**
 * `verify --drive` on Windows against recorded-shape cmdlet output: Unlock-BitLocker with the
 * key in the environment only, the volume read at its letter, locked again on release (only
 * when this run unlocked it); a wrong key is exit 2 without the key in the message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommand } from '../../src/deps/exec.ts';
import { openDriveReadOnly } from '../../src/disk/openReadOnly.ts';
import { LIST_SCRIPT } from '../../src/disk/windows/listWindows.ts';
import { powershellArgs } from '../../src/disk/windows/powershell.ts';
import { DiskprepError } from '../../src/errors.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const fixture = (name: string) =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/windows', name), 'utf8');
const ps = (script: string) => formatCommand('powershell.exe', powershellArgs(script));
const E_KEY = '235818-357951-253979-013365-241120-245575-342914-591910';
const LIST = ps(LIST_SCRIPT);
const STATUS = ps(
  "Get-BitLockerVolume -MountPoint 'E:'|Select-Object MountPoint,VolumeStatus,LockStatus|ConvertTo-Json -Compress",
);
const UNLOCK = ps(
  "Unlock-BitLocker -MountPoint 'E:' -RecoveryPassword $env:DISKPREP_BITLOCKER_KEY|Out-Null",
);
const LOCK = ps("Lock-BitLocker -MountPoint 'E:' -ForceDismount|Out-Null");

describe('Windows read-only unlock for verify --drive', () => {
  it('unlocks a locked volume with the key in the environment, reads it at E:\\, locks it again on release', async () => {
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        { command: LIST, stdout: fixture('inventory.json') },
        { command: STATUS, stdout: fixture('bitlocker-E-locked.json') },
        { command: UNLOCK },
        { command: LOCK },
      ],
    });
    const vol = await openDriveReadOnly(deps, 'E:', async (disk) => {
      expect(disk.serial).toBe('S6PNNS0T512345K');
      return E_KEY;
    });
    expect(vol.mountPath).toBe('E:\\');
    expect(recorded.commands.map((c) => c.command)).toEqual([LIST, STATUS, UNLOCK]);
    expect(recorded.commands[2]!.options.env).toEqual({ DISKPREP_BITLOCKER_KEY: E_KEY });
    expect(recorded.commands.some((c) => /Format-Volume|Clear-Disk|Set-/.test(c.command))).toBe(
      false,
    );
    await vol.release();
    await vol.release();
    expect(recorded.commands.map((c) => c.command)).toEqual([LIST, STATUS, UNLOCK, LOCK]);
    expect(recorded.commands.map((c) => c.command).join('\n')).not.toContain(E_KEY);
  });

  it('a volume found unlocked is read as it is and left unlocked', async () => {
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        { command: LIST, stdout: fixture('inventory.json') },
        { command: STATUS, stdout: fixture('bitlocker-E-unlocked.json') },
      ],
    });
    const vol = await openDriveReadOnly(deps, 'S6PNNS0T512345K', async () => E_KEY);
    await vol.release();
    expect(recorded.commands.map((c) => c.command)).toEqual([LIST, STATUS]);
  });

  it('a wrong key is exit 2, the key in no message', async () => {
    const wrong = '000000-357951-253979-013365-241120-245575-342914-591910';
    const { deps } = fakeDeps({
      platform: 'win32',
      exec: [
        { command: LIST, stdout: fixture('inventory.json') },
        { command: STATUS, stdout: fixture('bitlocker-E-locked.json') },
        { command: UNLOCK, exitCode: 1 },
      ],
    });
    const err = await openDriveReadOnly(deps, 'E', async () => wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskprepError);
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_WRONG_KEY', exitCode: 2 });
    expect(`${(err as DiskprepError).message} ${(err as DiskprepError).hint}`).not.toContain(wrong);
  });
});
