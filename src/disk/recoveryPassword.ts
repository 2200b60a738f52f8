/**
 * BitLocker recovery passwords (the "numerical password" protector): 48 digits in 8 groups of 6.
 * Each group is a multiple of 11 below 720896 (11 × 65536): BitLocker's own checksum, so a typo
 * is caught here instead of as a failed unlock.
 */
import { UsageError } from '../errors.ts';

const SHAPE = /^\d{6}(-\d{6}){7}$/;

/** True when `key` is a well-formed recovery password. */
export function isRecoveryPassword(key: string): boolean {
  if (!SHAPE.test(key)) return false;
  return key.split('-').every((g) => {
    const n = Number(g);
    return n % 11 === 0 && n < 720896;
  });
}

/**
 * Normalises (trims, accepts spaces instead of dashes) and validates a recovery password;
 * throws a UsageError naming the flag otherwise. The key itself never appears in the message.
 */
export function parseRecoveryPassword(raw: string, flag = '--bitlocker-key'): string {
  const key = raw.trim().replace(/\s+/g, '-');
  if (!isRecoveryPassword(key)) {
    throw new UsageError(`the value of ${flag} is not a BitLocker recovery password`, {
      code: 'ERR_DISKPREP_BITLOCKER_KEY',
      hint: 'give the 48-digit numerical password, 8 groups of 6 digits joined by dashes (manage-bde -protectors -get X: shows it)',
    });
  }
  return key;
}
