/**
 * The drive id rule: the drive's hardware serial as the import service knows it. It names
 * files in the journal (`<driveId>.xml`), so a recorded id is checked with the same rule as a
 * typed one.
 */

/** A job takes at most 10 drives. */
export const MAX_DRIVES = 10;

/** Why `id` is not a usable drive id, or undefined. */
export function driveIdProblem(id: string): string | undefined {
  if (id.trim() === '') return "a drive id is the drive's hardware serial number";
  if (/\s/.test(id)) return 'a drive id has no spaces: give the serial number without them';
  if (!/^[\x21-\x7e]+$/.test(id))
    return "a drive id is printable ASCII (the drive's serial number)";
  if (/[\\/:*?"<>|]/.test(id)) return 'a drive id cannot hold \\ / : * ? " < > |';
  if (id === '.' || id === '..') return 'a drive id is not "." or ".."';
  return undefined;
}

/**
 * Why `id`, read back from the journal, cannot be a drive id any writer records (typed ids
 * obey {@link driveIdProblem}; serials read from a disk may also hold `:`), or undefined. It
 * becomes a file name in the journal folder, so it must stay one path segment there.
 */
export function recordedDriveIdProblem(id: string): string | undefined {
  if (!/^[\x21-\x7e]{1,128}$/.test(id))
    return 'must be 1-128 printable ASCII characters, no spaces';
  if (/[\\/]/.test(id) || id === '.' || id === '..') return 'must not be a path';
  return undefined;
}
