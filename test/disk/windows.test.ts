/**
 * The Windows backend against recorded-shape cmdlet output (test/fixtures/windows/README.md
 * says where each shape comes from), with the exact PowerShell command lines asserted.
 */
import { describe, expect, it } from 'vitest';
import { formatCommand } from '../../src/deps/exec.ts';
import { listDisksWithEligibility } from '../../src/disk/listDisks.ts';
import { openDrive } from '../../src/disk/openDrive.ts';
import { LIST_SCRIPT } from '../../src/disk/windows/listWindows.ts';
import {
  busOf,
  cleanSerial,
  letterOf,
  mediaOf,
  parseWindowsInventory,
} from '../../src/disk/windows/parse.ts';
import { fakeDeps } from '../helpers/fakeDeps.ts';
import { E_KEY, G_KEY, fixture, guarded, listStub, ps, rejection, yes } from './windowsSeam.ts';

const IN_USE_REASON = (m: string) =>
  `in use: ${m} (to let diskprep erase it, save what is on it, then remove its drive letters in Disk Management: Change Drive Letter and Paths, Remove)`;

describe('Windows disk listing', () => {
  it('reads the inventory: serials cleaned, numeric and string enums, letters, BitLocker states', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [listStub()] });
    const disks = await listDisksWithEligibility(deps, { all: false });
    expect(recorded.commands.map((c) => c.command)).toEqual([ps(LIST_SCRIPT)]);
    const summary = disks.map((d) => [
      d.number,
      d.serial,
      d.bus,
      d.media,
      d.bitlocker,
      d.eligible,
      d.reasons.join('; '),
    ]);
    expect(summary).toEqual([
      [
        0,
        '0025_38B5_71B2_5F39',
        'NVMe',
        'SSD',
        'unlocked',
        false,
        `system or boot disk; holds a page file (C:\\pagefile.sys); ${IN_USE_REASON('C:\\')}; not SATA (NVMe): the service takes SATA drives only`,
      ],
      [1, 'WD-WCC7K4PLX8TJ', 'SATA', 'HDD', 'none', true, ''],
      [2, 'S6PNNS0T512345K', 'SATA', 'SSD', 'locked', true, ''],
      [3, '00000000000000000000', 'USB', 'unknown', 'none', true, ''],
      [
        4,
        '4C530001230919114453',
        'USB',
        'unknown',
        'none',
        false,
        `${IN_USE_REASON('F:\\')}; removable stick (not a SATA drive)`,
      ],
    ]);
    expect(disks[3]!.warnings.join()).toContain('USB bridge');
    expect(disks[3]!.warnings.join()).toContain('serial 00000000000000000000 is a placeholder');
    expect(disks[2]!.partitions.map((p) => [p.path, p.driveLetter, p.bitlocker])).toEqual([
      ['1', undefined, 'unknown'],
      ['2', 'E', 'locked'],
    ]);
    expect(disks[0]!.path).toBe('\\\\.\\PHYSICALDRIVE0');
  });

  it('accepts a single object where ConvertTo-Json unwrapped a one-element array', () => {
    const inv = JSON.parse(fixture('inventory.json')) as Record<string, unknown[]>;
    const one = parseWindowsInventory({
      Disk: inv.Disk![1],
      PhysicalDisk: inv.PhysicalDisk![1],
      Partition: undefined,
      Volume: undefined,
      BitLocker: undefined,
    });
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({
      number: 1,
      serial: 'WD-WCC7K4PLX8TJ',
      bus: 'SATA',
      media: 'HDD',
    });
  });

  it('maps enums both ways and rejects junk serials', () => {
    expect([
      busOf(11),
      busOf('SATA'),
      busOf(17),
      busOf('NVMe'),
      busOf(7),
      busOf('File Backed Virtual'),
      busOf(99),
    ]).toEqual(['SATA', 'SATA', 'NVMe', 'NVMe', 'USB', 'virtual', 'unknown']);
    expect([mediaOf(3), mediaOf('SSD'), mediaOf(0)]).toEqual(['HDD', 'SSD', 'unknown']);
    expect([letterOf('E'), letterOf('\u0000'), letterOf(69), letterOf(0), letterOf(null)]).toEqual([
      'E',
      undefined,
      'E',
      undefined,
      undefined,
    ]);
    expect([
      cleanSerial('  WD-ABC 123 '),
      cleanSerial('ABC\u0001'),
      cleanSerial(''),
      cleanSerial(null),
    ]).toEqual(['WD-ABC123', undefined, undefined, undefined]);
  });
});

