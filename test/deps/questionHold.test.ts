/**
 * A question holds the terminal: progress of drives still filling is not drawn over it, lines
 * written meanwhile come out when it is answered, in order, then the latest progress.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { holdDuringQuestions } from '../../src/deps/questionHold.ts';
import { createTerminal } from '../../src/deps/terminal.ts';
import { createNonInteractivePrompt } from '../../src/deps/prompt.ts';
import type { Prompt } from '../../src/deps/types.ts';
import { Redactor } from '../../src/redact.ts';

/** A TTY stderr that keeps what is written. */
function tty(): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return Object.assign(s, { isTTY: true, columns: 80, text: () => chunks.join('') });
}

/** A prompt whose text question is answered when the test says. */
function pendingPrompt(): { prompt: Prompt; answer: (v: string) => void } {
  let answer: (v: string) => void = () => {};
  const prompt: Prompt = {
    ...createNonInteractivePrompt(),
    interactive: true,
    text: () => new Promise<string>((r) => (answer = r)),
  };
  return { prompt, answer: (v) => answer(v) };
}

/** A TTY terminal and a pending prompt (`text` replaced when given), held together. */
function setup(text?: Prompt['text']) {
  const s = tty();
  const redactor = new Redactor();
  const raw = createTerminal({ stream: s, env: { NO_COLOR: '1' }, verbose: false, redactor });
  const p = pendingPrompt();
  const prompt = text ? { ...p.prompt, text } : p.prompt;
  return { s, redactor, ...holdDuringQuestions(raw, prompt), answer: p.answer };
}

describe('holdDuringQuestions', () => {
  it('draws nothing over an open question; then the lines in order and the latest progress', async () => {
    const { s, terminal, prompt, answer } = setup();
    terminal.status('drive 1 10%');
    const asked = prompt.text({ message: 'Attach drive 3: which disk?', flag: '--drive' });
    const before = s.text();
    // The progress drawn so far ended above the question.
    expect(before.endsWith('drive 1 10%\n')).toBe(true);
    terminal.status('drive 2 40%');
    terminal.success('drive WD-2 complete');
    terminal.status('drive 2 70%');
    terminal.warn('drive WD-4 is slow');
    expect(s.text()).toBe(before);
    answer('/dev/sdd');
    expect(await asked).toBe('/dev/sdd');
    const after = s.text().slice(before.length);
    expect(after).toContain('✓ drive WD-2 complete\n');
    expect(after.indexOf('drive WD-2 complete')).toBeLessThan(after.indexOf('drive WD-4 is slow'));
    expect(after.endsWith('drive 2 70%')).toBe(true);
    expect(after).not.toContain('40%');
    // Not held any more.
    terminal.status('drive 2 80%');
    expect(s.text().endsWith('drive 2 80%')).toBe(true);
  });

  it('a progress ended while the question is open is not drawn again after the lines that followed', async () => {
    const { s, terminal, prompt, answer } = setup();
    const asked = prompt.text({ message: 'Drive id', flag: '--drive-id' });
    terminal.status('job 99%');
    terminal.clearStatus();
    terminal.info('copy done');
    answer('WD-1');
    await asked;
    expect(s.text()).toContain('copy done\n');
    expect(s.text()).not.toContain('99%');
  });

  it('a question given up (Ctrl-C) releases what it held; secrets written meanwhile stay redacted', async () => {
    const { s, redactor, terminal, prompt } = setup(() => Promise.reject(new Error('aborted')));
    redactor.add('111111-222222-333333-444444-555555-666666-000011-000022');
    const asked = prompt.text({ message: 'key', flag: '--bitlocker-key' });
    terminal.info('key 111111-222222-333333-444444-555555-666666-000011-000022 recorded');
    expect(s.text()).not.toContain('key ');
    await expect(asked).rejects.toThrow('aborted');
    expect(s.text()).toContain('key ');
    expect(s.text()).not.toContain('111111-222222');
  });
});
