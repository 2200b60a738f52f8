/**
 * Disk numbers are not identities: attaching or removing a drive can renumber the disks between
 * the question "erase disk 2?" and the command that erases it. Every script that addresses a
 * disk by number therefore starts by checking that disk N is still the disk that was listed and
 * confirmed (Get-Disk UniqueId, SerialNumber and Size, compared exactly), and stops before
 * touching it otherwise. The values travel in environment variables, never in the script text.
 */
import type { Deps } from '../../deps/types.ts';
import { DiskError, InternalError } from '../../errors.ts';
import type { DiskInfo } from '../types.ts';
import { diskNumber, runPowerShell, type PowerShellOptions } from './powershell.ts';

/** Exit code of a guarded script that found another disk under the number. */
export const DISK_CHANGED_EXIT = 86;

/** The guard, to put before a script that uses `$d` (the Get-Disk object) or the number. */
export function diskGuard(n: string): string {
  return `$d=Get-Disk -Number ${n} -ErrorAction SilentlyContinue;if(-not $d -or [string]$d.UniqueId -cne $env:DISKPREP_DISK_UNIQUEID -or [string]$d.SerialNumber -cne $env:DISKPREP_DISK_SERIAL -or [string]$d.Size -ne $env:DISKPREP_DISK_SIZE){[Console]::Error.WriteLine('disk ${n} is no longer the disk that was confirmed');exit ${DISK_CHANGED_EXIT}};`;
}

/** What the guard compares against: the disk as it was listed. */
export function diskGuardEnv(disk: DiskInfo): Record<string, string> {
  if (!disk.identity) throw new InternalError(`disk ${disk.path} was listed without its identity`);
  return {
    DISKPREP_DISK_UNIQUEID: disk.identity.uniqueId,
    DISKPREP_DISK_SERIAL: disk.identity.serialNumber,
    DISKPREP_DISK_SIZE: String(disk.sizeBytes),
  };
}

/** Runs `script` on `disk` behind the guard; a changed disk is one error, nothing touched. */
export async function runOnDisk(
  deps: Deps,
  disk: DiskInfo,
  script: string,
  options: PowerShellOptions,
) {
  const n = diskNumber(disk.number);
  const r = await runPowerShell(deps, diskGuard(n) + script, {
    ...options,
    env: { ...options.env, ...diskGuardEnv(disk) },
    reject: false,
  });
  if (r.exitCode === DISK_CHANGED_EXIT) {
    throw new DiskError(
      `${options.step}: disk ${n} is no longer ${disk.model} (serial ${disk.serial ?? 'none'}): the disk numbers changed, nothing was done to it`,
      {
        code: 'ERR_DISKPREP_DISK_CHANGED',
        hint: 'a drive was attached or removed; run the same command again so diskprep lists the disks afresh',
        details: { step: options.step, disk: n },
      },
    );
  }
  if (r.exitCode !== 0 && options.reject !== false) {
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? '';
    throw new DiskError(
      `${options.step}: powershell.exe exited with ${r.exitCode}${detail ? `: ${detail}` : ''}`,
      { code: 'ERR_DISKPREP_EXEC', details: { step: options.step, exitCode: r.exitCode } },
    );
  }
  return r;
}
