/**
 * The stderr seam's width and spinners: the width is the TTY's (none otherwise), spinners are
 * drawn only on a TTY and never under --json, and a spinner started while another turns shows
 * its text in that one instead of drawing a second.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTerminal } from '../../src/deps/terminal.ts';
import { Redactor } from '../../src/redact.ts';

/** A stream that keeps what is written; a TTY of `columns` columns when `tty`. */
function stream(
  tty: boolean,
  columns?: number,
): Writable & { isTTY?: boolean; columns?: number; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; text: () => string };
  s.isTTY = tty;
  // What ora calls on a TTY stream to redraw in place.
  Object.assign(s, {
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
  });
  if (columns !== undefined) s.columns = columns;
  s.text = () => chunks.join('');
  return s;
}

const env = { NO_COLOR: '1' };

describe('terminal width', () => {
  it('is the TTY width, read at each call (a resized window counts)', () => {
    const s = stream(true, 80);
    const t = createTerminal({ stream: s, env, verbose: false, redactor: new Redactor() });
    expect(t.columns).toBe(80);
    s.columns = 132;
    expect(t.columns).toBe(132);
  });
  it('is unknown when stderr is not a TTY', () => {
    const t = createTerminal({
      stream: stream(false, 80),
      env,
      verbose: false,
      redactor: new Redactor(),
    });
    expect(t.columns).toBeUndefined();
  });
});

describe('spinners', () => {
  it('draws on a TTY', () => {
    const s = stream(true, 80);
    const t = createTerminal({ stream: s, env, verbose: false, redactor: new Redactor() });
    const sp = t.spinner('creating import job seed01');
    sp.stop();
    expect(s.text()).toContain('creating import job seed01');
  });
  it('draws nothing under --json (quiet), even on a TTY', () => {
    const s = stream(true, 80);
    const t = createTerminal({
      stream: s,
      env,
      verbose: false,
      redactor: new Redactor(),
      quiet: true,
    });
    const sp = t.spinner('creating import job seed01');
    sp.stop();
    expect(s.text()).toBe('');
  });
  it('a nested spinner shows its text in the one turning and gives the old text back', () => {
    const s = stream(true, 80);
    const redactor = new Redactor();
    redactor.add('s3cr3t-token');
    const t = createTerminal({ stream: s, env, verbose: false, redactor });
    const outer = t.spinner('asking the databox service about job seed01');
    const inner = t.spinner('getting job seed01 s3cr3t-token');
    inner.stop();
    outer.stop();
    const text = s.text();
    expect(text).toContain('getting job seed01');
    expect(text).not.toContain('s3cr3t-token');
    // The last frame drawn before the outer spinner stopped is the outer text again.
    const last = text.lastIndexOf('asking the databox service');
    expect(last).toBeGreaterThan(text.indexOf('getting job seed01'));
  });
});
