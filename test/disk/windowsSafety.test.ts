/**
 * What the Windows backend refuses, and how it erases and encrypts, through the PowerShell seam
 * with fixtures that follow Microsoft's documented cmdlet output (test/fixtures/windows/README.md):
 * disks in use (letters, folder mounts, page files, the staging location and the journal), a disk
 * renumbered between the question and Clear-Disk, full-volume encryption of a reused disk,
 * already encrypted volumes that are suspended, not NTFS or not the first data volume, bridge
 * placeholder serials, RAID/SAS controllers, timeouts, and one volume failing Get-BitLockerVolume.
 */
import { describe, expect, it } from 'vitest';
import { formatCommand } from '../../src/deps/exec.ts';
import { listDisksWithEligibility } from '../../src/disk/listDisks.ts';
import { openDrive } from '../../src/disk/openDrive.ts';
import type { OpenDriveOptions } from '../../src/disk/types.ts';
import { LIST_SCRIPT } from '../../src/disk/windows/listWindows.ts';
import { fakeDeps, type ExecStub } from '../helpers/fakeDeps.ts';
import {
  E_KEY,
  fixture,
  fixtureJson,
  guarded,
  inUseListStub,
  listStub,
  ps,
  rejection,
  yes,
} from './windowsSeam.ts';

const inUse = inUseListStub;
const erase = (spec: string, more: Partial<OpenDriveOptions> = {}): OpenDriveOptions => ({
  spec,
  alreadyEncrypted: false,
  alreadyFormatted: false,
  confirm: yes,
  ...more,
});

describe('Windows: disks in use are refused before anything is written', () => {
  it('lists why: page files, letters, folder mounts, RAID; one failing volume hides no other', async () => {
    const { deps } = fakeDeps({ platform: 'win32', exec: [inUse()] });
    const disks = await listDisksWithEligibility(deps, { all: false });
    const byNumber = (n: number) => disks.find((d) => d.number === n)!;
    expect(byNumber(0).reasons.slice(0, 2)).toEqual([
      'system or boot disk',
      'holds a page file (C:\\pagefile.sys)',
    ]);
    expect(byNumber(1).reasons.join()).toContain('in use: D:\\ ');
    expect(byNumber(2).reasons.slice(0, 2)).toEqual([
      'holds a page file (P:\\pagefile.sys)',
      expect.stringContaining('in use: P:\\ '),
    ]);
    // A folder access path is a mount; the volume GUID path every volume has is not.
    expect(byNumber(3).reasons).toEqual([expect.stringContaining('in use: C:\\mnt\\archive\\ ')]);
    expect(byNumber(4).reasons).toEqual([
      'not SATA (RAID): the service takes SATA drives only; a SATA drive behind a RAID controller is accepted when named by path: --drive \\\\.\\PHYSICALDRIVE4',
    ]);
    // A locked BitLocker volume keeps its letter but is not in use.
    expect([byNumber(5).eligible, byNumber(5).bitlocker]).toEqual([true, 'locked']);
    expect(byNumber(6).warnings).toContain(
      "serial 0123456789ABCDEF is a placeholder (a USB bridge's, not the drive's): pass --drive-id with the serial on the drive's label",
    );
    // H: failed Get-BitLockerVolume: its state is unknown and said so; C: and G: still read.
    expect(byNumber(7).partitions[1]).toMatchObject({ driveLetter: 'H', bitlocker: 'unknown' });
    expect(byNumber(7).warnings).toContain(
      'BitLocker state of H: unknown (The device is not ready. (Exception from HRESULT: 0x80070015))',
    );
    expect([byNumber(0).bitlocker, byNumber(0).partitions[2]!.encryptionMethod]).toEqual([
      'unlocked',
      'XtsAes128',
    ]);
  });

  it('a BitLocker volume left unlocked (a run killed before it locked the drive) is refused with the lock command', async () => {
    const inv = fixtureJson<{ BitLocker: { MountPoint: string; LockStatus: number }[] }>(
      'inventory.json',
    );
    inv.BitLocker.find((b) => b.MountPoint === 'E:')!.LockStatus = 0;
    const { deps } = fakeDeps({ platform: 'win32', exec: [listStub(JSON.stringify(inv))] });
    const disk2 = (await listDisksWithEligibility(deps, { all: false })).find(
      (d) => d.number === 2,
    )!;
    expect(disk2.reasons).toEqual([
      'BitLocker volume E: is unlocked (lock it first: manage-bde -lock E: -ForceDismount)',
    ]);
  });

  it('refuses the disk holding the staging location, and the one holding the journal, naming why', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [inUse(), inUse()] });
    const keep = [
      { what: 'the staging location', path: 'D:\\staging' },
      { what: 'the journal', path: 'C:\\mnt\\archive\\journal' },
    ];
    // Named by path so only the in-use rules can refuse them.
    const staging = await rejection(openDrive(deps, erase('\\\\.\\PHYSICALDRIVE1', { keep })));
    expect(staging).toMatchObject({ code: 'ERR_DISKPREP_DISK_REFUSED', exitCode: 2 });
    expect(staging.message).toContain('holds the staging location D:\\staging');
    // The journal's folder mount wins over C: (longest mount point).
    const journal = await rejection(openDrive(deps, erase('\\\\.\\PHYSICALDRIVE3', { keep })));
    expect(journal.message).toContain('holds the journal C:\\mnt\\archive\\journal');
    expect(journal.message).not.toContain('PHYSICALDRIVE0');
    expect(recorded.commands.map((c) => c.command)).toEqual([ps(LIST_SCRIPT), ps(LIST_SCRIPT)]);
  });

  it('a SATA drive behind a RAID controller passes when named by path, with a warning', async () => {
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [inUse(), { command: /Clear-Disk -Number 4 /, exitCode: 86 }],
    });
    const bySerial = await rejection(openDrive(deps, erase('WD-WCC7RAID0004')));
    expect(bySerial.code).toBe('ERR_DISKPREP_DISK_REFUSED');
    const again = fakeDeps({
      platform: 'win32',
      exec: [inUse(), { command: /Clear-Disk -Number 4 /, exitCode: 86 }],
    });
    // It gets as far as the guarded clear (which here finds another disk under number 4).
    const err = await rejection(openDrive(again.deps, erase('\\\\.\\PHYSICALDRIVE4')));
    expect(err.code).toBe('ERR_DISKPREP_DISK_CHANGED');
    expect(again.recorded.stderr.join('\n')).toContain(
      'not SATA (RAID): accepted because it was named by path',
    );
    expect(recorded.commands).toHaveLength(1);
  });
});

