/**
 * BitLocker recovery passwords (the "numerical password" protector the import service
 * unlocks drives with): 8 groups of 6 digits. Each group encodes a 16-bit value times 11, so a
 * group is valid only when it is divisible by 11 and below 720896 (= 65536 × 11).
 */

/** Why `key` is not a valid recovery password, or undefined when it is. Never echoes the key. */
export function bitLockerKeyProblem(key: string): string | undefined {
  const groups = key.trim().split('-');
  if (groups.length !== 8 || groups.some((g) => !/^\d{6}$/.test(g))) {
    return 'a BitLocker recovery password is 8 groups of 6 digits separated by dashes';
  }
  const bad = groups.findIndex((g) => Number(g) % 11 !== 0 || Number(g) >= 720896);
  if (bad >= 0) {
    return `group ${bad + 1} of the BitLocker recovery password is not valid (each group is divisible by 11 and below 720896): check for a typo`;
  }
  return undefined;
}

/** True when `key` is a well-formed recovery password. */
export function isBitLockerKey(key: string): boolean {
  return bitLockerKeyProblem(key) === undefined;
}