describe('Windows new drive: clear, GPT, partition, NTFS, BitLocker with a recovery password', () => {
  const newDriveScripts = [
    guarded(
      1,
      "$raw=$d.PartitionStyle -eq 'RAW';if($d.IsOffline){Set-Disk -Number 1 -IsOffline $false};if($d.IsReadOnly){Set-Disk -Number 1 -IsReadOnly $false};if(-not $raw){Clear-Disk -Number 1 -RemoveData -RemoveOEM -Confirm:$false};@{WasRaw=$raw}|ConvertTo-Json -Compress",
    ),
    guarded(1, 'Initialize-Disk -Number 1 -PartitionStyle GPT'),
    guarded(
      1,
      'New-Partition -DiskNumber 1 -UseMaximumSize -AssignDriveLetter|Format-Volume -FileSystem NTFS -NewFileSystemLabel $env:DISKPREP_LABEL -Confirm:$false -Force|Select-Object DriveLetter,Size|ConvertTo-Json -Compress',
    ),
    // Disk 1 is RAW (never initialised): nothing old to hide, used space only is enough.
    "Enable-BitLocker -MountPoint 'G:' -EncryptionMethod XtsAes128 -RecoveryPasswordProtector -UsedSpaceOnly -WarningAction SilentlyContinue|Out-Null",
    "Get-BitLockerVolume -MountPoint 'G:'|Select-Object MountPoint,VolumeStatus,ProtectionStatus,LockStatus,EncryptionPercentage,EncryptionMethod,KeyProtector|ConvertTo-Json -Depth 4 -Compress",
  ];
  const disk1Identity = {
    DISKPREP_DISK_UNIQUEID: '50014EE2B8A3C7D1',
    DISKPREP_DISK_SERIAL: '     WD-WCC7K4PLX8TJ',
    DISKPREP_DISK_SIZE: '4000787030016',
  };

  it('runs the exact commands, reads the password back, and keeps it out of output', async () => {
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        listStub(),
        { command: ps(newDriveScripts[0]!), stdout: '{"WasRaw":true}' },
        { command: ps(newDriveScripts[1]!) },
        { command: ps(newDriveScripts[2]!), stdout: fixture('new-partition.json') },
        { command: ps(newDriveScripts[3]!) },
        { command: ps(newDriveScripts[4]!), stdout: fixture('bitlocker-G-new.json') },
        { command: ps("Lock-BitLocker -MountPoint 'G:' -ForceDismount|Out-Null") },
      ],
    });
    const vol = await openDrive(deps, {
      spec: 'WD-WCC7K4PLX8TJ',
      alreadyEncrypted: false,
      alreadyFormatted: false,
      confirm: yes,
      label: 'JOB1',
    });
    expect(vol).toMatchObject({
      mountPath: 'G:\\',
      driveId: 'WD-WCC7K4PLX8TJ',
      bitlockerKey: G_KEY,
      fileSystemBytes: 4000768589824,
      encryptionMethod: 'XtsAes128',
      dryRun: false,
    });
    expect(recorded.commands.map((c) => c.command)).toEqual([
      ps(LIST_SCRIPT),
      ...newDriveScripts.map(ps),
    ]);
    expect(recorded.commands.map((c) => c.options.write ?? false)).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(recorded.commands[1]!.options.env).toEqual(disk1Identity);
    expect(recorded.commands[3]!.options.env).toEqual({ DISKPREP_LABEL: 'JOB1', ...disk1Identity });
    // Every PowerShell run has a timeout.
    expect(recorded.commands.map((c) => c.options.timeoutMs)).toEqual(
      recorded.commands.map(() => 120_000),
    );
    expect(deps.redactor.redact(`key ${G_KEY}`)).not.toContain(G_KEY);
    await vol.release();
    await vol.release();
    expect(recorded.commands.filter((c) => c.command.includes('Lock-BitLocker'))).toHaveLength(1);
  });

  it('--dry-run prints every disk-changing command and runs none', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', dryRun: true, exec: [listStub()] });
    const vol = await openDrive(deps, {
      spec: '\\\\.\\PHYSICALDRIVE1',
      alreadyEncrypted: false,
      alreadyFormatted: false,
      confirm: yes,
    });
    expect(vol.dryRun).toBe(true);
    expect(recorded.commands.slice(1).map((c) => [c.options.write, c.command])).toEqual(
      newDriveScripts.slice(0, 3).map((s) => [true, ps(s)]),
    );
    expect(recorded.stderr.join('\n')).toContain(
      'Enable-BitLocker -MountPoint <new volume> -EncryptionMethod XtsAes128 -RecoveryPasswordProtector -UsedSpaceOnly',
    );
  });

  it('refuses the system disk, a stick, and a disk not confirmed, before running anything that writes', async () => {
    for (const spec of ['0025_38B5_71B2_5F39', 'C:', '4C530001230919114453']) {
      const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [listStub()] });
      const err = await rejection(
        openDrive(deps, { spec, alreadyEncrypted: false, alreadyFormatted: false, confirm: yes }),
      );
      expect(err).toMatchObject({ code: 'ERR_DISKPREP_DISK_REFUSED', exitCode: 2 });
      expect(recorded.commands).toHaveLength(1);
    }
    const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [listStub()] });
    const err = await rejection(
      openDrive(deps, {
        spec: 'WD-WCC7K4PLX8TJ',
        alreadyEncrypted: false,
        alreadyFormatted: false,
        confirm: async () => false,
      }),
    );
    expect(err.code).toBe('ERR_DISKPREP_NOT_CONFIRMED');
    expect(recorded.commands).toHaveLength(1);
  });

  it('never puts a hostile serial or label into a PowerShell script', async () => {
    const hostileSerial = `X';Format-Volume -DriveLetter C -Force;'`;
    const hostileLabel = `$(Remove-Item C:\\ -Recurse)'";`;
    const inv = JSON.parse(fixture('inventory.json')) as {
      Disk: { SerialNumber: string; FriendlyName: string }[];
      PhysicalDisk: { SerialNumber: string }[];
    };
    inv.Disk[1]!.SerialNumber = hostileSerial;
    inv.PhysicalDisk[1]!.SerialNumber = hostileSerial;
    inv.Disk[1]!.FriendlyName = `"; Clear-Disk -Number 0 #`;
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        listStub(JSON.stringify(inv)),
        {
          command:
            /Initialize-Disk -Number 1 |Enable-BitLocker -MountPoint \W+G:|Lock-BitLocker -MountPoint \W+G:/,
        },
        { command: /Clear-Disk -Number 1 /, stdout: '{"WasRaw":false}' },
        { command: /New-Partition -DiskNumber 1 /, stdout: fixture('new-partition.json') },
        {
          command: /Get-BitLockerVolume -MountPoint \W+G:/,
          stdout: fixture('bitlocker-G-new.json'),
        },
      ],
    });
    // The hostile "serial" is no drive id Azure accepts, so the operator gives one.
    const vol = await openDrive(deps, {
      spec: '\\\\.\\PHYSICALDRIVE1',
      driveId: 'WD-REAL',
      alreadyEncrypted: false,
      alreadyFormatted: false,
      confirm: yes,
      label: hostileLabel,
    });
    const scripts = recorded.commands.map((c) => c.command).join('\n');
    expect(scripts).not.toContain('Format-Volume -DriveLetter C');
    expect(scripts).not.toContain('Remove-Item');
    expect(scripts).not.toContain('Clear-Disk -Number 0');
    expect(
      recorded.commands.find((c) => c.command.includes('New-Partition'))!.options.env,
    ).toMatchObject({ DISKPREP_LABEL: hostileLabel, DISKPREP_DISK_SERIAL: hostileSerial });
    await vol.release();
    // Without --drive-id the hostile serial is refused as a drive id.
    const again = fakeDeps({ platform: 'win32', exec: [listStub(JSON.stringify(inv))] });
    const err = await rejection(
      openDrive(again.deps, {
        spec: '\\\\.\\PHYSICALDRIVE1',
        alreadyEncrypted: false,
        alreadyFormatted: false,
        confirm: yes,
      }),
    );
    expect(err.code).toBe('ERR_DISKPREP_DRIVE_ID');
  });
});

