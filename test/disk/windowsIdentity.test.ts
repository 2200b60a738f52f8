/**
 * The Windows backend's drive-identity guards, against recorded-shape cmdlet output: a drive
 * being resumed is never cleared or formatted; a volume whose NTFS serial (read from its boot
 * sector) is another job's partly filled drive is refused before Format-Volume; a resume onto
 * the recorded volume reads the serial back and formats nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCommand } from '../../src/deps/exec.ts';
import { openDrive } from '../../src/disk/openDrive.ts';
import type { OpenDriveOptions } from '../../src/disk/types.ts';
import { LIST_SCRIPT } from '../../src/disk/windows/listWindows.ts';
import { READ_BITLOCKER } from '../../src/disk/windows/openWindows.ts';
import { mountPoint, powershellArgs } from '../../src/disk/windows/powershell.ts';
import { bootSectorScript } from '../../src/disk/windows/volumeIdentity.ts';
import { DiskprepError } from '../../src/errors.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

const fixture = (name: string) =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/windows', name), 'utf8');
const ps = (script: string) => formatCommand('powershell.exe', powershellArgs(script));
const E_KEY = '235818-357951-253979-013365-241120-245575-342914-591910';
const SERIAL = '1DE69A4632A0B208';

const read = ps(READ_BITLOCKER(mountPoint('E')));
const format = ps(
  'Format-Volume -DriveLetter E -FileSystem NTFS -NewFileSystemLabel $env:DISKPREP_LABEL -Confirm:$false -Force|Out-Null',
);
const boot = ps(bootSectorScript('E'));

/** An NTFS boot sector with `serial`, base64 as the script prints it. */
function bootSector(serial: string): string {
  const b = Buffer.alloc(512);
  b.write('NTFS    ', 3, 'latin1');
  Buffer.from(serial, 'hex').reverse().copy(b, 0x48);
  return b.toString('base64');
}

/** Deps answering the listing, the BitLocker reads (locked, then unlocked) and the boot sector. */
function windowsDeps(serial: string) {
  const made = fakeDeps({ platform: 'win32' });
  let reads = 0;
  made.deps.exec = {
    dryRun: false,
    run: (file, args, o) => {
      const command = formatCommand(file, args);
      made.recorded.commands.push({ command, options: o ?? {} });
      const out = (stdout: string) =>
        Promise.resolve({ command, exitCode: 0, stdout, stderr: '', dryRun: false });
      if (command === ps(LIST_SCRIPT)) return out(fixture('inventory.json'));
      if (command === read)
        return out(
          fixture(reads++ === 0 ? 'bitlocker-E-locked.json' : 'bitlocker-E-unlocked.json'),
        );
      if (command === boot) return out(`${bootSector(serial)}\r\n`);
      // --already-formatted: the kept file system must be NTFS (Get-Volume).
      if (command.includes('Get-Volume -DriveLetter E')) return out('{"FileSystem":"NTFS"}');
      return out('');
    },
  };
  return made;
}

const options = (o: Partial<OpenDriveOptions>): OpenDriveOptions => ({
  spec: 'E:',
  alreadyEncrypted: true,
  alreadyFormatted: true,
  bitlockerKey: E_KEY,
  confirm: () => Promise.resolve(true),
  ...o,
});

describe('Windows drive identity guards', () => {
  it('a drive being resumed is never cleared: refused before any command that writes', async () => {
    const { deps, recorded } = windowsDeps(SERIAL);
    const err = (await openDrive(
      deps,
      options({ alreadyEncrypted: false, alreadyFormatted: false, expect: { ntfsSerial: SERIAL } }),
    ).catch((e: unknown) => e)) as DiskprepError;
    expect(err).toBeInstanceOf(DiskprepError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(
      /^refusing to clear or format disk \d+: it is drive S6PNNS0T512345K, partly filled$/,
    );
    expect(recorded.commands.map((c) => c.command)).toEqual([ps(LIST_SCRIPT)]);
  });

  it("another job's partly filled volume (same NTFS serial) is refused before Format-Volume", async () => {
    const { deps, recorded } = windowsDeps(SERIAL);
    const err = (await openDrive(
      deps,
      options({
        alreadyFormatted: false,
        protectedDrives: [
          {
            job: 'other',
            driveId: 'WD-OTHER',
            index: 0,
            complete: false,
            files: 7,
            identity: { ntfsSerial: SERIAL },
          },
        ],
      }),
    ).catch((e: unknown) => e)) as DiskprepError;
    expect(err.message).toMatch(
      /: it is drive WD-OTHER, drive 1 of job "other", partly filled \(7 files\)$/,
    );
    const commands = recorded.commands.map((c) => c.command);
    expect(commands).toContain(boot);
    expect(commands).not.toContain(format);
  });

  it('a resume onto the recorded volume reads its NTFS serial and formats nothing; another volume is refused', async () => {
    const ok = windowsDeps(SERIAL);
    const vol = await openDrive(
      ok.deps,
      options({ expect: { ntfsSerial: SERIAL }, protectedDrives: [] }),
    );
    expect(vol.identity).toMatchObject({ serial: 'S6PNNS0T512345K', ntfsSerial: SERIAL });
    expect(ok.recorded.commands.map((c) => c.command)).not.toContain(format);
    await vol.release();

    const other = windowsDeps('00000000000000AA');
    await expect(
      openDrive(other.deps, options({ expect: { ntfsSerial: SERIAL } })),
    ).rejects.toThrow(`(NTFS volume serial 00000000000000AA here, ${SERIAL} recorded)`);
  });
});
