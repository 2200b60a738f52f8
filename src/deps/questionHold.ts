/**
 * One screen at a time: while a question is open, the progress status is not redrawn and the
 * lines written meanwhile wait; when it is answered (or given up), those lines come out in
 * order and then the latest status. Drives filling at once go on while the operator is asked
 * for the next one (a drive is full): without this, their progress lines, redrawn every tick,
 * were drawn over the question and the answer being typed.
 */
import type { Prompt, Spinner, Terminal } from './types.ts';

/** `terminal` and `prompt` wrapped so that a question holds the terminal's output. */
export function holdDuringQuestions(
  terminal: Terminal,
  prompt: Prompt,
): { terminal: Terminal; prompt: Prompt } {
  let open = 0;
  let held: (() => void)[] = [];
  let status: string | undefined;
  const later = (write: () => void): void => {
    if (open > 0) held.push(write);
    else write();
  };
  const release = (): void => {
    if (--open > 0) return;
    const lines = held;
    held = [];
    for (const write of lines) write();
    if (status !== undefined) terminal.status(status);
    status = undefined;
  };
  const asking = async <A>(ask: () => Promise<A>): Promise<A> => {
    // The status drawn so far ends above the question.
    if (open++ === 0) terminal.clearStatus();
    try {
      return await ask();
    } finally {
      release();
    }
  };
  const holding: Terminal = {
    get isTTY() {
      return terminal.isTTY;
    },
    get columns() {
      return terminal.columns;
    },
    get verboseEnabled() {
      return terminal.verboseEnabled;
    },
    get style() {
      return terminal.style;
    },
    info: (m) => later(() => terminal.info(m)),
    success: (m) => later(() => terminal.success(m)),
    warn: (m) => later(() => terminal.warn(m)),
    error: (m) => later(() => terminal.error(m)),
    verbose: (m) => later(() => terminal.verbose(m)),
    spinner: (text): Spinner => terminal.spinner(text),
    status(line) {
      if (open > 0) status = line;
      else terminal.status(line);
    },
    clearStatus() {
      // A status ended while held is not drawn again after the lines that followed it.
      status = undefined;
      later(() => terminal.clearStatus());
    },
  };
  return {
    terminal: holding,
    prompt: {
      interactive: prompt.interactive,
      text: (q) => asking(() => prompt.text(q)),
      confirm: (q) => asking(() => prompt.confirm(q)),
      select: (q) => asking(() => prompt.select(q)),
      checklist: (q) => asking(() => prompt.checklist(q)),
    },
  };
}
