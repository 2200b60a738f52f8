/**
 * The NTFS volume serial of a mounted Windows volume, read from its boot sector (`\\.\E:`, the
 * decrypted view of an unlocked BitLocker volume). Reading the sector rather than parsing
 * `fsutil fsinfo ntfsinfo` keeps it independent of the display language; the value is the
 * one Linux reads through dislocker, so a drive started on one resumes on the other.
 */
import type { Deps } from '../../deps/types.ts';
import { ntfsSerialOf } from '../identity.ts';
import { mountPoint, runPowerShell } from './powershell.ts';

/** The script printing the first 512 bytes of `letter:` as base64. */
export function bootSectorScript(letter: string): string {
  const device = `'\\\\.\\'+${mountPoint(letter)}`;
  return `$s=[IO.File]::Open(${device},[IO.FileMode]::Open,[IO.FileAccess]::Read,[IO.FileShare]::ReadWrite);try{$b=New-Object byte[] 512;[void]$s.Read($b,0,512);[Convert]::ToBase64String($b)}finally{$s.Close()}`;
}

/** The NTFS serial of `letter:`, undefined when it cannot be read or holds no NTFS. */
export async function readWindowsNtfsSerial(
  deps: Deps,
  letter: string,
): Promise<string | undefined> {
  try {
    const r = await runPowerShell(deps, bootSectorScript(letter), {
      step: `reading the NTFS volume serial of ${letter}:`,
      reject: false,
    });
    if (r.exitCode !== 0) return undefined;
    return ntfsSerialOf(Buffer.from(r.stdout.trim(), 'base64'));
  } catch {
    return undefined;
  }
}
