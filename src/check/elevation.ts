/**
 * Is diskprep running elevated? Preparing a drive (format, BitLocker, dislocker + ntfs-3g
 * mounts) needs Administrator on Windows and root on Linux; ship and status do not.
 */
import type { Deps } from '../deps/types.ts';
import type { CheckResult } from './types.ts';

const TITLE = 'running elevated';

/**
 * Windows: `net session` succeeds only in an elevated process (it lists server sessions, which
 * needs Administrator) — the check every installer script uses, and it needs no PowerShell.
 * Linux and others: the effective uid is 0.
 */
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
    let exitCode: number;
    try {
      exitCode = (await deps.exec.run('net', ['session'], { reject: false, timeoutMs: 15_000 }))
        .exitCode;
    } catch (err) {
      return {
        id: 'elevation',
        title: TITLE,
        status: 'warn',
        detail: `cannot tell (net session: ${(err as Error).message})`,
        fix: 'run diskprep from an elevated prompt (right-click → Run as administrator) to prepare drives',
      };
    }
    return exitCode === 0
      ? { id: 'elevation', title: TITLE, status: 'ok', detail: 'Administrator' }
      : {
          id: 'elevation',
          title: TITLE,
          status: 'fail',
          detail:
            'not elevated: formatting and BitLocker need Administrator (ship and status do not)',
          fix: 'open the prompt with "Run as administrator" and run diskprep again',
          data: { netSessionExitCode: exitCode },
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
