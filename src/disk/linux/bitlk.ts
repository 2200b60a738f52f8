/**
 * Reads `cryptsetup bitlkDump` (cryptsetup 2.x text, not localized) and turns the volume key
 * from `--dump-volume-key` into the FVEK file dislocker's `-k` takes, so the recovery password
 * never appears on a command line (dislocker's own `-p` prompt needs a TTY, see openLinux.ts).
 */
import { DiskError } from '../../errors.ts';
import type { DiskInfo } from '../types.ts';

/** A VMK protector: what unlocks the volume. */
export interface BitlkProtector {
  guid: string;
  /** `passphrase`, `recovery passphrase`, `startup key`, `clear key`, `TPM`, `smart card`... */
  protection: string;
}

/** What diskprep needs from `cryptsetup bitlkDump`. */
export interface BitlkDump {
  guid: string | undefined;
  sectorSize: number;
  volumeSize: number;
  cipherMode: string;
  keyBits: number;
  protectors: BitlkProtector[];
  /** Offsets of every metadata segment (FVE metadata areas and the relocated volume header). */
  metadataOffsets: number[];
}

/** The device holding the BitLocker volume: the disk itself or its first BitLocker partition. */
export function bitlockerDevice(disk: DiskInfo): string | undefined {
  if (disk.fsType?.toLowerCase() === 'bitlocker') return disk.path;
  return disk.partitions.find((p) => p.fsType?.toLowerCase() === 'bitlocker')?.path;
}

/** True when a protector is the numerical password (recovery password) the service unlocks with. */
export const hasRecoveryPassword = (d: BitlkDump): boolean =>
  d.protectors.some((p) => p.protection === 'recovery passphrase');

/** Parses `cryptsetup bitlkDump <device>` output. */
export function parseBitlkDump(text: string): BitlkDump {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const protectors: BitlkProtector[] = [];
  const keyslots = text.split(/^Keyslots:/m)[1]?.split(/^Metadata segments:/m)[0] ?? '';
  for (const m of keyslots.matchAll(
    /^\s*\d+: VMK\n\s*GUID:\s*(\S+)\n\s*Protection:\s*VMK protected with (.+)$/gm,
  )) {
    protectors.push({ guid: m[1]!, protection: m[2]!.trim() });
  }
  const segments = text.split(/^Metadata segments:/m)[1] ?? '';
  const metadataOffsets = [...segments.matchAll(/Offset:\s*(\d+) \[bytes\]/g)].map((m) =>
    Number(m[1]),
  );
  const volumeSize = Number(/^Volume size:\s*(\d+)/m.exec(text)?.[1] ?? NaN);
  if (!text.includes('BITLK') || !Number.isFinite(volumeSize)) {
    throw new DiskError('cryptsetup bitlkDump printed something diskprep cannot read', {
      code: 'ERR_DISKPREP_BITLOCKER',
      hint: 'check that cryptsetup 2.3 or newer is installed (cryptsetup --version)',
    });
  }
  return {
    guid: field('GUID'),
    sectorSize: Number(/^Sector size:\s*(\d+)/m.exec(text)?.[1] ?? 512),
    volumeSize,
    cipherMode: field('Cipher mode') ?? 'unknown',
    keyBits: Number(/^Cipher key:\s*(\d+)/m.exec(text)?.[1] ?? 0),
    protectors,
    metadataOffsets,
  };
}

/** Reads the hex volume key out of `bitlkDump --dump-volume-key` ("MK dump:" lines). */
export function parseVolumeKeyDump(text: string): Buffer {
  const m = /MK dump:\s*([\s\S]*?)(?:\n\S|$)/.exec(text);
  const hex = (m?.[1] ?? '').replace(/[^0-9a-fA-F]/g, '');
  if (hex.length === 0 || hex.length % 2 !== 0) {
    throw new DiskError('cryptsetup did not print the volume key', {
      code: 'ERR_DISKPREP_BITLOCKER',
    });
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Builds dislocker's FVEK file: a little-endian 16-bit BitLocker encryption method, then 64
 * key bytes. For AES-CBC + Elephant diffuser the FVEK and the tweak key each take one 32-byte
 * half (verified against both test images: dislocker mounts them and the NTFS reads back).
 */
export function dislockerFvekFile(dump: BitlkDump, key: Buffer): Buffer {
  const mode = dump.cipherMode;
  const bits = key.length * 8;
  let method: number;
  const body = Buffer.alloc(64);
  if (mode === 'cbc-elephant') {
    method = bits === 256 ? 0x8000 : 0x8001;
    const half = key.length / 2;
    key.copy(body, 0, 0, half);
    key.copy(body, 32, half);
  } else {
    if (mode === 'xts-plain64') method = bits === 256 ? 0x8004 : 0x8005;
    else if (mode === 'cbc-eboiv' || mode === 'cbc-plain64')
      method = bits === 128 ? 0x8002 : 0x8003;
    else
      throw new DiskError(`BitLocker cipher ${mode} is not supported by diskprep on Linux`, {
        code: 'ERR_DISKPREP_BITLOCKER',
        hint: 'prepare this drive on Windows',
      });
    key.copy(body, 0);
  }
  const head = Buffer.alloc(2);
  head.writeUInt16LE(method);
  return Buffer.concat([head, body]);
}
