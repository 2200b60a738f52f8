/**
 * Serials that name no drive. USB-SATA bridges often report their own placeholder instead of the
 * drive's serial (all zeros, one character repeated, a counting sequence such as
 * `0123456789ABCDEF`); two drives in two such bridges then carry the same "serial", and the
 * datacenter cannot match a drive to its manifest. Such a disk needs `--drive-id` with the serial
 * printed on the drive's label.
 */

/** Counting sequences placeholders are cut from (ascending and descending). */
const SEQUENCES = ['01234567890123456789', '0123456789ABCDEF', '9876543210', 'FEDCBA9876543210'];

/** Generic serials seen from bridge chips that are no counting sequence. */
const GENERIC = new Set(['1234567890ABCDEF', 'ABCDEF0123456789', 'NONE', 'NA', 'DEFAULTSTRING']);

/** True when `serial` is a bridge's placeholder rather than a drive's serial. */
export function isPlaceholderSerial(serial: string): boolean {
  const s = serial.replace(/[\s._:-]/g, '').toUpperCase();
  if (s.length < 4) return true;
  if (/^(.)\1*$/.test(s)) return true;
  if (GENERIC.has(s)) return true;
  return s.length >= 6 && SEQUENCES.some((q) => q.includes(s));
}

/** The serial to use as the drive id, or undefined when there is none or it is a placeholder. */
export function usableSerial(serial: string | undefined): string | undefined {
  return serial !== undefined && !isPlaceholderSerial(serial) ? serial : undefined;
}
