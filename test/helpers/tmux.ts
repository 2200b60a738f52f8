/**
 * Drives the built binary interactively inside a real terminal (tmux), the way an operator
 * types at it: wait for text on the screen, send keys, read the screen.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
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

/**
 * Starts detached tmux session `name` running `cmd` (`width` x `height`, default height 50) and
 * returns how to read its whole screen and scrollback, wrapped lines joined (`-J`).
 */
async function newSession(
  name: string,
  cmd: string,
  o: { width: number; height?: number; cwd?: string },
): Promise<() => Promise<string>> {
  const size = ['-x', String(o.width), '-y', String(o.height ?? 50)];
  const cwd = o.cwd ? ['-c', o.cwd] : [];
  for (let attempt = 1; ; attempt++) {
    const r = await execa('tmux', ['new-session', '-d', '-s', name, ...size, ...cwd, cmd], {
      reject: false,
    });
    if (r.exitCode === 0) break;
    // The tmux server exits with its last session: a session started as another test kills
    // the last one can reach a server that is going ('server exited unexpectedly'; nothing
    // was started). The next try starts a new server.
    if (attempt >= 5 || !String(r.stderr).includes('server exited unexpectedly'))
      throw new Error(`tmux new-session failed: ${String(r.stderr)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  await execa('tmux', ['set-option', '-t', name, 'history-limit', '50000']);
  return async () => {
    const r = await execa('tmux', ['capture-pane', '-p', '-J', '-S', '-50000', '-t', name], {
      reject: false,
    });
    return String(r.stdout);
  };
}

/** Waiting for the screen, typing and keys in tmux session `name`: what every session shares. */
function paneControls(
  name: string,
  screen: () => Promise<string>,
): Pick<TmuxSession, 'waitFor' | 'type' | 'keys'> {
  return {
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
  };
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
  // tmux starts the program with its server's environment, which is that of the test that
  // started the server (maybe a private TMPDIR since removed): this test's TMPDIR is passed on.
  const tmp = { TMPDIR: tmpdir() };
  const envPrefix = Object.entries<string>({ NO_COLOR: '1', ...tmp, ...options.env })
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(' ');
  // When recording, wait for a go file so pipe-pane is attached before the first byte.
  const go = `/tmp/${name}.go`;
  const wait = options.recordTo ? `while [ ! -e ${q(go)} ]; do sleep 0.05; done; ` : '';
  const cmd = `${wait}env -u CI ${envPrefix} ${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}; echo $? > ${q(rcFile)}; sleep 600`;
  const screen = await newSession(name, cmd, { width: 160, ...options });
  if (options.recordTo) {
    await execa('tmux', ['pipe-pane', '-o', '-t', name, `cat >> ${q(options.recordTo)}`]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(go, '');
  }
  const session: TmuxSession = {
    name,
    screen,
    ...paneControls(name, screen),
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

/**
 * An interactive shell in a real terminal, the operator typing one command after another;
 * `exitCode` waits for the last command given to `run`, `screen` is the whole session.
 */
export interface ShellSession extends TmuxSession {
  /** Types `command` at the prompt and Enter. */
  run(command: string): Promise<void>;
}

/**
 * Starts a bare shell (`bash --norc`, prompt `$ `) in a detached tmux session whose environment
 * is only `env` (plus TERM, LANG and a test's private TMPDIR): nothing of the runner's leaks in,
 * so a step signs in only as the operator did. The shell records each command's exit code for
 * {@link ShellSession.exitCode} through PROMPT_COMMAND, which prints nothing.
 */
export async function startShell(
  env: Record<string, string>,
  options: { cwd?: string; width?: number; height?: number } = {},
): Promise<ShellSession> {
  const name = `diskprep-sh-${randomBytes(4).toString('hex')}`;
  const rcFile = `/tmp/${name}.rc`;
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const tmp = { TMPDIR: tmpdir() };
  const vars = Object.entries<string>({
    TERM: 'tmux-256color',
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...tmp,
    ...env,
    PS1: '$ ',
    PROMPT_COMMAND: `echo $? > ${rcFile}`,
  })
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(' ');
  const screen = await newSession(name, `env -i ${vars} bash --norc --noprofile -i`, {
    width: 80,
    ...options,
  });
  const { readFile, rm } = await import('node:fs/promises');
  const readRc = async () => {
    try {
      const t = (await readFile(rcFile, 'utf8')).trim();
      return t === '' ? undefined : Number(t);
    } catch {
      return undefined;
    }
  };
  const until = async <T>(what: () => Promise<T | undefined>, ms: number, fail: () => string) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(fail());
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // The first prompt: the shell is ready (its PROMPT_COMMAND wrote 0).
  await until(readRc, 10_000, () => 'the shell did not start');
  let last = '';
  return {
    name,
    screen,
    async run(command) {
      await rm(rcFile, { force: true });
      last = command;
      await execa('tmux', ['send-keys', '-t', name, '-l', command]);
      await execa('tmux', ['send-keys', '-t', name, 'Enter']);
    },
    ...paneControls(name, screen),
    async exitCode(timeoutMs = 60_000) {
      let s = '';
      return until(
        async () => {
          s = await screen();
          return readRc();
        },
        timeoutMs,
        () => `"${last}" did not end; screen:\n${s}`,
      );
    },
    async kill() {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
      await rm(rcFile, { force: true });
    },
  };
}
