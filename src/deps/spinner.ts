/** Waiting with a spinner: the one helper every wait over a second or two goes through. */
import type { Terminal } from './types.ts';

/** Runs `fn` under a spinner showing `text` (drawn only on a TTY, never under `--json`). */
export async function withSpinner<T>(
  terminal: Terminal,
  text: string,
  fn: () => Promise<T>,
): Promise<T> {
  const spinner = terminal.spinner(text);
  try {
    return await fn();
  } finally {
    spinner.stop();
  }
}
