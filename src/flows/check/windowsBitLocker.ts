/**
 * The preflight's BitLocker check on Windows: exercise BitLocker itself before any disk is
 * touched, rather than learn after Clear-Disk that it cannot encrypt.
 *
 * - Get-BitLockerVolume on the system drive: missing on Windows Server until the feature is added
 *   (`Install-WindowsFeature BitLocker -IncludeManagementTools`, then a restart), and failing when
 *   the feature was added but the machine not yet restarted.
 * - The FVE policy (HKLM\SOFTWARE\Policies\Microsoft\FVE, written by Group Policy "Choose how
 *   BitLocker-protected fixed drives can be recovered"): FDVRecovery=1 with FDVRecoveryPassword=0
 *   ("Do not allow 48-digit recovery password") makes Enable-BitLocker refuse the only protector
 *   the datacenter can use. FDVEncryptionType=2 ("Used Space Only encryption" enforced) and an
 *   EncryptionMethodWithXtsFdv other than diskprep's are reported as warnings.
 */
import type { Deps } from '../../deps/types.ts';
import { ENCRYPTION_METHOD, POLICY_METHODS } from '../../disk/windows/encryptionMethod.ts';
import { parseJsonOutput, runPowerShell } from '../../disk/windows/powershell.ts';
import type { CheckResult } from './types.ts';

/** The probe (fixed text, no inputs). */
export const BITLOCKER_PROBE = [
  '$r=@{Feature=[bool](Get-Command Get-BitLockerVolume -ErrorAction SilentlyContinue)};',
  'if($r.Feature){try{$v=Get-BitLockerVolume -MountPoint $env:SystemDrive -ErrorAction Stop;$r.SystemDrive=$env:SystemDrive;$r.VolumeStatus=[string]$v.VolumeStatus}catch{$r.Error=$_.Exception.Message}};',
  "$p=Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\FVE' -ErrorAction SilentlyContinue;",
  'if($p){$r.Policy=$p|Select-Object FDVRecovery,FDVRecoveryPassword,FDVEncryptionType,EncryptionMethodWithXtsFdv};',
  '$r|ConvertTo-Json -Compress',
].join('');

interface Probe {
  Feature?: boolean;
  SystemDrive?: string;
  VolumeStatus?: string;
  Error?: string;
  Policy?: {
    FDVRecovery?: number | null;
    FDVRecoveryPassword?: number | null;
    FDVEncryptionType?: number | null;
    EncryptionMethodWithXtsFdv?: number | null;
  } | null;
}

const ID = 'tool:bitlocker';
const TITLE = 'BitLocker (encrypts the drives)';
const INSTALL =
  'Windows Server: Install-WindowsFeature BitLocker -IncludeManagementTools, then restart the computer; Windows: an edition with BitLocker (Pro, Enterprise, Education)';

/** Runs the probe and judges it; see the module comment. */
export async function checkWindowsBitLocker(deps: Pick<Deps, 'exec'>): Promise<CheckResult> {
  let probe: Probe;
  try {
    const r = await runPowerShell(deps, BITLOCKER_PROBE, {
      step: 'checking BitLocker',
      timeoutMs: 60_000,
    });
    const v = parseJsonOutput(r.stdout);
    probe = v !== null && typeof v === 'object' ? v : {};
  } catch (err) {
    return { id: ID, title: TITLE, status: 'fail', detail: (err as Error).message, fix: INSTALL };
  }
  if (probe.Feature !== true) {
    return {
      id: ID,
      title: TITLE,
      status: 'fail',
      detail: 'BitLocker is not installed (no Get-BitLockerVolume)',
      fix: INSTALL,
    };
  }
  if (probe.Error !== undefined) {
    return {
      id: ID,
      title: TITLE,
      status: 'fail',
      detail: `Get-BitLockerVolume on the system drive failed: ${probe.Error}`,
      fix: 'run diskprep elevated; if the BitLocker feature was just installed (Install-WindowsFeature BitLocker -IncludeManagementTools), restart the computer first',
    };
  }
  const policy = probe.Policy ?? {};
  if (policy.FDVRecovery === 1 && policy.FDVRecoveryPassword === 0) {
    return {
      id: ID,
      title: TITLE,
      status: 'fail',
      detail:
        'policy forbids a recovery password on fixed data drives (HKLM\\SOFTWARE\\Policies\\Microsoft\\FVE FDVRecoveryPassword=0), and the datacenter unlocks drives only with one',
      fix: 'have the administrator allow it (Group Policy: Choose how BitLocker-protected fixed drives can be recovered, Allow 48-digit recovery password), or prepare the drives on another computer',
      data: { policy },
    };
  }
  const warnings: string[] = [];
  if (policy.FDVEncryptionType === 2)
    warnings.push(
      'policy enforces used-space-only encryption on fixed drives (FDVEncryptionType=2): a reused disk would keep its old data readable in free space, and Enable-BitLocker may refuse full encryption',
    );
  const method =
    typeof policy.EncryptionMethodWithXtsFdv === 'number'
      ? POLICY_METHODS[policy.EncryptionMethodWithXtsFdv]
      : undefined;
  if (method && method !== ENCRYPTION_METHOD)
    warnings.push(
      `policy sets ${method} for fixed drives (EncryptionMethodWithXtsFdv), diskprep asks for ${ENCRYPTION_METHOD}`,
    );
  const base =
    `Get-BitLockerVolume works (${probe.SystemDrive ?? 'system drive'} ${probe.VolumeStatus ?? ''})`.replace(
      ' )',
      ')',
    );
  return warnings.length > 0
    ? {
        id: ID,
        title: TITLE,
        status: 'warn',
        detail: `${base}; ${warnings.join('; ')}`,
        fix: 'have the administrator review the BitLocker policy for fixed data drives',
        data: { policy },
      }
    : { id: ID, title: TITLE, status: 'ok', detail: `${base}; policy allows recovery passwords` };
}
