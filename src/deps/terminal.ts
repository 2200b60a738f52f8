/**
 * The stderr seam for people: messages, warnings, spinners (ora) and progress lines, coloured
 * with chalk when stderr supports it. Every line goes through the redactor first.
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
}): Terminal {
  const { stream, env, verbose, redactor } = options;
  const isTTY = stream.isTTY === true;
  const chalk: ChalkInstance = new Chalk({ level: colorLevel(env, isTTY) });
  let statusShown = false;
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
    stream.write(`${redactor.redact(line)}\n`);
  };
  return {
    isTTY,
    verboseEnabled: verbose,
    info: (m) => write(m),
    success: (m) => write(`${chalk.green('✓')} ${m}`),
    warn: (m) => write(`${chalk.yellow('⚠')} ${chalk.yellow(m)}`),
    error: (m) => write(`${chalk.red('✗')} ${m}`),
    verbose: (m) => {
      if (verbose) write(chalk.dim(m));
    },
    spinner(text: string): Spinner {
      if (!isTTY) {
        return {
          text: () => {},
          succeed: (t) => t && write(`${chalk.green('✓')} ${t}`),
          fail: (t) => t && write(`${chalk.red('✗')} ${t}`),
          stop: () => {},
        };
      }
      const s = ora({
        text: redactor.redact(text),
        stream,
        isEnabled: true,
        discardStdin: false,
      }).start();
      return {
        text: (t) => {
          s.text = redactor.redact(t);
        },
        succeed: (t) => {
          s.succeed(t === undefined ? undefined : redactor.redact(t));
        },
        fail: (t) => {
          s.fail(t === undefined ? undefined : redactor.redact(t));
        },
        stop: () => {
          s.stop();
        },
      };
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