describe('Windows: the disk is re-identified inside the script that clears it', () => {
  it('a renumbered disk stops the clear with one clear error and nothing after it', async () => {
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        listStub(),
        {
          command: /Clear-Disk -Number 1 /,
          exitCode: 86,
          stderr: 'disk 1 is no longer the disk that was confirmed',
        },
      ],
    });
    const err = await rejection(openDrive(deps, erase('WD-WCC7K4PLX8TJ')));
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_DISK_CHANGED', exitCode: 5 });
    expect(err.message).toBe(
      'clearing disk 1: disk 1 is no longer WDC WD40EFRX-68N32N0 (serial WD-WCC7K4PLX8TJ): the disk numbers changed, nothing was done to it',
    );
    const clear = recorded.commands[1]!;
    // The identity is compared in the script, from the environment: no value in the text.
    expect(clear.command).toContain('[string]$d.UniqueId -cne $env:DISKPREP_DISK_UNIQUEID');
    expect(clear.command.indexOf('exit 86')).toBeLessThan(clear.command.indexOf('Clear-Disk'));
    expect(clear.command).not.toContain('50014EE2B8A3C7D1');
    expect(clear.options.env).toMatchObject({
      DISKPREP_DISK_UNIQUEID: '50014EE2B8A3C7D1',
      DISKPREP_DISK_SIZE: '4000787030016',
    });
    expect(recorded.commands).toHaveLength(2);
  });
});

describe('Windows: a reused disk is encrypted in full, with an explicit method', () => {
  it('a disk that held partitions gets full-volume XTS-AES 128; the method is reported', async () => {
    const enable =
      "Enable-BitLocker -MountPoint 'G:' -EncryptionMethod XtsAes128 -RecoveryPasswordProtector -WarningAction SilentlyContinue|Out-Null";
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        inUse(),
        { command: /Clear-Disk -Number 5 /, stdout: '{"WasRaw":false}' },
        { command: ps(guarded(5, 'Initialize-Disk -Number 5 -PartitionStyle GPT')) },
        { command: /New-Partition -DiskNumber 5 /, stdout: fixture('new-partition.json') },
        { command: ps(enable) },
        {
          command: /Get-BitLockerVolume -MountPoint \W+G:/,
          stdout: fixture('bitlocker-G-new.json'),
        },
      ],
    });
    const vol = await openDrive(deps, erase('ZFN1SECOND'));
    expect(vol.encryptionMethod).toBe('XtsAes128');
    expect(recorded.commands.map((c) => c.command)).toContain(ps(enable));
    expect(recorded.commands.some((c) => c.command.includes('-UsedSpaceOnly'))).toBe(false);
  });
});

