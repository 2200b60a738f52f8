/**
 * The stderr seam for people: messages, warnings, spinners (ora) and progress lines, coloured
 * with chalk when stderr supports it. Every line goes through the redactor first. Spinners are
 * drawn only on a TTY and never under `--json` (`quiet`); one started while another turns shows
 * its text in that one and gives the old text back when it stops (a wrapped service call inside
 * a step that has its own spinner).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import ora from 'ora';
import type { Redactor } from '../redact.ts';
import type { Spinner, Terminal } from './types.ts';

/** Picks the colour level from NO_COLOR / FORCE_COLOR / TTY. */
export function colorLevel(
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true' || force === '1') return 1;
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 3 ? 3 : n >= 2 ? 2 : 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return env.COLORTERM === 'truecolor' ? 3 : 2;
}

/** Creates the stderr seam. */
export function createTerminal(options: {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Readonly<Record<string, string | undefined>>;
  verbose: boolean;
  redactor: Redactor;
  /** `--json`: no spinner is drawn (the document on stdout is the whole answer). */
  quiet?: boolean;
}): Terminal {
  const { stream, env, verbose, redactor } = options;
  const isTTY = stream.isTTY === true;
  const chalk: ChalkInstance = new Chalk({ level: colorLevel(env, isTTY) });
  let statusShown = false;
  const spinners = spinnerSet(stream, redactor);
  // Lines of the status shown (several: one per drive filled at once).
  let statusLines = 1;
  /** Back to the start of the status, cleared to the end of the screen. */
  const clearShown = (): void => {
    stream.write(`\r${statusLines > 1 ? `\x1b[${statusLines - 1}A` : ''}\x1b[0J`);
  };
  const write = (line: string): void => {
    if (statusShown) {
      clearShown();
      statusShown = false;
    }
    spinners.above(() => stream.write(`${redactor.redact(line)}\n`));
  };
  return {
    isTTY,
    get columns() {
      return isTTY ? stream.columns : undefined;
    },
    verboseEnabled: verbose,
    info: (m) => write(m),
    success: (m) => write(`${chalk.green('✓')} ${m}`),
    warn: (m) => write(`${chalk.yellow('⚠')} ${chalk.yellow(m)}`),
    error: (m) => write(`${chalk.red('✗')} ${m}`),
    verbose: (m) => {
      if (verbose) write(chalk.dim(m));
    },
    spinner(text: string): Spinner {
      if (!isTTY || options.quiet === true) {
        return {
          text: () => {},
          succeed: (t) => t && write(`${chalk.green('✓')} ${t}`),
          fail: (t) => t && write(`${chalk.red('✗')} ${t}`),
          stop: () => {},
        };
      }
      return spinners.start(text);
    },
    status(line: string) {
      if (!isTTY) return;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const lines = redactor
        .redact(line)
        .split('\n')
        .map((l) => l.slice(0, width));
      if (statusShown) clearShown();
      else stream.write('\r\x1b[2K');
      stream.write(lines.join('\n'));
      statusLines = lines.length;
      statusShown = true;
    },
    clearStatus() {
      if (statusShown) {
        stream.write('\n');
        statusShown = false;
      }
    },
    style: {
      bold: (s) => chalk.bold(s),
      dim: (s) => chalk.dim(s),
      red: (s) => chalk.red(s),
      green: (s) => chalk.green(s),
      yellow: (s) => chalk.yellow(s),
      cyan: (s) => chalk.cyan(s),
    },
  };
}

/** Spinners (ora) on a TTY stream, one turning at a time: one started meanwhile borrows it. */
function spinnerSet(
  stream: NodeJS.WritableStream,
  redactor: Redactor,
): { start(text: string): Spinner; above(print: () => void): void } {
  let active: { ora: ReturnType<typeof ora> } | undefined;
  const redact = (t: string): string => redactor.redact(t);
  return {
    // A line printed while a spinner turns goes above it, not into its frame.
    above(print) {
      active?.ora.clear();
      print();
      active?.ora.render();
    },
    start(text) {
      if (active) return nestedSpinner(active, redact, text);
      const s = ora({ text: redact(text), stream, isEnabled: true, discardStdin: false }).start();
      const mine = { ora: s };
      active = mine;
      const end = (): void => {
        if (active === mine) active = undefined;
      };
      const orUndefined = (t: string | undefined) => (t === undefined ? undefined : redact(t));
      return {
        text: (t) => {
          s.text = redact(t);
        },
        succeed: (t) => {
          end();
          s.succeed(orUndefined(t));
        },
        fail: (t) => {
          end();
          s.fail(orUndefined(t));
        },
        stop: () => {
          end();
          s.stop();
        },
      };
    },
  };
}

/** A spinner started while `outer` turns: shows its text there, gives the old one back at the end. */
function nestedSpinner(
  outer: { ora: { text: string; render(): unknown } },
  redact: (t: string) => string,
  text: string,
): Spinner {
  const before = outer.ora.text;
  const show = (t: string): void => {
    outer.ora.text = t;
    outer.ora.render();
  };
  show(redact(text));
  let done = false;
  const restore = (): void => {
    if (done) return;
    done = true;
    show(before);
  };
  return {
    text: (t) => {
      if (!done) show(redact(t));
    },
    succeed: restore,
    fail: restore,
    stop: restore,
  };
}