describe('Windows already-encrypted drive', () => {
  const read = ps(
    "Get-BitLockerVolume -MountPoint 'E:'|Select-Object MountPoint,VolumeStatus,ProtectionStatus,LockStatus,EncryptionPercentage,EncryptionMethod,KeyProtector|ConvertTo-Json -Depth 4 -Compress",
  );
  const unlock = ps(
    "Unlock-BitLocker -MountPoint 'E:' -RecoveryPassword $env:DISKPREP_BITLOCKER_KEY|Out-Null",
  );
  const format = ps(
    'Format-Volume -DriveLetter E -FileSystem NTFS -NewFileSystemLabel $env:DISKPREP_LABEL -Confirm:$false -Force|Out-Null',
  );

  it('unlocks by drive letter with the key in the environment, checks the protector, reformats NTFS keeping BitLocker', async () => {
    let reads = 0;
    const locked = fixture('bitlocker-E-locked.json');
    const unlocked = fixture('bitlocker-E-unlocked.json');
    const { deps, recorded } = fakeDeps({
      platform: 'win32',
      exec: [
        listStub(),
        { command: unlock },
        { command: format },
        { command: ps("Lock-BitLocker -MountPoint 'E:' -ForceDismount|Out-Null") },
      ],
    });
    const base = deps.exec;
    deps.exec = {
      dryRun: false,
      run: async (file, args, o) => {
        const cmd = formatCommand(file, args);
        if (cmd === read) {
          recorded.commands.push({ command: cmd, options: o ?? {} });
          reads += 1;
          return {
            command: cmd,
            exitCode: 0,
            stdout: reads === 1 ? locked : unlocked,
            stderr: '',
            dryRun: false,
          };
        }
        return base.run(file, args, o);
      },
    };
    const vol = await openDrive(deps, {
      spec: 'E:',
      alreadyEncrypted: true,
      alreadyFormatted: false,
      bitlockerKey: E_KEY,
      confirm: yes,
    });
    expect(vol).toMatchObject({
      mountPath: 'E:\\',
      driveId: 'S6PNNS0T512345K',
      bitlockerKey: E_KEY,
      encryptionMethod: 'XtsAes128',
    });
    expect(recorded.commands.map((c) => c.command)).toEqual([
      ps(LIST_SCRIPT),
      read,
      unlock,
      read,
      format,
      read,
    ]);
    const unlockCall = recorded.commands.find((c) => c.command === unlock)!;
    expect(unlockCall.options.env).toEqual({ DISKPREP_BITLOCKER_KEY: E_KEY });
    expect(recorded.commands.map((c) => c.command).join('\n')).not.toContain(E_KEY);
  });

  it('a wrong key fails Unlock-BitLocker with a clear message, no key in it', async () => {
    const wrong = '000000-357951-253979-013365-241120-245575-342914-591910';
    const { deps } = fakeDeps({
      platform: 'win32',
      exec: [
        listStub(),
        { command: read, stdout: fixture('bitlocker-E-locked.json') },
        { command: unlock, exitCode: 1 },
      ],
    });
    const err = await rejection(
      openDrive(deps, {
        spec: 'S6PNNS0T512345K',
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: wrong,
        confirm: yes,
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_WRONG_KEY', exitCode: 2 });
    expect(`${err.message}${err.hint}`).not.toContain(wrong);
  });

  it('refuses a volume without a recovery-password protector', async () => {
    const tpmOnly = JSON.parse(fixture('bitlocker-E-locked.json')) as {
      KeyProtector: { KeyProtectorType: number }[];
    };
    tpmOnly.KeyProtector[0]!.KeyProtectorType = 2; // ExternalKey only
    const { deps } = fakeDeps({
      platform: 'win32',
      exec: [listStub(), { command: read, stdout: JSON.stringify(tpmOnly) }],
    });
    const err = await rejection(
      openDrive(deps, {
        spec: 'E',
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: E_KEY,
        confirm: yes,
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_NO_RECOVERY_PASSWORD', exitCode: 5 });
  });

  it('rejects a malformed key before touching the disk', async () => {
    const { deps, recorded } = fakeDeps({ platform: 'win32', exec: [listStub()] });
    const err = await rejection(
      openDrive(deps, {
        spec: 'E',
        alreadyEncrypted: true,
        alreadyFormatted: true,
        bitlockerKey: '123456-000000',
        confirm: yes,
      }),
    );
    expect(err).toMatchObject({ code: 'ERR_DISKPREP_BITLOCKER_KEY', exitCode: 2 });
    expect(recorded.commands).toHaveLength(1);
  });
});
