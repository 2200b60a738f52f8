/** The width rules of the one formatter: the screen's columns, truncation and wrapping. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COLUMNS,
  screenColumns,
  textWidth,
  truncate,
  wrapLine,
  wrapLines,
} from '../src/format.ts';

describe('screenColumns', () => {
  it('is the terminal width on a TTY that reports one', () => {
    expect(screenColumns({ isTTY: true, columns: 132 })).toBe(132);
    expect(screenColumns({ isTTY: true, columns: 80 })).toBe(80);
  });
  it('is 80 when the width is unknown or stderr is no terminal', () => {
    expect(DEFAULT_COLUMNS).toBe(80);
    expect(screenColumns({ isTTY: false, columns: 200 })).toBe(80);
    expect(screenColumns({ isTTY: true })).toBe(80);
    expect(screenColumns({ isTTY: true, columns: 0 })).toBe(80);
  });
  it('never goes below 40 columns', () => {
    expect(screenColumns({ isTTY: true, columns: 12 })).toBe(40);
  });
});

describe('truncate', () => {
  it('keeps a line that fits and cuts one that does not with an ellipsis', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(textWidth(truncate('█'.repeat(30), 10))).toBe(10);
  });
});

describe('wrapLine', () => {
  it('leaves a line within the width as it is', () => {
    expect(wrapLine('  drive 1: WD-1', 80)).toEqual(['  drive 1: WD-1']);
  });
  it('wraps at spaces, continuation lines indented under the item', () => {
    const line = `  next: ${'word '.repeat(30).trim()}`;
    const out = wrapLine(line, 40);
    expect(out.length).toBeGreaterThan(1);
    for (const l of out) expect(textWidth(l)).toBeLessThanOrEqual(40);
    expect(out[0]!.startsWith('  next: word')).toBe(true);
    for (const l of out.slice(1)) expect(l).toMatch(/^ {4}word/);
    expect(out.join(' ').replace(/\s+/g, ' ').trim()).toBe(line.trim());
  });
  it('breaks a word longer than the room (a path, a hash)', () => {
    const path = `/srv/${'x'.repeat(100)}/drive.xml`;
    const out = wrapLine(`    drive info: ${path}`, 40);
    for (const l of out) expect(textWidth(l)).toBeLessThanOrEqual(40);
    expect(out.map((l) => l.trim()).join('')).toBe(`drive info:${path}`);
  });
  it('wrapLines wraps every line', () => {
    const out = wrapLines(['short', 'a '.repeat(50).trim()], 20);
    expect(out[0]).toBe('short');
    for (const l of out) expect(textWidth(l)).toBeLessThanOrEqual(20);
  });
});
