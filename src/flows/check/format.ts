/** Small text helpers of the check report. */

/** The symbol of a status. */
export function symbolOf(status: 'ok' | 'warn' | 'fail' | 'skip'): string {
  return status === 'ok' ? '✓' : status === 'warn' ? '⚠' : status === 'fail' ? '✗' : '–';
}
