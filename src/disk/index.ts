/** Drives: list, guard, and prepare real disks (Windows and Linux). */
export { checkEligible, MAX_DRIVE_BYTES } from './eligibility.ts';
export { listDisks, listDisksWithEligibility } from './listDisks.ts';
export { openDrive } from './openDrive.ts';
export { isRecoveryPassword, parseRecoveryPassword } from './recoveryPassword.ts';
export { chooseDisk, confirmDisk, describeDisk, resolveDisk } from './selectDisk.ts';
export type * from './types.ts';
