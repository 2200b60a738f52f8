/**
 * Drives the built binary interactively inside a real terminal (tmux), the way an operator
 * types at it: wait for text on the screen, send keys, read the screen.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { BIN } from './cli.ts';

/** A running interactive session. */
export interface TmuxSession {
  name: string;
  /** Waits until the screen (incl. scrollback) matches, or throws with the screen on timeout. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Types text (literally) and optionally Enter. */
  type(text: string, enter?: boolean): Promise<void>;
  /** Sends tmux key names: 'Enter', 'Down', 'Up', 'Space', 'C-c'. */
  keys(...names: string[]): Promise<void>;
  /** The whole screen plus scrollback. */
  screen(): Promise<string>;
  /** Waits for the program to exit and returns its exit code. */
  exitCode(timeoutMs?: number): Promise<number>;
  kill(): Promise<void>;
}

/** True when tmux is installed. */
export async function hasTmux(): Promise<boolean> {
  const r = await execa('tmux', ['-V'], { reject: false });
  return r.exitCode === 0;
}

/** Starts `diskprep args...` in a detached tmux session (CI unset so prompts are shown). */
export async function startInteractive(
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    width?: number;
    height?: number;
    /** Appends every byte the program writes to the terminal to this file (tmux pipe-pane). */
    recordTo?: string;
  } = {},
): Promise<TmuxSession> {
  const name = `diskprep-${randomBytes(4).toString('hex')}`;
  const rcFile = `/tmp/${name}.rc`;
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  // tmux starts the program with its server's environment: a test's private TMPDIR is passed on.
  const tmp: Record<string, string> = process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {};
  const envPrefix = Object.entries<string>({ NO_COLOR: '1', ...tmp, ...options.env })
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(' ');
  // When recording, wait for a go file so pipe-pane is attached before the first byte.
  const go = `/tmp/${name}.go`;
  const wait = options.recordTo ? `while [ ! -e ${q(go)} ]; do sleep 0.05; done; ` : '';
  const cmd = `${wait}env -u CI ${envPrefix} ${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}; echo $? > ${q(rcFile)}; sleep 600`;
  await execa('tmux', [
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    String(options.width ?? 160),
    '-y',
    String(options.height ?? 50),
    ...(options.cwd ? ['-c', options.cwd] : []),
    cmd,
  ]);
  await execa('tmux', ['set-option', '-t', name, 'history-limit', '10000']);
  if (options.recordTo) {
    await execa('tmux', ['pipe-pane', '-o', '-t', name, `cat >> ${q(options.recordTo)}`]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(go, '');
  }
  const screen = async () => {
    const r = await execa('tmux', ['capture-pane', '-p', '-J', '-S', '-10000', '-t', name], {
      reject: false,
    });
    return String(r.stdout);
  };
  const session: TmuxSession = {
    name,
    screen,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await screen();
        if (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)) return s;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async type(text, enter = true) {
      await execa('tmux', ['send-keys', '-t', name, '-l', text]);
      if (enter) await execa('tmux', ['send-keys', '-t', name, 'Enter']);
    },
    async keys(...names) {
      await execa('tmux', ['send-keys', '-t', name, ...names]);
    },
    async exitCode(timeoutMs = 60_000) {
      const { readFile } = await import('node:fs/promises');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const t = (await readFile(rcFile, 'utf8')).trim();
          if (t !== '') return Number(t);
        } catch {
          // not finished yet
        }
        if (Date.now() > deadline)
          throw new Error(`program did not exit; screen:\n${await screen()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill() {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
      const { rm } = await import('node:fs/promises');
      await rm(rcFile, { force: true });
      await rm(go, { force: true });
    },
  };
  return session;
}

/**
 * Appends a screen captured at a test's terminal width to the file DISKPREP_CAPTURE_FILE names
 * (for the notes of a change: what an operator sees), under a title; nothing when it is unset.
 */
export async function saveCapture(title: string, screen: string): Promise<void> {
  const file = process.env.DISKPREP_CAPTURE_FILE;
  if (!file) return;
  const { appendFile } = await import('node:fs/promises');
  await appendFile(file, `==== ${title}\n${screen.trimEnd()}\n\n`);
}
