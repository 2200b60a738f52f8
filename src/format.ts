/**
 * The one formatter for sizes and counts in human output. Amounts of data are binary (IEC:
 * KiB, MiB, GiB, TiB, with plain `B` under 1 KiB), because that is what file systems and
 * `ls -lh` show; a drive's capacity also shows the decimal size it is sold by, once, beside
 * it (`8.0 TB (7.28 TiB)`), so the label on the box and the number on screen can be matched.
 * Counts take the right form of their noun (`1 file`, `2 files`). `--json` keeps raw numbers
 * and never goes through here. Lines for people fit the terminal: {@link screenColumns} is its
 * width (80 when unknown), {@link wrapLine} and {@link truncate} fit a line to it.
 */

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const SI = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * `bytes` scaled by `base` with `decimals(value)` digits. The unit moves up when rounding
 * reaches the base, so 1 MiB − 1 prints as `1.0 MiB`, never `1024 KiB`.
 */
function scaled(
  bytes: number,
  base: number,
  units: readonly string[],
  decimals: (v: number) => number,
): string {
  if (!Number.isFinite(bytes) || bytes < base) return `${bytes} ${units[0]}`;
  let v = bytes;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i += 1;
  }
  let text = v.toFixed(decimals(v));
  if (Number(text) >= base && i < units.length - 1) {
    v /= base;
    i += 1;
    text = v.toFixed(decimals(v));
  }
  // 99.96 with one decimal rounds to "100.0": print it with the digits its rounded value gets.
  text = v.toFixed(decimals(Number(text)));
  return `${text} ${units[i]}`;
}

/** One decimal under 100, none from 100 up: `1023 B`, `1.0 KiB`, `9.0 MiB`, `100 MiB`. */
const oneDecimal = (v: number): number => (v >= 100 ? 0 : 1);

/** Three significant digits: `7.28 TiB`, `14.3 GiB`, `466 GiB`. */
const threeDigits = (v: number): number => (v >= 100 ? 0 : v >= 10 ? 1 : 2);

/** An amount of data in binary units: `512 B`, `1.5 GiB`, `100 MiB`. */
export function formatBytes(bytes: number): string {
  return scaled(bytes, 1024, IEC, oneDecimal);
}

/** A disk's capacity in binary units with three digits: `7.28 TiB`, `466 GiB`, `100 MiB`. */
export function formatCapacity(bytes: number): string {
  return scaled(bytes, 1024, IEC, threeDigits);
}

/**
 * A drive's or disk's capacity in the screen's one unit system (binary), with the decimal size
 * it is sold by labelled as such, e.g. `7.28 TiB, sold as 8.0 TB` for 8 × 10¹² bytes: the label
 * on the box can be matched without a second unit system passing for the size. Print it once per
 * disk (where the operator picks or confirms it); tables use {@link formatCapacity}.
 */
export function formatDriveSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${bytes} B`;
  return `${formatCapacity(bytes)}, sold as ${scaled(bytes, 1000, SI, oneDecimal)}`;
}

/** The noun for `n` things: `plural(1, 'file')` is `file`, `plural(2, 'file')` is `files`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return n === 1 ? singular : pluralForm;
}

/** `n` and its noun: `count(1, 'file')` is `1 file`, `count(0, 'file')` is `0 files`. */
export function count(n: number, singular: string, pluralForm?: string): string {
  return `${n} ${plural(n, singular, pluralForm)}`;
}

/** `word` with its indefinite article, by its first letter: `an offline`, `a databox`. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

/** The width assumed when the terminal does not say (not a TTY, or no size reported). */
export const DEFAULT_COLUMNS = 80;

/**
 * The columns lines for people may use: the terminal's width when stderr is a TTY that reports
 * one, else {@link DEFAULT_COLUMNS}. Never below 40, so a tiny pane still gets readable lines.
 */
export function screenColumns(t: { readonly isTTY: boolean; readonly columns?: number }): number {
  const c = t.isTTY ? t.columns : undefined;
  return c !== undefined && Number.isFinite(c) && c > 0
    ? Math.max(40, Math.floor(c))
    : DEFAULT_COLUMNS;
}

/** Characters a line takes on screen (code points: the bars and symbols used are one column). */
export function textWidth(s: string): number {
  return [...s].length;
}

/**
 * Rows of plain-text cells (no colour codes) as lines: every column but the last padded to its
 * widest cell, two spaces apart, trailing blanks trimmed.
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => textWidth(r[i]!))));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - textWidth(c))))
      .join('  ')
      .trimEnd(),
  );
}

/** `s` cut to `width` columns, its end replaced by `…` when cut. */
export function truncate(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  if (width <= 1) return '…'.slice(0, width);
  return `${[...s].slice(0, width - 1).join('')}…`;
}

/**
 * One line wrapped at spaces to `width` columns. Continuation lines are indented by the line's
 * own indent plus `extraIndent` (so a wrapped `  key: value` stays under its item); a word longer
 * than the room is broken.
 */
export function wrapLine(line: string, width: number, extraIndent = 2): string[] {
  if (textWidth(line) <= width) return [line];
  const indent = ' '.repeat(Math.min(/^ */.exec(line)![0].length + extraIndent, width / 2));
  const out: string[] = [];
  let current = '';
  let lead = '';
  const flush = (): void => {
    out.push(current);
    current = '';
    lead = indent;
  };
  for (const word of line.trimStart().split(' ')) {
    let w = word;
    const prefix =
      current === '' ? (out.length === 0 ? /^ */.exec(line)![0] : lead) : `${current} `;
    if (textWidth(prefix) + textWidth(w) <= width) {
      current = prefix + w;
      continue;
    }
    if (current !== '') flush();
    let start = out.length === 0 ? /^ */.exec(line)![0] : indent;
    while (textWidth(start) + textWidth(w) > width) {
      const room = Math.max(1, width - textWidth(start));
      out.push(start + [...w].slice(0, room).join(''));
      w = [...w].slice(room).join('');
      start = indent;
    }
    current = start + w;
  }
  if (current.trim() !== '') out.push(current);
  return out;
}

/** Every line of `lines` wrapped to `width` (see {@link wrapLine}). */
export function wrapLines(lines: readonly string[], width: number, extraIndent = 2): string[] {
  return lines.flatMap((l) => wrapLine(l, width, extraIndent));
}
