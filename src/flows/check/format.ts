/** Small text helpers of the check report. */

/** `1.5 GiB`, binary units, one decimal. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** The symbol of a status. */
export function symbolOf(status: 'ok' | 'warn' | 'fail' | 'skip'): string {
  return status === 'ok' ? '✓' : status === 'warn' ? '⚠' : status === 'fail' ? '✗' : '–';
}
