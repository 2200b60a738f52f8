/**
 * The preflight's BitLocker check against the probe's answers: the JSON carries Get-BitLockerVolume's
 * VolumeStatus as its type-file string and the FVE policy's DWORDs as Group Policy writes them
 * (HKLM\SOFTWARE\Policies\Microsoft\FVE: FDVRecovery 1 = the fixed-drive recovery policy is
 * enabled; FDVRecoveryPassword 0 = do not allow, 1 = require, 2 = allow a 48-digit recovery
 * password; FDVEncryptionType 1 = full, 2 = used space only; EncryptionMethodWithXtsFdv 3/4/6/7 =
 * AES-CBC 128/256, XTS-AES 128/256).
 */
import { describe, expect, it } from 'vitest';
import { BITLOCKER_PROBE, checkWindowsBitLocker } from '../../src/flows/check/windowsBitLocker.ts';
import { ps } from '../disk/windowsSeam.ts';
import { fakeDeps, type ExecStub } from '../helpers/fakeDeps.ts';

const probe = (answer: object | string, more: Partial<ExecStub> = {}) =>
  fakeDeps({
    platform: 'win32',
    exec: [
      {
        command: ps(BITLOCKER_PROBE),
        stdout: typeof answer === 'string' ? answer : JSON.stringify(answer),
        ...more,
      },
    ],
  });
const works = { Feature: true, SystemDrive: 'C:', VolumeStatus: 'FullyEncrypted' };

describe('BitLocker preflight (Windows)', () => {
  it('passes when Get-BitLockerVolume answers on the system drive and no policy objects', async () => {
    const { deps, recorded } = probe({
      ...works,
      Policy: { FDVRecovery: 1, FDVRecoveryPassword: 2 },
    });
    const r = await checkWindowsBitLocker(deps);
    expect([r.status, r.detail]).toEqual([
      'ok',
      'Get-BitLockerVolume works (C: FullyEncrypted); policy allows recovery passwords',
    ]);
    expect(recorded.commands[0]!.command).toContain('-ExecutionPolicy Bypass');
    expect(recorded.commands[0]!.options.timeoutMs).toBe(60_000);
  });

  it('Windows Server without the feature: the hint names Install-WindowsFeature and the restart', async () => {
    const r = await checkWindowsBitLocker(probe({ Feature: false }).deps);
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('BitLocker is not installed (no Get-BitLockerVolume)');
    expect(r.fix).toContain(
      'Install-WindowsFeature BitLocker -IncludeManagementTools, then restart the computer',
    );
  });

  it('installed but not restarted: Get-BitLockerVolume fails, the hint says restart', async () => {
    const r = await checkWindowsBitLocker(
      probe({ Feature: true, Error: 'Invalid namespace' }).deps,
    );
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('Get-BitLockerVolume on the system drive failed: Invalid namespace');
    expect(r.fix).toContain('restart the computer first');
  });

  it('a policy forbidding the recovery password fails before any disk is touched', async () => {
    const r = await checkWindowsBitLocker(
      probe({ ...works, Policy: { FDVRecovery: 1, FDVRecoveryPassword: 0 } }).deps,
    );
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('FDVRecoveryPassword=0');
    expect(r.fix).toContain('Allow 48-digit recovery password');
    // The same values without the policy enabled do not apply.
    const off = await checkWindowsBitLocker(
      probe({ ...works, Policy: { FDVRecovery: null, FDVRecoveryPassword: 0 } }).deps,
    );
    expect(off.status).toBe('ok');
  });

  it('used-space-only enforced, or another cipher by policy, warns naming the value', async () => {
    const r = await checkWindowsBitLocker(
      probe({ ...works, Policy: { FDVEncryptionType: 2, EncryptionMethodWithXtsFdv: 7 } }).deps,
    );
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('FDVEncryptionType=2');
    expect(r.detail).toContain(
      'policy sets XtsAes256 for fixed drives (EncryptionMethodWithXtsFdv), diskprep asks for XtsAes128',
    );
  });

  it('a probe that hangs fails naming the step', async () => {
    const r = await checkWindowsBitLocker(probe('', { timedOut: true }).deps);
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('checking BitLocker: PowerShell did not finish within 60 s');
  });
});
