/**
 * The one formatter for sizes and counts in human output. Amounts of data are binary (IEC:
 * KiB, MiB, GiB, TiB, with plain `B` under 1 KiB), because that is what file systems and
 * `ls -lh` show; a drive's capacity also shows the decimal size it is sold by, once, beside
 * it (`8.0 TB (7.28 TiB)`), so the label on the box and the number on screen can be matched.
 * Counts take the right form of their noun (`1 file`, `2 files`). `--json` keeps raw numbers
 * and never goes through here.
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

/**
 * A drive's or disk's capacity: the decimal size it is sold by, then the binary size in three
 * digits, e.g. `8.0 TB (7.28 TiB)` for 8 × 10¹² bytes. Print it once per disk (its describing
 * line or table cell); amounts copied onto it use {@link formatBytes}.
 */
export function formatDriveSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) return `${bytes} B`;
  return `${scaled(bytes, 1000, SI, oneDecimal)} (${scaled(bytes, 1024, IEC, threeDigits)})`;
}

/** The noun for `n` things: `plural(1, 'file')` is `file`, `plural(2, 'file')` is `files`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return n === 1 ? singular : pluralForm;
}

/** `n` and its noun: `count(1, 'file')` is `1 file`, `count(0, 'file')` is `0 files`. */
export function count(n: number, singular: string, pluralForm?: string): string {
  return `${n} ${plural(n, singular, pluralForm)}`;
}
