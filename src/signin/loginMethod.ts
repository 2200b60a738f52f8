/**
 * Which interactive sign-in a run uses: `--login browser|device-code`, else the browser where a
 * desktop can show one (Windows, macOS, Linux with DISPLAY or WAYLAND_DISPLAY) and the device
 * code on a headless copy computer (the code is entered on any other device).
 */
import type { Deps } from '../deps/types.ts';
import { UsageError } from '../errors.ts';
import type { LoginMethod } from '../registry/signInRecord.ts';

/** True when a browser can be opened on this computer's screen. */
export function hasDesktop(deps: Pick<Deps, 'platform' | 'env'>): boolean {
  if (deps.platform === 'win32' || deps.platform === 'darwin') return true;
  return Boolean(deps.env.DISPLAY || deps.env.WAYLAND_DISPLAY);
}

/**
 * The sign-in method for `option` (`--login`).
 *
 * @throws UsageError when the browser is asked for on a computer without a desktop: the browser
 *   sign-in would wait for a browser that never opens, so the run says so and names the way that
 *   works (it does not silently switch: a script asked for the browser on purpose)
 */
export function loginMethod(
  option: LoginMethod | undefined,
  deps: Pick<Deps, 'platform' | 'env'>,
): LoginMethod {
  const desktop = hasDesktop(deps);
  if (option === 'browser' && !desktop)
    throw new UsageError(
      '--login browser needs a desktop to open the browser on, and this computer has none (no DISPLAY or WAYLAND_DISPLAY)',
      {
        hint: 'sign in with --login device-code: the code is entered in a browser on any other device',
      },
    );
  return option ?? (desktop ? 'browser' : 'device-code');
}