describe('Windows: already encrypted volumes', () => {
  const unlock = /Unlock-BitLocker -MountPoint \W+E:/;
  const read = /Get-BitLockerVolume -MountPoint \W+E:/;
  const unlocked = (change: Record<string, unknown>) =>
    JSON.stringify({ ...fixtureJson<object>('bitlocker-E-unlocked.json'), ...change });
  /** Reads answer locked first, then `after`; the rest as given. */
  function withReads(after: string, more: ExecStub[] = []) {
    const made = fakeDeps({ platform: 'win32', exec: [listStub(), { command: unlock }, ...more] });
    let reads = 0;
    const base = made.deps.exec;
    made.deps.exec = {
      dryRun: false,
      run: async (file, args, o) => {
        const cmd = formatCommand(file, args);
        if (!read.test(cmd)) return base.run(file, args, o);
        reads += 1;
        made.recorded.commands.push({ command: cmd, options: o ?? {} });
        const stdout = reads === 1 ? fixture('bitlocker-E-locked.json') : after;
        return { command: cmd, exitCode: 0, stdout, stderr: '', dryRun: false };
      },
    };
    return made;
  }
  const open = (deps: Parameters<typeof openDrive>[0], formatted: boolean) =>
    openDrive(deps, {
      spec: 'E:',
      alreadyEncrypted: true,
      alreadyFormatted: formatted,
      bitlockerKey: E_KEY,
      confirm: yes,
    });

  it('a suspended protector (ProtectionStatus Off) is refused with Resume-BitLocker, nothing formatted', async () => {
    const { deps, recorded } = withReads(unlocked({ ProtectionStatus: 'Off' }));
    const err = await rejection(open(deps, false));
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_BITLOCKER_SUSPENDED', exitCode: 2 });
    expect(err.message).toContain('its key is stored in the clear');
    expect(err.hint).toBe(
      'turn protection back on: Resume-BitLocker -MountPoint E: (elevated PowerShell), then run again',
    );
    expect(recorded.commands.some((c) => c.command.includes('Format-Volume'))).toBe(false);
  });

  it('decryption in progress is refused; encryption in progress with protection on is accepted', async () => {
    const decrypting = withReads(unlocked({ VolumeStatus: 3, ProtectionStatus: 0 }));
    const err = await rejection(open(decrypting.deps, true));
    expect(err.code).toBe('ERR_DISKPREP_BITLOCKER_STATE');
    expect(err.message).toContain(
      'is DecryptionInProgress, not FullyEncrypted or EncryptionInProgress',
    );
    const encrypting = withReads(unlocked({ VolumeStatus: 'EncryptionInProgress' }), [
      { command: /Get-Volume -DriveLetter E\|/, stdout: '{"FileSystem":"NTFS"}' },
    ]);
    const vol = await open(encrypting.deps, true);
    expect(vol.mountPath).toBe('E:\\');
  });

  it('--already-formatted needs NTFS: the service reads only NTFS', async () => {
    const { deps } = withReads(unlocked({}), [
      { command: /Get-Volume -DriveLetter E\|/, stdout: '{"FileSystem":"exFAT"}' },
    ]);
    const err = await rejection(open(deps, true));
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_NOT_NTFS', exitCode: 2 });
    expect(err.message).toBe('E: holds exFAT, and the service reads only NTFS');
  });

  it('a BitLocker volume behind another data volume is refused before it is unlocked', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [inUse()] });
    const err = await rejection(
      openDrive(deps, {
        spec: 'G:',
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: E_KEY,
        confirm: yes,
      }),
    );
    expect(err.code).toBe('ERR_DISKPREP_NOT_FIRST_VOLUME');
    expect(err.message).toBe(
      'the first data volume of disk 5 is partition 2, not the BitLocker volume G: (the service reads only the first data volume)',
    );
    expect(recorded.commands).toHaveLength(1);
  });
});

describe('Windows: serials and timeouts', () => {
  it('a bridge placeholder serial needs --drive-id; given one, it is the drive id', async () => {
    for (const spec of ['0123456789ABCDEF', '\\\\.\\PHYSICALDRIVE3']) {
      const inv = spec.startsWith('0')
        ? fixture('inventory-in-use.json')
        : fixture('inventory.json');
      const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [listStub(inv)] });
      const err = await rejection(openDrive(deps, erase(spec)));
      expect(err).toMatchObject({ code: 'ERR_DISKPREP_PLACEHOLDER_SERIAL', exitCode: 2 });
      expect(err.hint).toBe("pass --drive-id with the serial printed on the drive's label");
      expect(recorded.commands).toHaveLength(1);
    }
    const { deps } = fakeDeps({
      platform: 'win32',
      exec: [listStub(fixture('inventory-in-use.json')), { command: /Clear-Disk/, exitCode: 86 }],
    });
    const err = await rejection(
      openDrive(deps, erase('0123456789ABCDEF', { driveId: 'WX41A0000001' })),
    );
    expect(err.code).toBe('ERR_DISKPREP_DISK_CHANGED');
  });

  it('a PowerShell call that hangs fails with one line naming the step', async () => {
    const { deps } = fakeDeps({
      platform: 'win32',
      exec: [{ command: ps(LIST_SCRIPT), timedOut: true }],
    });
    const err = await rejection(listDisksWithEligibility(deps, { all: false }));
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_POWERSHELL_TIMEOUT', exitCode: 5 });
    expect(err.message).toBe('listing the disks: PowerShell did not finish within 120 s');
  });

  it('the listing refreshes the storage cache first and reads BitLocker volume by volume', () => {
    expect(LIST_SCRIPT.startsWith('try{Update-HostStorageCache}catch{};')).toBe(true);
    expect(LIST_SCRIPT).toMatch(
      /foreach\(\$v in @\(Get-Volume\|Where-Object DriveLetter\)\)\{.*try\{\$bl\+=.*Get-BitLockerVolume -MountPoint \$mp.*catch\{\$blErr\+=/,
    );
  });
});
