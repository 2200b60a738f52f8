/**
 * Is diskprep running elevated? Preparing a drive (format, BitLocker, dislocker + ntfs-3g
 * mounts) needs Administrator on Windows and root on Linux; ship and status do not.
 */
import type { Deps } from '../../deps/types.ts';
import { runPowerShell } from '../../disk/windows/powershell.ts';
import type { CheckResult } from './types.ts';

const TITLE = 'running elevated';

/**
 * Asks Windows whether this process holds the Administrator role: WindowsPrincipal.IsInRole on
 * the current identity, which is true only in an elevated process (UAC gives an administrator's
 * unelevated processes a filtered token without it). `net session` answered the same question
 * indirectly and fails for other reasons too (the Server service stopped).
 */
export const IS_ADMIN_SCRIPT =
  '([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)';

/** Windows: {@link IS_ADMIN_SCRIPT}; Linux and others: the effective uid is 0. */
export async function checkElevation(
  deps: Pick<Deps, 'exec' | 'platform' | 'uid'>,
  needsDisk: boolean,
): Promise<CheckResult> {
  if (!needsDisk) {
    return {
      id: 'elevation',
      title: TITLE,
      status: 'skip',
      detail: 'no drive is prepared in this run, so no elevation is needed',
    };
  }
  if (deps.platform === 'win32') {
    let answer: string;
    try {
      const r = await runPowerShell(deps, IS_ADMIN_SCRIPT, {
        step: 'checking for Administrator',
        timeoutMs: 30_000,
      });
      answer = r.stdout.trim();
    } catch (err) {
      return {
        id: 'elevation',
        title: TITLE,
        status: 'warn',
        detail: `cannot tell (${(err as Error).message})`,
        fix: 'run diskprep from an elevated prompt (right-click → Run as administrator) to prepare drives',
      };
    }
    return answer === 'True'
      ? { id: 'elevation', title: TITLE, status: 'ok', detail: 'Administrator' }
      : {
          id: 'elevation',
          title: TITLE,
          status: 'fail',
          detail:
            'not elevated: formatting and BitLocker need Administrator (ship and status do not)',
          fix: 'open the prompt with "Run as administrator" and run diskprep again',
          data: { isInRoleAdministrator: answer },
        };
  }
  if (deps.uid === 0)
    return { id: 'elevation', title: TITLE, status: 'ok', detail: 'root', data: { uid: 0 } };
  return {
    id: 'elevation',
    title: TITLE,
    status: 'fail',
    detail: `running as uid ${deps.uid ?? '?'}: unlocking and mounting drives (dislocker, ntfs-3g) needs root (ship and status do not)`,
    fix: 'run it as root: sudo diskprep ...',
    data: { uid: deps.uid },
  };
}
